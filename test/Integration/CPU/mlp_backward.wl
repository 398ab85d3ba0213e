// Gradients (wl_backward with a random dy) of every parameter and of x for the MLP of
// mlp_forward.wl, against exact float64 reference VJPs and central finite differences.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/mlp_backward.py %t.so | FileCheck %s
// CHECK: OK param_names_shapes
// CHECK: OK reference_vjp_vs_fd64
// CHECK: OK grad_fc1.weight
// CHECK: OK grad_fc1.bias
// CHECK: OK grad_fc2.weight
// CHECK: OK grad_fc3.weight
// CHECK: OK grad_fc3.bias
// CHECK: OK grad_fc4.weight
// CHECK: OK grad_fc5.bias
// CHECK: OK grad_head.weight
// CHECK: OK grad_head.bias
// CHECK: OK grad_dx
// CHECK: OK lib_vs_fd64
// CHECK: OK backward_accumulates
// CHECK: OK backward_null_dx
// CHECK: OK zero_grad

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
