// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}negative_lr.wl:12:23: error: argument 'lr' of 'sgd' must be >= 0, got -0.1
// CHECK-NEXT: {{^[ \t]*}}default: sgd(lr = -0.1)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(lr = -0.1)
  }
}
