// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}label_not_i32.wl:7:3: error: label 'y' must be 'i32' (one class index per example) or 'i32{{\[}}T]' (one per position); use 'target y: f32[k]' for real targets
// CHECK-NEXT: {{^[ \t]*}}label y: f32
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: f32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
}
