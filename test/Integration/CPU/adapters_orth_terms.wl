// Orthogonal terms (cayley, exp, polar) in sums with a frozen base or a
// lowrank term: Inputs/adapters.py's checks (model OrthTerms) -- names and
// shapes, effective weights against float64 formulas, forward, gradients
// against torch float64 and finite differences, training, sound bounds.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/adapters.py %t.so | FileCheck %s
// CHECK: OK param_names_shapes
// CHECK: OK params_trainable
// CHECK: OK layers
// CHECK: OK sizes
// CHECK: OK init_base_ca
// CHECK: OK init_base_pl
// CHECK: OK init_scale_head
// CHECK: OK create_weight_ca
// CHECK: OK create_bound_ca
// CHECK: OK create_weight_cl
// CHECK: OK create_bound_cl
// CHECK: OK create_weight_el
// CHECK: OK create_bound_el
// CHECK: OK create_weight_pl
// CHECK: OK create_bound_pl
// CHECK: OK create_weight_head
// CHECK: OK create_bound_head
// CHECK: OK set_param_roundtrip
// CHECK: OK weight_ca
// CHECK: OK bound_ca
// CHECK: OK weight_cl
// CHECK: OK bound_cl
// CHECK: OK weight_el
// CHECK: OK bound_el
// CHECK: OK weight_pl
// CHECK: OK bound_pl
// CHECK: OK weight_head
// CHECK: OK bound_head
// CHECK: OK forward
// CHECK: OK lipschitz
// CHECK: OK export_status
// CHECK: OK export_names_shapes
// CHECK: OK export_weights
// CHECK: OK export_forward
// CHECK: OK export_errors
// CHECK: OK loss_value
// CHECK: OK grad_ca.weight.S
// CHECK: OK grad_ca.bias
// CHECK: OK grad_cl.weight.S
// CHECK: OK grad_cl.weight.U
// CHECK: OK grad_cl.weight.V
// CHECK: OK grad_cl.bias
// CHECK: OK grad_el.weight.S
// CHECK: OK grad_el.weight.U
// CHECK: OK grad_el.weight.V
// CHECK: OK grad_el.bias
// CHECK: OK grad_pl.weight
// CHECK: OK grad_pl.bias
// CHECK: OK grad_head.weight
// CHECK: OK grad_head.bias
// CHECK: OK grad_input
// CHECK: OK frozen_no_grad_ca.weight.base
// CHECK: OK frozen_no_grad_pl.weight.base
// CHECK: OK fd_ca.bias
// CHECK: OK fd_ca.weight.S
// CHECK: OK fd_cl.bias
// CHECK: OK fd_cl.weight.S
// CHECK: OK fd_cl.weight.U
// CHECK: OK fd_cl.weight.V
// CHECK: OK fd_el.bias
// CHECK: OK fd_el.weight.S
// CHECK: OK fd_el.weight.U
// CHECK: OK fd_el.weight.V
// CHECK: OK fd_head.bias
// CHECK: OK fd_head.weight
// CHECK: OK fd_pl.bias
// CHECK: OK fd_pl.weight
// CHECK: OK loss_backward
// CHECK: OK loss_decreases
// CHECK: OK frozen_unchanged_ca.weight.base
// CHECK: OK frozen_unchanged_pl.weight.base
// CHECK: OK trained_all_moved
// CHECK: OK trained_weight_ca
// CHECK: OK trained_bound_ca
// CHECK: OK trained_weight_cl
// CHECK: OK trained_bound_cl
// CHECK: OK trained_weight_el
// CHECK: OK trained_bound_el
// CHECK: OK trained_weight_pl
// CHECK: OK trained_bound_pl
// CHECK: OK trained_weight_head
// CHECK: OK trained_bound_head
// CHECK: worst weight

model OrthTerms {
  input  x: f32[8]
  label  y: i32

  linear ca: 8 -> 8 { weight = frozen(init = normal(std = 0.3)) + orthogonal(method = cayley) }
  linear cl: 8 -> 6 { weight = orthogonal(method = cayley) + lowrank(rank = 2) }
  linear el: 6 -> 8 { weight = orthogonal(method = exp) + lowrank(rank = 2) }
  linear pl: 8 -> 8 { weight = frozen(init = uniform(0.2)) + orthogonal(method = polar) }
  linear head: 8 -> 4

  forward {
    h = tanh(ca(x))
    h = tanh(cl(h))
    h = tanh(el(h))
    h = tanh(pl(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}
