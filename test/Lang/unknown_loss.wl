// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown_loss.wl:10:10: error: unknown loss 'hinge' (expected cross_entropy or mse)
// CHECK-NEXT: {{^[ \t]*}}loss = hinge(forward, y)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = hinge(forward, y)
}
