// Square Cayley weights, whose gradient the backward takes through the layer's
// dy and x (wl.cayley_linear_grad: dX = uᵀv with u = ½(dy + dy Q), v = ½(x + x Qᵀ),
// when the batch B < 2n) instead of forming dyᵀx: Inputs/structures.py's checks
// (model CayleySquare; batch 12) on cs1 (n = 8: that form), cs2 (n = 6: B = 2n, so
// dyᵀx and cayley_grad's products), cs3 applied twice (one cayley_linear_grad per
// application, accumulated) and a rectangular one (cr: the corner's gradient,
// cayley_grad):
// gradients against torch float64 autograd (1e-3) and central differences of
// wl_loss, wl_train_step's loss backward, generators with |S - S^T|_2 of 20..50.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/structures.py %t.so | FileCheck %s
// CHECK: OK param_names_shapes
// CHECK: OK params_trainable
// CHECK: OK layers
// CHECK: OK sizes
// CHECK: OK create_orth_cs1
// CHECK: OK create_weight_cs1
// CHECK: OK create_bound_cs1
// CHECK: OK create_orth_cr
// CHECK: OK create_weight_cr
// CHECK: OK create_bound_cr
// CHECK: OK create_orth_cs2
// CHECK: OK create_weight_cs2
// CHECK: OK create_bound_cs2
// CHECK: OK create_orth_cs3
// CHECK: OK create_weight_cs3
// CHECK: OK create_bound_cs3
// CHECK: OK create_weight_head
// CHECK: OK create_bound_head
// CHECK: OK set_param_roundtrip
// CHECK: OK weight_cs1
// CHECK: OK bound_cs1
// CHECK: OK weight_cr
// CHECK: OK bound_cr
// CHECK: OK weight_cs2
// CHECK: OK bound_cs2
// CHECK: OK weight_cs3
// CHECK: OK bound_cs3
// CHECK: OK weight_head
// CHECK: OK bound_head
// CHECK: OK forward
// CHECK: OK lipschitz
// CHECK: OK loss_value
// CHECK: OK grad_cs1.weight.S
// CHECK: OK grad_cs1.bias
// CHECK: OK grad_cr.weight.S
// CHECK: OK grad_cs2.weight.S
// CHECK: OK grad_cs2.bias
// CHECK: OK grad_cs3.weight.S
// CHECK: OK grad_head.weight
// CHECK: OK grad_head.bias
// CHECK: OK fd_cr.weight.S
// CHECK: OK fd_cs1.bias
// CHECK: OK fd_cs1.weight.S
// CHECK: OK fd_cs2.bias
// CHECK: OK fd_cs2.weight.S
// CHECK: OK fd_cs3.weight.S
// CHECK: OK fd_head.bias
// CHECK: OK fd_head.weight
// CHECK: OK loss_backward
// CHECK: OK shared_sum_cs3.weight.S
// CHECK: OK shared_not_single_cs3.weight.S
// CHECK: OK large_weight_cs1
// CHECK: OK large_orth_cs1
// CHECK: OK large_grad_cs1.weight.S
// CHECK: OK large_weight_cr
// CHECK: OK large_orth_cr
// CHECK: OK large_grad_cr.weight.S
// CHECK: OK large_weight_cs2
// CHECK: OK large_orth_cs2
// CHECK: OK large_grad_cs2.weight.S
// CHECK: OK large_weight_cs3
// CHECK: OK large_orth_cs3
// CHECK: OK large_grad_cs3.weight.S
// RUN: wlc %s --emit=grad | FileCheck %s --check-prefix=GRAD
// GRAD-LABEL: func.func @loss_backward(
// GRAD: wl.cayley_linear_grad {{.*}} : tensor<6x6xf32>, tensor<?x6xf32>
// GRAD-NEXT: wl.grad_accumulate @cs3.weight.S
// GRAD: wl.cayley_linear_grad {{.*}} : tensor<6x6xf32>, tensor<?x6xf32>
// GRAD-NEXT: wl.grad_accumulate @cs3.weight.S
// GRAD: wl.cayley_linear_grad {{.*}} : tensor<6x6xf32>, tensor<?x6xf32>
// GRAD-NEXT: wl.grad_accumulate @cs2.weight.S
// GRAD: wl.cayley_grad {{.*}} : tensor<8x8xf32>
// GRAD-NEXT: wl.grad_accumulate @cr.weight.S
// GRAD: wl.cayley_linear_grad {{.*}} : tensor<8x8xf32>, tensor<?x8xf32>
// GRAD-NEXT: wl.grad_accumulate @cs1.weight.S

model CayleySquare {
  input  x: f32[8]
  label  y: i32

  linear cs1: 8 -> 8  { weight = orthogonal(method = cayley); bias = normal(std = 0.1) }
  linear cr:  8 -> 6  { weight = orthogonal(method = cayley); bias = none }
  linear cs2: 6 -> 6  { weight = orthogonal(method = cayley); bias = normal(std = 0.1) }
  linear cs3: 6 -> 6  { weight = orthogonal(method = cayley); bias = none }
  linear head: 6 -> 3 { weight = dense }

  forward {
    h = tanh(cs1(x))
    h = tanh(cr(h))
    h = tanh(cs2(h))
    h = tanh(cs3(h))
    h = tanh(cs3(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1) }
}
