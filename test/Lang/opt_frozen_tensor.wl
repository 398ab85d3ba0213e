// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}opt_frozen_tensor.wl:12:5: error: 'fc1.weight.base' is frozen (not trainable); it cannot be in an optimizer group
// CHECK-NEXT: {{^[ \t]*}}fc1.weight.base: sgd(lr = 0.1)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = frozen(init = zeros) + lora(rank = 4) }
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    fc1.weight.base: sgd(lr = 0.1)
    default: adamw(lr = 1e-3)
  }
}
