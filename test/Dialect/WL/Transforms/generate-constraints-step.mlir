// RUN: wl-opt --wl-generate-step --wl-generate-constraints %s | FileCheck %s

// wl-generate-constraints after wl-generate-step, as wlc runs them: the
// projections follow the optimizer update.

// Chaining, as written: the MLIR projections transform the value one after
// the other (the power iteration sees the norm-bounded W), the store takes
// the last, then the runtime projections and finally strict (at the
// smallest strict bound).
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.norm_bound<c = 3.0>,
                   #wl.spectral_bound<c = 2.0, strict = true>,
                   #wl.spectral_bound<c = 1.5, method = hard_cap>,
                   #wl.spectral_bound<c = 1.25, method = svd_clip>,
                   #wl.rank_at_most<r = 3>]}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}
// CHECK-LABEL: func.func private @step_0(
//       CHECK:   %[[NEW:[a-zA-Z0-9_]+]] = wl.sgd_update
//       CHECK:   %[[F:.+]] = wl.norm_bound %[[NEW]], frobenius {bound = 3.000000e+00 : f64}
//       CHECK:   %[[U:.+]] = wl.state_ref @w["power_u"]
//       CHECK:   %[[NU:[a-zA-Z0-9_]+]], %[[S:[a-zA-Z0-9_]+]] = wl.power_iteration %[[F]], %[[U]] {iterations = 10 : i64}
//       CHECK:   wl.state_store @w["power_u"], %[[NU]]
//       CHECK:   %[[N:.+]] = wl.spectral_rescale %[[F]], %[[S]] {bound = 2.000000e+00 : f64}
//       CHECK:   %[[H:.+]] = wl.spectral_hard_cap %[[N]] {bound = 1.500000e+00 : f64}
//       CHECK:   wl.param_store @w, %[[H]]
//  CHECK-NEXT:   wl.project_param @w svd_clip, 1.250000e+00
//  CHECK-NEXT:   wl.project_param @w rank_at_most, 3.000000e+00
//  CHECK-NEXT:   wl.project_param @w strict, 2.000000e+00
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step(
// At creation: the MLIR projections other than spectral_bound before the
// store; after it rank_at_most then svd_clip (the nearest point of
// {rank ≤ r, σ ≤ c}), the power vector converged on the projected parameter,
// and strict last.
// CHECK-LABEL: func.func @project() {
//       CHECK:   %[[P:.+]] = wl.param_ref @w
//  CHECK-NEXT:   %[[F0:.+]] = wl.norm_bound %[[P]], frobenius
//  CHECK-NEXT:   wl.param_store @w, %[[F0]]
//  CHECK-NEXT:   wl.project_param @w rank_at_most, 3.000000e+00
//  CHECK-NEXT:   wl.project_param @w svd_clip, 1.250000e+00
//  CHECK-NEXT:   %[[P1:.+]] = wl.param_ref @w
//  CHECK-NEXT:   %[[U0:.+]] = wl.state_ref @w["power_u"]
//  CHECK-NEXT:   %[[NU0:[a-zA-Z0-9_]+]], %{{.+}} = wl.power_iteration %[[P1]], %[[U0]] {iterations = 15 : i64}
//  CHECK-NEXT:   wl.state_store @w["power_u"], %[[NU0]]
//  CHECK-NEXT:   wl.project_param @w strict, 2.000000e+00
//  CHECK-NEXT:   return
