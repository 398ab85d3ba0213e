// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}statement_after_return.wl:11:5: error: statement after 'return' in forward
// CHECK-NEXT: {{^[ \t]*}}h = fc1(x)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward {
    return fc1(x)
    h = fc1(x)
  }
  loss = cross_entropy(forward, y)
}
