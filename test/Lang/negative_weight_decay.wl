// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}negative_weight_decay.wl:12:45: error: argument 'weight_decay' of 'adamw' must be >= 0, got -0.01
// CHECK-NEXT: {{^[ \t]*}}default: adamw(lr = 0.1, weight_decay = -0.01)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: adamw(lr = 0.1, weight_decay = -0.01)
  }
}
