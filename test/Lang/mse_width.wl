// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}mse_width.wl:10:23: error: target 'y' has width 3 but forward returns width 10
// CHECK-NEXT: {{^[ \t]*}}loss = mse(forward, y)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  target y: f32[3]
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = mse(forward, y)
}
