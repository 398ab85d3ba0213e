// Factorised structures: lowrank (OUT < IN, OUT > IN), kronecker (terms 1 and 2,
// non-square factors, OUT < IN, OUT > IN, square), monarch (b < c and b > c), blockdiag
// (OUT > IN, OUT < IN), with and without biases, tanh between layers, cross_entropy, and
// one monarch layer (`mo1`) applied twice. Frozen bases with adapters and sums of terms:
// CPU/adapters_sums.wl; re-splitting initialisers: CPU/adapters_resplit.wl.
// Inputs/adapters.py checks, against float64 numpy / torch references written from
// LANGUAGE.md / ALGORITHMS.md independently of the compiler (Inputs/adapters_ref.py):
// parameter names, shapes and trainable flags; the init scales over 16 seeds; at
// creation and on random factors, wl_get_weight == the formula of the stored factors
// (1e-5) and sound layer bounds; the forward (1e-4); every gradient and dx against torch
// float64 autograd (1e-3) and central differences of wl_loss; the shared layer's gradient
// == the sum of both applications'; wl_export_dense's file (read back in Python) is a dense
// stack with the same forward; training lowers the loss and keeps the weights equal to the
// formula of the trained factors.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/adapters.py %t.so | FileCheck %s
// CHECK: OK param_names_shapes
// CHECK: OK params_trainable
// CHECK: OK layers
// CHECK: OK sizes
// CHECK: OK init_scale_lr1
// CHECK: OK init_scale_lr2
// CHECK: OK init_scale_kr1
// CHECK: OK init_scale_kr2
// CHECK: OK init_scale_kr3
// CHECK: OK init_scale_mo1
// CHECK: OK init_scale_mo2
// CHECK: OK init_scale_bd1
// CHECK: OK init_scale_bd2
// CHECK: OK init_scale_head
// CHECK: OK create_weight_lr1
// CHECK: OK create_bound_lr1
// CHECK: OK create_weight_lr2
// CHECK: OK create_bound_lr2
// CHECK: OK create_weight_kr1
// CHECK: OK create_bound_kr1
// CHECK: OK create_weight_kr2
// CHECK: OK create_bound_kr2
// CHECK: OK create_weight_kr3
// CHECK: OK create_bound_kr3
// CHECK: OK create_weight_mo1
// CHECK: OK create_bound_mo1
// CHECK: OK create_weight_mo2
// CHECK: OK create_bound_mo2
// CHECK: OK create_weight_bd1
// CHECK: OK create_bound_bd1
// CHECK: OK create_weight_bd2
// CHECK: OK create_bound_bd2
// CHECK: OK create_weight_head
// CHECK: OK create_bound_head
// CHECK: OK set_param_roundtrip
// CHECK: OK weight_lr1
// CHECK: OK bound_lr1
// CHECK: OK weight_lr2
// CHECK: OK bound_lr2
// CHECK: OK weight_kr1
// CHECK: OK bound_kr1
// CHECK: OK weight_kr2
// CHECK: OK bound_kr2
// CHECK: OK weight_kr3
// CHECK: OK bound_kr3
// CHECK: OK weight_mo1
// CHECK: OK bound_mo1
// CHECK: OK weight_mo2
// CHECK: OK bound_mo2
// CHECK: OK weight_bd1
// CHECK: OK bound_bd1
// CHECK: OK weight_bd2
// CHECK: OK bound_bd2
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
// CHECK: OK grad_lr1.weight.U
// CHECK: OK grad_lr1.weight.V
// CHECK: OK grad_lr1.bias
// CHECK: OK grad_lr2.weight.U
// CHECK: OK grad_lr2.weight.V
// CHECK: OK grad_kr1.weight.A
// CHECK: OK grad_kr1.weight.B
// CHECK: OK grad_kr1.bias
// CHECK: OK grad_kr2.weight.A
// CHECK: OK grad_kr2.weight.B
// CHECK: OK grad_kr2.bias
// CHECK: OK grad_kr3.weight.A
// CHECK: OK grad_kr3.weight.B
// CHECK: OK grad_mo1.weight.R
// CHECK: OK grad_mo1.weight.L
// CHECK: OK grad_mo1.bias
// CHECK: OK grad_mo2.weight.R
// CHECK: OK grad_mo2.weight.L
// CHECK: OK grad_bd1.weight.blocks
// CHECK: OK grad_bd1.bias
// CHECK: OK grad_bd2.weight.blocks
// CHECK: OK grad_bd2.bias
// CHECK: OK grad_head.weight
// CHECK: OK grad_head.bias
// CHECK: OK grad_input
// CHECK: OK fd_bd1.bias
// CHECK: OK fd_bd1.weight.blocks
// CHECK: OK fd_bd2.bias
// CHECK: OK fd_bd2.weight.blocks
// CHECK: OK fd_head.bias
// CHECK: OK fd_head.weight
// CHECK: OK fd_kr1.bias
// CHECK: OK fd_kr1.weight.A
// CHECK: OK fd_kr1.weight.B
// CHECK: OK fd_kr2.bias
// CHECK: OK fd_kr2.weight.A
// CHECK: OK fd_kr2.weight.B
// CHECK: OK fd_kr3.weight.A
// CHECK: OK fd_kr3.weight.B
// CHECK: OK fd_lr1.bias
// CHECK: OK fd_lr1.weight.U
// CHECK: OK fd_lr1.weight.V
// CHECK: OK fd_lr2.weight.U
// CHECK: OK fd_lr2.weight.V
// CHECK: OK fd_mo1.bias
// CHECK: OK fd_mo1.weight.L
// CHECK: OK fd_mo1.weight.R
// CHECK: OK fd_mo2.weight.L
// CHECK: OK fd_mo2.weight.R
// CHECK: OK loss_backward
// CHECK: OK shared_sum_mo1.weight.R
// CHECK: OK shared_not_single_mo1.weight.R
// CHECK: OK shared_sum_mo1.weight.L
// CHECK: OK shared_not_single_mo1.weight.L
// CHECK: OK loss_decreases
// CHECK: OK trained_all_moved
// CHECK: OK trained_weight_lr1
// CHECK: OK trained_bound_lr1
// CHECK: OK trained_weight_lr2
// CHECK: OK trained_bound_lr2
// CHECK: OK trained_weight_kr1
// CHECK: OK trained_bound_kr1
// CHECK: OK trained_weight_kr2
// CHECK: OK trained_bound_kr2
// CHECK: OK trained_weight_kr3
// CHECK: OK trained_bound_kr3
// CHECK: OK trained_weight_mo1
// CHECK: OK trained_bound_mo1
// CHECK: OK trained_weight_mo2
// CHECK: OK trained_bound_mo2
// CHECK: OK trained_weight_bd1
// CHECK: OK trained_bound_bd1
// CHECK: OK trained_weight_bd2
// CHECK: OK trained_bound_bd2
// CHECK: OK trained_weight_head
// CHECK: OK trained_bound_head
// CHECK: worst weight

model Adapters {
  input  x: f32[12]
  label  y: i32

  linear lr1: 12 -> 8 { weight = lowrank(rank = 3) }
  linear lr2: 8 -> 10 { weight = lowrank(rank = 2); bias = none }
  linear kr1: 10 -> 6 { weight = kronecker(a = [3, 5], b = [2, 2], terms = 2) }
  linear kr2: 6 -> 8  { weight = kronecker(a = [2, 3], b = [4, 2]) }
  linear kr3: 8 -> 8  { weight = kronecker(a = [4, 2], b = [2, 4], terms = 2); bias = none }
  linear mo1: 8 -> 8  { weight = monarch(blocks = 2) }
  linear mo2: 6 -> 6  { weight = monarch(blocks = 3); bias = none }
  linear bd1: 8 -> 12 { weight = blockdiag(blocks = 4) }
  linear bd2: 12 -> 6 { weight = blockdiag(blocks = 3) }
  linear head: 6 -> 4

  forward {
    h = tanh(lr1(x))
    h = tanh(lr2(h))
    h = tanh(kr1(h))
    h = tanh(kr2(h))
    h = tanh(kr3(h))
    h = tanh(mo1(h))
    h = tanh(mo1(h))
    h = tanh(bd1(h))
    h = tanh(bd2(h))
    h = tanh(mo2(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}
