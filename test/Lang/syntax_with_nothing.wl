// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_with_nothing.wl:8:47: error: unexpected '}', expected identifier
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense with }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense with }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
