// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}cross_entropy_target.wl:10:33: error: cross_entropy needs class labels ('label y: i32'); 'y' is a real-valued target (use mse)
// CHECK-NEXT: {{^[ \t]*}}loss = cross_entropy(forward, y)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  target y: f32[10]
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
}
