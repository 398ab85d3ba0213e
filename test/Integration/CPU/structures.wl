// Structured weights: orthogonal (cayley, exp, householder, polar), svd and diagonal,
// square and rectangular (cayley/exp/polar/svd with OUT > IN and OUT < IN; householder
// wide and square here, tall in CPU/structures_householder_tall.wl), with and without
// biases, tanh between layers, cross_entropy, and one exp layer (`sh`) applied twice.
// Inputs/structures.py checks, against float64 numpy / torch references computed
// independently of the compiler (Cayley by np.linalg.solve, exp by the eigendecomposition
// of iX, Householder as an explicit product):
//   parameter names and shapes (LANGUAGE.md's table) and layer sizes; at creation,
//   orthogonality (1e-5), orthonormal svd factors, the clamps |s| <= c and |d| <= c,
//   wl_get_weight == the formula of the stored factors (1e-5), sound and tight layer
//   bounds; on random factors (not orthonormal, beyond the clamps, |S - S^T|_2 up to 5)
//   wl_get_weight (1e-5), sound layer bounds and Lipschitz bound, the forward (1e-4);
//   every gradient against torch float64 autograd (1e-3) and central differences of
//   wl_loss along the gradient and random directions; wl_train_step's loss backward;
//   the shared layer's gradient == the sum of both applications'; generators S with
//   |S - S^T|_2 of 20..50 (weights, orthogonality, gradients).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/structures.py %t.so | FileCheck %s
// CHECK: OK param_names_shapes
// CHECK: OK params_trainable
// CHECK: OK layers
// CHECK: OK sizes
// CHECK: OK create_orth_ca1
// CHECK: OK create_weight_ca1
// CHECK: OK create_bound_ca1
// CHECK: OK create_orth_ca2
// CHECK: OK create_weight_ca2
// CHECK: OK create_bound_ca2
// CHECK: OK create_orth_ex1
// CHECK: OK create_weight_ex1
// CHECK: OK create_bound_ex1
// CHECK: OK create_orth_ex2
// CHECK: OK create_weight_ex2
// CHECK: OK create_bound_ex2
// CHECK: OK create_orth_hh1
// CHECK: OK create_weight_hh1
// CHECK: OK create_bound_hh1
// CHECK: OK create_orth_po1
// CHECK: OK create_weight_po1
// CHECK: OK create_bound_po1
// CHECK: OK create_orth_po2
// CHECK: OK create_weight_po2
// CHECK: OK create_bound_po2
// CHECK: OK create_orth_hh2
// CHECK: OK create_weight_hh2
// CHECK: OK create_bound_hh2
// CHECK: OK create_svd_UV_sv1
// CHECK: OK create_clamp_sv1
// CHECK: OK create_weight_sv1
// CHECK: OK create_bound_sv1
// CHECK: OK create_svd_UV_sv2
// CHECK: OK create_weight_sv2
// CHECK: OK create_bound_sv2
// CHECK: OK create_clamp_dg
// CHECK: OK create_weight_dg
// CHECK: OK create_bound_dg
// CHECK: OK create_orth_sh
// CHECK: OK create_weight_sh
// CHECK: OK create_bound_sh
// CHECK: OK create_weight_head
// CHECK: OK create_bound_head
// CHECK: OK set_param_roundtrip
// CHECK: OK weight_ca1
// CHECK: OK bound_ca1
// CHECK: OK weight_ca2
// CHECK: OK bound_ca2
// CHECK: OK weight_ex1
// CHECK: OK bound_ex1
// CHECK: OK weight_ex2
// CHECK: OK bound_ex2
// CHECK: OK weight_hh1
// CHECK: OK bound_hh1
// CHECK: OK weight_po1
// CHECK: OK bound_po1
// CHECK: OK weight_po2
// CHECK: OK bound_po2
// CHECK: OK weight_hh2
// CHECK: OK bound_hh2
// CHECK: OK weight_sv1
// CHECK: OK bound_sv1
// CHECK: OK weight_sv2
// CHECK: OK bound_sv2
// CHECK: OK weight_dg
// CHECK: OK bound_dg
// CHECK: OK weight_sh
// CHECK: OK bound_sh
// CHECK: OK weight_head
// CHECK: OK bound_head
// CHECK: OK forward
// CHECK: OK lipschitz
// CHECK: OK loss_value
// CHECK: OK grad_ca1.weight.S
// CHECK: OK grad_ca1.bias
// CHECK: OK grad_ca2.weight.S
// CHECK: OK grad_ca2.bias
// CHECK: OK grad_ex1.weight.S
// CHECK: OK grad_ex1.bias
// CHECK: OK grad_ex2.weight.S
// CHECK: OK grad_hh1.weight.v
// CHECK: OK grad_hh1.bias
// CHECK: OK grad_po1.weight
// CHECK: OK grad_po1.bias
// CHECK: OK grad_po2.weight
// CHECK: OK grad_po2.bias
// CHECK: OK grad_hh2.weight.v
// CHECK: OK grad_hh2.bias
// CHECK: OK grad_sv1.weight.U
// CHECK: OK grad_sv1.weight.s
// CHECK: OK grad_sv1.weight.V
// CHECK: OK grad_sv1.bias
// CHECK: OK grad_sv2.weight.U
// CHECK: OK grad_sv2.weight.s
// CHECK: OK grad_sv2.weight.V
// CHECK: OK grad_sv2.bias
// CHECK: OK grad_dg.weight.d
// CHECK: OK grad_dg.bias
// CHECK: OK grad_sh.weight.S
// CHECK: OK grad_sh.bias
// CHECK: OK grad_head.weight
// CHECK: OK grad_head.bias
// CHECK: OK fd_ca1.bias
// CHECK: OK fd_ca1.weight.S
// CHECK: OK fd_ca2.bias
// CHECK: OK fd_ca2.weight.S
// CHECK: OK fd_dg.bias
// CHECK: OK fd_dg.weight.d
// CHECK: OK fd_ex1.bias
// CHECK: OK fd_ex1.weight.S
// CHECK: OK fd_ex2.weight.S
// CHECK: OK fd_head.bias
// CHECK: OK fd_head.weight
// CHECK: OK fd_hh1.bias
// CHECK: OK fd_hh1.weight.v
// CHECK: OK fd_hh2.bias
// CHECK: OK fd_hh2.weight.v
// CHECK: OK fd_po1.bias
// CHECK: OK fd_po1.weight
// CHECK: OK fd_po2.bias
// CHECK: OK fd_po2.weight
// CHECK: OK fd_sh.bias
// CHECK: OK fd_sh.weight.S
// CHECK: OK fd_sv1.bias
// CHECK: OK fd_sv1.weight.U
// CHECK: OK fd_sv1.weight.V
// CHECK: OK fd_sv1.weight.s
// CHECK: OK fd_sv2.bias
// CHECK: OK fd_sv2.weight.U
// CHECK: OK fd_sv2.weight.V
// CHECK: OK fd_sv2.weight.s
// CHECK: OK loss_backward
// CHECK: OK shared_sum_sh.weight.S
// CHECK: OK shared_not_single_sh.weight.S
// CHECK: OK large_weight_ca1
// CHECK: OK large_orth_ca1
// CHECK: OK large_grad_ca1.weight.S
// CHECK: OK large_weight_ca2
// CHECK: OK large_orth_ca2
// CHECK: OK large_grad_ca2.weight.S
// CHECK: OK large_weight_ex1
// CHECK: OK large_orth_ex1
// CHECK: OK large_grad_ex1.weight.S
// CHECK: OK large_weight_ex2
// CHECK: OK large_orth_ex2
// CHECK: OK large_grad_ex2.weight.S
// CHECK: OK large_weight_sh
// CHECK: OK large_orth_sh
// CHECK: OK large_grad_sh.weight.S

model Structures {
  input  x: f32[6]
  label  y: i32

  linear ca1: 6 -> 8  { weight = orthogonal(method = cayley); bias = normal(std = 0.1) }
  linear ca2: 8 -> 5  { weight = orthogonal(method = cayley) }
  linear ex1: 5 -> 7  { weight = orthogonal(method = exp); bias = normal(std = 0.1) }
  linear ex2: 7 -> 6  { weight = orthogonal(method = exp); bias = none }
  linear hh1: 6 -> 6  { weight = orthogonal(method = householder, reflectors = 4) }
  linear po1: 6 -> 10 { weight = orthogonal(method = polar) }
  linear po2: 10 -> 8 { weight = orthogonal(method = polar); bias = normal(std = 0.1) }
  linear hh2: 8 -> 7  { weight = orthogonal(method = householder); bias = normal(std = 0.1) }
  linear sv1: 7 -> 5  { weight = svd(rank = 3) with spectral_bound(0.8) }
  linear sv2: 5 -> 9  { weight = svd(rank = 4); bias = normal(std = 0.1) }
  linear dg:  9 -> 9  { weight = diagonal with spectral_bound(0.9) }
  linear sh:  9 -> 9  { weight = orthogonal(method = exp) with spectral_bound(1.0) }
  linear head: 9 -> 4 { weight = dense }

  forward {
    h = tanh(ca1(x))
    h = tanh(ca2(h))
    h = tanh(ex1(h))
    h = tanh(ex2(h))
    h = tanh(hh1(h))
    h = tanh(po1(h))
    h = tanh(po2(h))
    h = tanh(hh2(h))
    h = tanh(sv1(h))
    h = tanh(sv2(h))
    h = tanh(dg(h))
    h = tanh(sh(h))
    h = tanh(sh(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1) }
}
