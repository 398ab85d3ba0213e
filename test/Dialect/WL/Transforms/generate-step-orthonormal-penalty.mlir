// RUN: wl-opt --wl-generate-step --split-input-file %s | FileCheck %s

// SORSA's orthonormal regulariser (ALGORITHMS.md): a wl.param with
// `orthonormal_penalty` gets g + γ/(lr·n)·∇‖M‖_F as its gradient, before the
// optimizer update; lr is its group's `lr` (the peak, not the scheduled one),
// n the number of parameters in the module with the attribute, γ = 0 ones
// included (they add nothing). Parameters without it are untouched. Each
// tensor is updated in its own @step_<k> (`wl.updates = @<param>`), k its
// place in the step (groups in order, each group's targets in order).

// n = 4, lr = 0.01, γ = 0.1: weight = 0.1/(0.01·4) = 2.5 for A and B of @a;
// @b's factors (γ = 0) count in n but get no term.
wl.param @a_A : tensor<3x8xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.1>, trainable}
wl.param @a_S : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @a_B : tensor<6x3xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.1, transposed = true>, trainable}
wl.param @b_A : tensor<2x6xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.0>, trainable}
wl.param @b_B : tensor<4x2xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.0, transposed = true>, trainable}
wl.optimizer_group "adamw" [@a_A, @a_S, @a_B] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-02 : f64, weight_decay = 0.000000e+00 : f64}}
wl.optimizer_group "muon" [@b_A, @b_B] {hyper = {lr = 2.000000e-02 : f64, momentum = 9.500000e-01 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64}}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @a_A} {
//       CHECK:   %[[P:.+]] = wl.param_ref @a_A
//       CHECK:   %[[G:.+]] = wl.grad_ref @a_A
//       CHECK:   %[[R:.+]] = wl.orthonormal_penalty_grad %[[P]] {transposed = false, weight = 2.500000e+00 : f64} : tensor<3x8xf32>
//       CHECK:   %[[SUM:.+]] = wl.add %[[G]], %[[R]] : tensor<3x8xf32>
//       CHECK:   %[[NP:[a-zA-Z0-9_]+]], {{.+}} = wl.adamw_update %[[P]], %[[SUM]],
//       CHECK:   wl.param_store @a_A, %[[NP]]
//       CHECK:   return
// CHECK-LABEL: func.func private @step_1(
//  CHECK-SAME:     attributes {wl.updates = @a_S} {
//       CHECK:   %[[SG:.+]] = wl.grad_ref @a_S
//   CHECK-NOT:   wl.orthonormal_penalty_grad
//       CHECK:   wl.adamw_update %{{.+}}, %[[SG]],
//       CHECK:   return
// CHECK-LABEL: func.func private @step_2(
//  CHECK-SAME:     attributes {wl.updates = @a_B} {
//       CHECK:   %[[P:.+]] = wl.param_ref @a_B
//       CHECK:   %[[G:.+]] = wl.grad_ref @a_B
//       CHECK:   %[[R:.+]] = wl.orthonormal_penalty_grad %[[P]] {transposed = true, weight = 2.500000e+00 : f64} : tensor<6x3xf32>
//       CHECK:   %[[SUM:.+]] = wl.add %[[G]], %[[R]] : tensor<6x3xf32>
//       CHECK:   wl.adamw_update %[[P]], %[[SUM]],
//       CHECK:   return
// CHECK-LABEL: func.func private @step_3(
//  CHECK-SAME:     attributes {wl.updates = @b_A} {
//   CHECK-NOT:   wl.orthonormal_penalty_grad
//       CHECK:   %[[G:.+]] = wl.grad_ref @b_A
//   CHECK-NOT:   wl.orthonormal_penalty_grad
//       CHECK:   wl.muon_update %{{.+}}, %[[G]],
//   CHECK-NOT:   wl.orthonormal_penalty_grad
//       CHECK:   return
// CHECK-LABEL: func.func private @step_4(
//  CHECK-SAME:     attributes {wl.updates = @b_B} {
//   CHECK-NOT:   wl.orthonormal_penalty_grad
//       CHECK:   %[[G:.+]] = wl.grad_ref @b_B
//   CHECK-NOT:   wl.orthonormal_penalty_grad
//       CHECK:   wl.muon_update %{{.+}}, %[[G]],
//   CHECK-NOT:   wl.orthonormal_penalty_grad
//       CHECK:   return

// -----

// One term under SGD: n = 2, lr = 0.1, γ = 0.3: weight = 0.3/(0.1·2) = 1.5
// (in double: 1.4999999999999998).
wl.param @A : tensor<2x5xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.3>, trainable}
wl.param @B : tensor<5x2xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.3, transposed = true>, trainable}
wl.optimizer_group "sgd" [@A, @B] {hyper = {lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @A} {
//       CHECK:   %[[P:.+]] = wl.param_ref @A
//       CHECK:   %[[G:.+]] = wl.grad_ref @A
//       CHECK:   %[[R:.+]] = wl.orthonormal_penalty_grad %[[P]] {transposed = false, weight = 1.4999999999999998 : f64}
//       CHECK:   %[[SUM:.+]] = wl.add %[[G]], %[[R]]
//       CHECK:   wl.sgd_update %[[P]], %[[SUM]],
//       CHECK:   return
// CHECK-LABEL: func.func private @step_1(
//  CHECK-SAME:     attributes {wl.updates = @B} {
//       CHECK:   %[[P:.+]] = wl.param_ref @B
//       CHECK:   %[[G:.+]] = wl.grad_ref @B
//       CHECK:   %[[R:.+]] = wl.orthonormal_penalty_grad %[[P]] {transposed = true, weight = 1.4999999999999998 : f64}
//       CHECK:   %[[SUM:.+]] = wl.add %[[G]], %[[R]]
//       CHECK:   wl.sgd_update %[[P]], %[[SUM]],
//       CHECK:   return
