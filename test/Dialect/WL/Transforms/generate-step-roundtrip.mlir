// The IR wl-generate-step prints (and `wlc -emit=step` writes) must parse back.
// BUG: wl.sgd_update without a momentum buffer prints as
//   %new_param = wl.sgd_update %p, %g, %lr {...} : tensor<8xf32>
// but its assemblyFormat (OptimizerOps.td) starts the optional buffer group
// with the literal `,` that also precedes $lr, so the parser commits to the
// group and fails with "custom op 'wl.sgd_update' expected 'buffer'".
// RUN: wl-opt --wl-generate-step %s | wl-opt | FileCheck %s

wl.param @w : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}

// CHECK-LABEL: func.func private @step_0(
//       CHECK:   %[[P:.+]] = wl.param_ref @w
//       CHECK:   %[[G:.+]] = wl.grad_ref @w
//       CHECK:   %[[NP:.+]] = wl.sgd_update %[[P]], %[[G]]
//       CHECK:   wl.param_store @w, %[[NP]]
