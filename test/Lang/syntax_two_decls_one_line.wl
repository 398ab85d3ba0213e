// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_two_decls_one_line.wl:6:21: error: unexpected 'label', expected ';', '}' or newline
// CHECK-NEXT: {{^[ \t]*}}input x: f32[784] label y: i32
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784] label y: i32
  linear fc1: 784 -> 10
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
