// Initialisers that re-split a frozen base: lora(init = pissa) (OUT < IN, OUT > IN),
// svfit (OUT < IN, square), kronecker(init = kpsvd) (terms 2 with an F64 base, terms 1), on
// bases from(...) a safetensors file and from normal / uniform inits; frozen + lora with a
// base and a bias from(...) the file. The file is written by the script into %t.d beside
// a copy of this .wl (from(...) resolves relative to the .wl file, not to the current
// directory); compiling the copy in %t.e, where the file is missing, is an error.
// Inputs/adapters_resplit.py checks, against an independent float64 numpy SVD of the
// original base: the effective weight at creation == the original base (1e-6), PiSSA's
// B A == the top-r part with B^T B == A A^T == S_r, SVFit's s == the top-r singular values
// and U diag(s) V^T == the top-r part, KPSVD's sum A(x)B == the best k-term Kronecker
// approximation (Van Loan–Pitsianis), the residual norms == the tails of the spectra; then
// Inputs/adapters.py's generic checks (names, trainable flags, weights, bounds, forward,
// gradients vs torch and finite differences, wl_export_dense, training).
// RUN: rm -rf %t.d %t.e && mkdir -p %t.d %t.e
// RUN: %python %test_inputs/adapters_resplit.py --write-base %t.d/adapters_resplit_base.safetensors
// RUN: cp %s %t.d/adapters_resplit.wl && cp %s %t.e/adapters_resplit.wl
// RUN: cd %t.e && wlc %t.d/adapters_resplit.wl -o %t.so
// RUN: not wlc %t.e/adapters_resplit.wl -o %t.missing.so 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: %python %test_inputs/adapters_resplit.py %t.so %t.d/adapters_resplit_base.safetensors | FileCheck %s
// MISSING: adapters_resplit.wl:{{[0-9]+}}:{{[0-9]+}}: error: {{.*}}adapters_resplit_base.safetensors
// CHECK: OK rng_replica_rf
// CHECK: OK from_head
// CHECK: OK from_head.bias
// CHECK: OK exact_pf
// CHECK: OK pissa_split_pf
// CHECK: OK pissa_factors_pf
// CHECK: OK pissa_residual_pf
// CHECK: OK exact_pn
// CHECK: OK pissa_split_pn
// CHECK: OK pissa_factors_pn
// CHECK: OK pissa_residual_pn
// CHECK: OK exact_sf
// CHECK: OK svfit_s_sf
// CHECK: OK svfit_uv_sf
// CHECK: OK svfit_residual_sf
// CHECK: OK exact_sn
// CHECK: OK svfit_s_sn
// CHECK: OK svfit_uv_sn
// CHECK: OK svfit_residual_sn
// CHECK: OK exact_kf
// CHECK: OK kpsvd_best_kf
// CHECK: OK kpsvd_balanced_kf
// CHECK: OK exact_kn
// CHECK: OK kpsvd_best_kn
// CHECK: OK kpsvd_balanced_kn
// CHECK: worst exactness
// CHECK: OK param_names_shapes
// CHECK: OK params_trainable
// CHECK: OK layers
// CHECK: OK sizes
// CHECK: OK init_lora_A_rf
// CHECK: OK init_base_rf
// CHECK: OK init_lora_A_head
// CHECK: OK create_weight_pf
// CHECK: OK create_bound_pf
// CHECK: OK create_weight_pn
// CHECK: OK create_bound_pn
// CHECK: OK create_weight_sf
// CHECK: OK create_bound_sf
// CHECK: OK create_weight_sn
// CHECK: OK create_bound_sn
// CHECK: OK create_weight_kf
// CHECK: OK create_bound_kf
// CHECK: OK create_weight_kn
// CHECK: OK create_bound_kn
// CHECK: OK create_weight_rf
// CHECK: OK create_zero_rf
// CHECK: OK create_bound_rf
// CHECK: OK create_weight_head
// CHECK: OK create_zero_head
// CHECK: OK create_bound_head
// CHECK: OK set_param_roundtrip
// CHECK: OK weight_pf
// CHECK: OK bound_pf
// CHECK: OK weight_pn
// CHECK: OK bound_pn
// CHECK: OK weight_sf
// CHECK: OK bound_sf
// CHECK: OK weight_sn
// CHECK: OK bound_sn
// CHECK: OK weight_kf
// CHECK: OK bound_kf
// CHECK: OK weight_kn
// CHECK: OK bound_kn
// CHECK: OK weight_rf
// CHECK: OK bound_rf
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
// CHECK: OK grad_pf.weight.lora_A
// CHECK: OK grad_pf.weight.lora_B
// CHECK: OK grad_pf.bias
// CHECK: OK grad_pn.weight.lora_A
// CHECK: OK grad_pn.weight.lora_B
// CHECK: OK grad_sf.weight.s
// CHECK: OK grad_sf.bias
// CHECK: OK grad_sn.weight.s
// CHECK: OK grad_sn.bias
// CHECK: OK grad_kf.weight.A
// CHECK: OK grad_kf.weight.B
// CHECK: OK grad_kf.bias
// CHECK: OK grad_kn.weight.A
// CHECK: OK grad_kn.weight.B
// CHECK: OK grad_kn.bias
// CHECK: OK grad_rf.weight.lora_A
// CHECK: OK grad_rf.weight.lora_B
// CHECK: OK grad_rf.bias
// CHECK: OK grad_head.weight.lora_A
// CHECK: OK grad_head.weight.lora_B
// CHECK: OK grad_head.bias
// CHECK: OK grad_input
// CHECK: OK frozen_no_grad_pf.weight.base
// CHECK: OK frozen_no_grad_pn.weight.base
// CHECK: OK frozen_no_grad_sf.weight.base
// CHECK: OK frozen_no_grad_sf.weight.U
// CHECK: OK frozen_no_grad_sf.weight.V
// CHECK: OK frozen_no_grad_sn.weight.base
// CHECK: OK frozen_no_grad_sn.weight.U
// CHECK: OK frozen_no_grad_sn.weight.V
// CHECK: OK frozen_no_grad_kf.weight.base
// CHECK: OK frozen_no_grad_kn.weight.base
// CHECK: OK frozen_no_grad_rf.weight.base
// CHECK: OK frozen_no_grad_head.weight.base
// CHECK: OK fd_head.bias
// CHECK: OK fd_head.weight.lora_A
// CHECK: OK fd_head.weight.lora_B
// CHECK: OK fd_kf.bias
// CHECK: OK fd_kf.weight.A
// CHECK: OK fd_kf.weight.B
// CHECK: OK fd_kn.bias
// CHECK: OK fd_kn.weight.A
// CHECK: OK fd_kn.weight.B
// CHECK: OK fd_pf.bias
// CHECK: OK fd_pf.weight.lora_A
// CHECK: OK fd_pf.weight.lora_B
// CHECK: OK fd_pn.weight.lora_A
// CHECK: OK fd_pn.weight.lora_B
// CHECK: OK fd_rf.bias
// CHECK: OK fd_rf.weight.lora_A
// CHECK: OK fd_rf.weight.lora_B
// CHECK: OK fd_sf.bias
// CHECK: OK fd_sf.weight.s
// CHECK: OK fd_sn.bias
// CHECK: OK fd_sn.weight.s
// CHECK: OK loss_backward
// CHECK: OK loss_decreases
// CHECK: OK frozen_unchanged_pf.weight.base
// CHECK: OK frozen_unchanged_pn.weight.base
// CHECK: OK frozen_unchanged_sf.weight.base
// CHECK: OK frozen_unchanged_sf.weight.U
// CHECK: OK frozen_unchanged_sf.weight.V
// CHECK: OK frozen_unchanged_sn.weight.base
// CHECK: OK frozen_unchanged_sn.weight.U
// CHECK: OK frozen_unchanged_sn.weight.V
// CHECK: OK frozen_unchanged_kf.weight.base
// CHECK: OK frozen_unchanged_kn.weight.base
// CHECK: OK frozen_unchanged_rf.weight.base
// CHECK: OK frozen_unchanged_head.weight.base
// CHECK: OK trained_all_moved
// CHECK: OK trained_weight_pf
// CHECK: OK trained_bound_pf
// CHECK: OK trained_weight_pn
// CHECK: OK trained_bound_pn
// CHECK: OK trained_weight_sf
// CHECK: OK trained_bound_sf
// CHECK: OK trained_weight_sn
// CHECK: OK trained_bound_sn
// CHECK: OK trained_weight_kf
// CHECK: OK trained_bound_kf
// CHECK: OK trained_weight_kn
// CHECK: OK trained_bound_kn
// CHECK: OK trained_weight_rf
// CHECK: OK trained_bound_rf
// CHECK: OK trained_weight_head
// CHECK: OK trained_bound_head
// CHECK: worst weight

model Resplit {
  input  x: f32[12]
  label  y: i32

  linear pf: 12 -> 8 {
    weight = frozen(init = from("adapters_resplit_base.safetensors", "pf")) + lora(rank = 3, init = pissa)
  }
  linear pn: 8 -> 10 {
    weight = frozen(init = normal(std = 0.4)) + lora(rank = 2, init = pissa)
    bias = none
  }
  linear sf: 10 -> 8 { weight = frozen(init = from("adapters_resplit_base.safetensors", "sf")) + svfit(rank = 3) }
  linear sn: 8 -> 8  { weight = frozen(init = uniform(0.5)) + svfit(rank = 2) }
  linear kf: 8 -> 12 {
    weight = frozen(init = from("adapters_resplit_base.safetensors", "kf"))
           + kronecker(a = [4, 2], b = [3, 4], terms = 2, init = kpsvd)
  }
  linear kn: 12 -> 6 {
    weight = frozen(init = normal(std = 0.3)) + kronecker(a = [3, 4], b = [2, 3], init = kpsvd)
  }
  linear rf: 6 -> 6  { weight = frozen(init = normal(std = 0.4)) + lora(rank = 2, alpha = 2) }
  linear head: 6 -> 4 {
    weight = frozen(init = from("adapters_resplit_base.safetensors", "head")) + lora(rank = 2, alpha = 4)
    bias = from("adapters_resplit_base.safetensors", "head.bias")
  }

  forward {
    h = tanh(pf(x))
    h = tanh(pn(h))
    h = tanh(sf(h))
    h = tanh(sn(h))
    h = tanh(kf(h))
    h = tanh(kn(h))
    h = tanh(rf(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}
