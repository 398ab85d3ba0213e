// Frozen bases (normal, uniform, orthogonal, zeros) with adapters: lora (OUT > IN), bone
// shared (OUT < IN), bone bat (OUT > IN), lora + bone shared (applied twice: weight
// sharing), lora + bone bat; sums of trainable terms: dense + lowrank, diagonal + lowrank,
// householder + lowrank (OUT < IN), frozen + svd, frozen + blockdiag.
// Inputs/adapters.py checks (see CPU/adapters.wl and the script's docstring), plus: the
// frozen bases are not trainable, have no gradient (wl_get_grad: WL_ERR_ARG) and stay bit
// for bit unchanged by training; lora_B and bone_B start at zero with the effective weight
// == the base bit for bit; lora_A ~ U(-1/sqrt(IN), 1/sqrt(IN)); the frozen inits' statistics;
// svd factors stay orthonormal as a term of a sum.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/adapters.py %t.so | FileCheck %s
// CHECK: OK param_names_shapes
// CHECK: OK params_trainable
// CHECK: OK layers
// CHECK: OK sizes
// CHECK: OK init_lora_A_fl
// CHECK: OK init_base_fl
// CHECK: OK init_base_bs
// CHECK: OK init_base_bb
// CHECK: OK init_lora_A_flb
// CHECK: OK init_base_flb
// CHECK: OK init_lora_A_fbb
// CHECK: OK init_base_fbb
// CHECK: OK init_base_fs
// CHECK: OK init_base_head
// CHECK: OK create_weight_fl
// CHECK: OK create_zero_fl
// CHECK: OK create_bound_fl
// CHECK: OK create_weight_bs
// CHECK: OK create_zero_bs
// CHECK: OK create_bound_bs
// CHECK: OK create_weight_bb
// CHECK: OK create_zero_bb
// CHECK: OK create_bound_bb
// CHECK: OK create_weight_flb
// CHECK: OK create_zero_flb
// CHECK: OK create_bound_flb
// CHECK: OK create_weight_fbb
// CHECK: OK create_zero_fbb
// CHECK: OK create_bound_fbb
// CHECK: OK create_weight_dl
// CHECK: OK create_bound_dl
// CHECK: OK create_weight_dg
// CHECK: OK create_bound_dg
// CHECK: OK create_weight_oh
// CHECK: OK create_bound_oh
// CHECK: OK create_weight_fs
// CHECK: OK create_svd_uv_fs
// CHECK: OK create_bound_fs
// CHECK: OK create_weight_head
// CHECK: OK create_bound_head
// CHECK: OK set_param_roundtrip
// CHECK: OK weight_fl
// CHECK: OK bound_fl
// CHECK: OK weight_bs
// CHECK: OK bound_bs
// CHECK: OK weight_bb
// CHECK: OK bound_bb
// CHECK: OK weight_flb
// CHECK: OK bound_flb
// CHECK: OK weight_fbb
// CHECK: OK bound_fbb
// CHECK: OK weight_dl
// CHECK: OK bound_dl
// CHECK: OK weight_dg
// CHECK: OK bound_dg
// CHECK: OK weight_oh
// CHECK: OK bound_oh
// CHECK: OK weight_fs
// CHECK: OK bound_fs
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
// CHECK: OK grad_fl.weight.lora_A
// CHECK: OK grad_fl.weight.lora_B
// CHECK: OK grad_fl.bias
// CHECK: OK grad_bs.weight.bone_B
// CHECK: OK grad_bs.bias
// CHECK: OK grad_bb.weight.bone_B
// CHECK: OK grad_bb.bias
// CHECK: OK grad_flb.weight.lora_A
// CHECK: OK grad_flb.weight.lora_B
// CHECK: OK grad_flb.weight.bone_B
// CHECK: OK grad_flb.bias
// CHECK: OK grad_fbb.weight.lora_A
// CHECK: OK grad_fbb.weight.lora_B
// CHECK: OK grad_fbb.weight.bone_B
// CHECK: OK grad_dl.weight
// CHECK: OK grad_dl.weight.U
// CHECK: OK grad_dl.weight.V
// CHECK: OK grad_dl.bias
// CHECK: OK grad_dg.weight.d
// CHECK: OK grad_dg.weight.U
// CHECK: OK grad_dg.weight.V
// CHECK: OK grad_dg.bias
// CHECK: OK grad_oh.weight.v
// CHECK: OK grad_oh.weight.U
// CHECK: OK grad_oh.weight.V
// CHECK: OK grad_oh.bias
// CHECK: OK grad_fs.weight.U
// CHECK: OK grad_fs.weight.s
// CHECK: OK grad_fs.weight.V
// CHECK: OK grad_fs.bias
// CHECK: OK grad_head.weight.blocks
// CHECK: OK grad_head.bias
// CHECK: OK grad_input
// CHECK: OK frozen_no_grad_fl.weight.base
// CHECK: OK frozen_no_grad_bs.weight.base
// CHECK: OK frozen_no_grad_bb.weight.base
// CHECK: OK frozen_no_grad_flb.weight.base
// CHECK: OK frozen_no_grad_fbb.weight.base
// CHECK: OK frozen_no_grad_fs.weight.base
// CHECK: OK frozen_no_grad_head.weight.base
// CHECK: OK fd_bb.bias
// CHECK: OK fd_bb.weight.bone_B
// CHECK: OK fd_bs.bias
// CHECK: OK fd_bs.weight.bone_B
// CHECK: OK fd_dg.bias
// CHECK: OK fd_dg.weight.U
// CHECK: OK fd_dg.weight.V
// CHECK: OK fd_dg.weight.d
// CHECK: OK fd_dl.bias
// CHECK: OK fd_dl.weight
// CHECK: OK fd_dl.weight.U
// CHECK: OK fd_dl.weight.V
// CHECK: OK fd_fbb.weight.bone_B
// CHECK: OK fd_fbb.weight.lora_A
// CHECK: OK fd_fbb.weight.lora_B
// CHECK: OK fd_fl.bias
// CHECK: OK fd_fl.weight.lora_A
// CHECK: OK fd_fl.weight.lora_B
// CHECK: OK fd_flb.bias
// CHECK: OK fd_flb.weight.bone_B
// CHECK: OK fd_flb.weight.lora_A
// CHECK: OK fd_flb.weight.lora_B
// CHECK: OK fd_fs.bias
// CHECK: OK fd_fs.weight.U
// CHECK: OK fd_fs.weight.V
// CHECK: OK fd_fs.weight.s
// CHECK: OK fd_head.bias
// CHECK: OK fd_head.weight.blocks
// CHECK: OK fd_oh.bias
// CHECK: OK fd_oh.weight.U
// CHECK: OK fd_oh.weight.V
// CHECK: OK fd_oh.weight.v
// CHECK: OK loss_backward
// CHECK: OK shared_sum_flb.weight.lora_A
// CHECK: OK shared_not_single_flb.weight.lora_A
// CHECK: OK shared_sum_flb.weight.lora_B
// CHECK: OK shared_not_single_flb.weight.lora_B
// CHECK: OK shared_sum_flb.weight.bone_B
// CHECK: OK shared_not_single_flb.weight.bone_B
// CHECK: OK loss_decreases
// CHECK: OK frozen_unchanged_fl.weight.base
// CHECK: OK frozen_unchanged_bs.weight.base
// CHECK: OK frozen_unchanged_bb.weight.base
// CHECK: OK frozen_unchanged_flb.weight.base
// CHECK: OK frozen_unchanged_fbb.weight.base
// CHECK: OK frozen_unchanged_fs.weight.base
// CHECK: OK frozen_unchanged_head.weight.base
// CHECK: OK trained_all_moved
// CHECK: OK trained_weight_fl
// CHECK: OK trained_bound_fl
// CHECK: OK trained_weight_bs
// CHECK: OK trained_bound_bs
// CHECK: OK trained_weight_bb
// CHECK: OK trained_bound_bb
// CHECK: OK trained_weight_flb
// CHECK: OK trained_bound_flb
// CHECK: OK trained_weight_fbb
// CHECK: OK trained_bound_fbb
// CHECK: OK trained_weight_dl
// CHECK: OK trained_bound_dl
// CHECK: OK trained_weight_dg
// CHECK: OK trained_bound_dg
// CHECK: OK trained_weight_oh
// CHECK: OK trained_bound_oh
// CHECK: OK trained_weight_fs
// CHECK: OK trained_bound_fs
// CHECK: OK trained_svd_uv_fs
// CHECK: OK trained_weight_head
// CHECK: OK trained_bound_head
// CHECK: worst weight

model AdapterSums {
  input  x: f32[6]
  label  y: i32

  linear fl: 6 -> 8  { weight = frozen(init = normal(std = 0.4)) + lora(rank = 2, alpha = 4) }
  linear bs: 8 -> 6  { weight = frozen(init = uniform(0.5)) + bone(block = 2) }
  linear bb: 6 -> 8  { weight = frozen(init = orthogonal) + bone(block = 2, mode = bat) }
  linear flb: 8 -> 8 {
    weight = frozen(init = normal(std = 0.3)) + lora(rank = 3, alpha = 6) + bone(block = 4)
  }
  linear fbb: 8 -> 8 {
    weight = frozen(init = normal(std = 0.3)) + lora(rank = 2, alpha = 2)
           + bone(block = 2, mode = bat)
    bias = none
  }
  linear dl: 8 -> 8  { weight = dense + lowrank(rank = 2) }
  linear dg: 8 -> 8  { weight = diagonal + lowrank(rank = 1) }
  linear oh: 8 -> 6  { weight = orthogonal(method = householder, reflectors = 3) + lowrank(rank = 2) }
  linear fs: 6 -> 6  { weight = frozen(init = zeros) + svd(rank = 2) }
  linear head: 6 -> 4 { weight = frozen(init = uniform(0.3)) + blockdiag(blocks = 2) }

  forward {
    h = tanh(fl(x))
    h = tanh(bs(h))
    h = tanh(bb(h))
    h = tanh(flb(h))
    h = tanh(flb(h))
    h = tanh(fbb(h))
    h = tanh(dl(h))
    h = tanh(dg(h))
    h = tanh(oh(h))
    h = tanh(fs(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}
