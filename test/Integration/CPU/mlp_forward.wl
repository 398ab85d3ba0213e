// Forward pass of an MLP using every activation, groupsort, a residual block and a
// scalar product, against the float64 numpy reference (Inputs/mlp_forward.py).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/mlp_forward.py %t.so | FileCheck %s
// CHECK: OK param_names_shapes
// CHECK: OK forward_default_init_b1
// CHECK: OK forward_default_init_b64
// CHECK: OK forward_random_b1
// CHECK: OK forward_random_b7
// CHECK: OK forward_random_b257
// CHECK: OK forward_rows_independent
// CHECK: OK forward_large_inputs
// CHECK: OK forward_keeps_params

model ForwardMix {
  input  x: f32[12]
  label  y: i32

  linear fc1: 12 -> 16 { weight = dense; bias = zeros }
  linear fc2: 16 -> 24 { weight = dense; bias = none }
  linear fc3: 24 -> 16 { weight = dense; bias = zeros }
  linear fc4: 16 -> 8 { weight = dense; bias = zeros }
  linear fc5: 16 -> 8 { weight = dense; bias = zeros }
  linear head: 8 -> 5 { weight = dense; bias = zeros }

  forward {
    h = groupsort(gelu(fc1(x)), 4)
    h = h + fc3(relu(fc2(h)))
    h = 0.5 * h
    a = tanh(fc4(h))
    b = sigmoid(fc5(h))
    h = gelu_tanh(a) + abs(identity(b) + a)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
