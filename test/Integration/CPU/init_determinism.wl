// Initialisation: deterministic in the seed, dense weights ~ normal(0, 1/sqrt(IN)),
// zero biases (Inputs/init_determinism.py).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/init_determinism.py %t.so | FileCheck %s
// CHECK: OK same_seed_identical
// CHECK: OK other_seed_differs
// CHECK: OK mean_fc1.weight
// CHECK: OK std_fc1.weight
// CHECK: OK normal_fc1.weight
// CHECK: OK zeros_fc1.bias
// CHECK: OK std_fc2.weight
// CHECK: OK std_head.weight
// CHECK: OK zeros_head.bias
// CHECK: OK layers_independent
// CHECK: OK get_weight_fc1
// CHECK: OK get_weight_head

model InitNet {
  input  x: f32[256]
  label  y: i32

  linear fc1: 256 -> 128 { weight = dense; bias = zeros }
  linear fc2: 128 -> 128 { weight = dense; bias = none }
  linear head: 128 -> 10 { weight = dense; bias = zeros }

  forward {
    h = relu(fc1(x))
    h = relu(fc2(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
