// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}betas_range.wl:12:45: error: argument 'betas' of 'adamw' must be in [0, 1), got 1.0
// CHECK-NEXT: {{^[ \t]*}}default: adamw(lr = 1e-3, betas = (0.9, 1.0))
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: adamw(lr = 1e-3, betas = (0.9, 1.0))
  }
}
