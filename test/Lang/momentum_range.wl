// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}momentum_range.wl:12:39: error: argument 'momentum' of 'sgd' must be in [0, 1), got 1.5
// CHECK-NEXT: {{^[ \t]*}}default: sgd(lr = 0.1, momentum = 1.5)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(lr = 0.1, momentum = 1.5)
  }
}
