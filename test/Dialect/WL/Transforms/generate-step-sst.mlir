// RUN: wl-opt --wl-generate-step %s | FileCheck %s
// RUN: wl-opt --wl-generate-step --wl-generate-constraints %s | FileCheck %s --check-prefix=PROJECT

// Sparse spectral training (SparseSpectral.cpp): a layer marked `wl.sst`
// trains only the round's sampled columns of U and V -- their gradients are
// scaled by the mask `sampled` before the optimizer update (in the tensor's
// own @step_<k>), s's is not -- and @step_finish, which @step calls after
// every @step_<k>, holds one wl.sst_round per sst layer (its index is its
// sampling stream), so that a step sharded across ranks runs the rounds once
// every tensor is updated. @project starts with the creation form (no step):
// the initial SVD and round 0's sample.
wl.param @a.weight.U : tensor<5x3xf32> {init = #wl.init<kind = normal, std = 0.5>, trainable}
wl.param @a.weight.s : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @a.weight.V : tensor<3x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @a.weight.sampled : tensor<3xf32> {init = #wl.init<kind = zeros>}
wl.param @b.weight.U : tensor<2x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @b.weight.s : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @b.weight.V : tensor<5x2xf32> {init = #wl.init<kind = normal, std = 0.5>, trainable}
wl.param @b.weight.sampled : tensor<2xf32> {init = #wl.init<kind = zeros>}
wl.param @c.weight : tensor<2x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.layer @a : 3 -> 5 {structure = [#wl.structure<sst>], weight = @a.weight.U, factors = [@a.weight.U, @a.weight.s, @a.weight.V, @a.weight.sampled], wl.sst = {u = @a.weight.U, s = @a.weight.s, v = @a.weight.V, sampled = @a.weight.sampled, rank = 2 : i64, every = 10 : i64}}
wl.layer @b : 5 -> 2 {structure = [#wl.structure<sst>], weight = @b.weight.U, factors = [@b.weight.U, @b.weight.s, @b.weight.V, @b.weight.sampled], wl.sst = {u = @b.weight.U, s = @b.weight.s, v = @b.weight.V, sampled = @b.weight.sampled, rank = 1 : i64, every = 4 : i64}}
wl.layer @c : 2 -> 2 {structure = [#wl.structure<dense>], weight = @c.weight}
wl.optimizer_group "adamw" [@a.weight.U, @a.weight.s, @a.weight.V, @c.weight, @b.weight.s] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-02 : f64, weight_decay = 0.000000e+00 : f64}}
wl.optimizer_group "muon" [@b.weight.U, @b.weight.V] {hyper = {lr = 2.000000e-02 : f64, momentum = 9.500000e-01 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64}}

// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @a.weight.U} {
//       CHECK:   %[[G:.+]] = wl.grad_ref @a.weight.U : tensor<5x3xf32>
//       CHECK:   %[[M:.+]] = wl.param_ref @a.weight.sampled : tensor<3xf32>
//       CHECK:   %[[GM:.+]] = wl.scale_columns %[[G]], %[[M]] : (tensor<5x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
//       CHECK:   wl.adamw_update %{{.+}}, %[[GM]],
//       CHECK:   return
// CHECK-LABEL: func.func private @step_1(
//  CHECK-SAME:     attributes {wl.updates = @a.weight.s} {
//       CHECK:   %[[GS:.+]] = wl.grad_ref @a.weight.s
//   CHECK-NOT:   wl.scale_columns
//       CHECK:   wl.adamw_update %{{.+}}, %[[GS]],
//       CHECK:   return
// CHECK-LABEL: func.func private @step_2(
//  CHECK-SAME:     attributes {wl.updates = @a.weight.V} {
//       CHECK:   %[[G:.+]] = wl.grad_ref @a.weight.V : tensor<3x3xf32>
//       CHECK:   %[[M:.+]] = wl.param_ref @a.weight.sampled : tensor<3xf32>
//       CHECK:   %[[GM:.+]] = wl.scale_columns %[[G]], %[[M]]
//       CHECK:   wl.adamw_update %{{.+}}, %[[GM]],
//       CHECK:   return
// A layer that is not sst trains as before.
// CHECK-LABEL: func.func private @step_3(
//  CHECK-SAME:     attributes {wl.updates = @c.weight} {
//       CHECK:   %[[GC:.+]] = wl.grad_ref @c.weight
//   CHECK-NOT:   wl.scale_columns
//       CHECK:   wl.adamw_update %{{.+}}, %[[GC]],
//       CHECK:   return
// CHECK-LABEL: func.func private @step_4(
//  CHECK-SAME:     attributes {wl.updates = @b.weight.s} {
//       CHECK:   %[[GS:.+]] = wl.grad_ref @b.weight.s
//   CHECK-NOT:   wl.scale_columns
//       CHECK:   wl.adamw_update %{{.+}}, %[[GS]],
//       CHECK:   return
// CHECK-LABEL: func.func private @step_5(
//  CHECK-SAME:     attributes {wl.updates = @b.weight.U} {
//       CHECK:   %[[G:.+]] = wl.grad_ref @b.weight.U : tensor<2x2xf32>
//       CHECK:   %[[M:.+]] = wl.param_ref @b.weight.sampled : tensor<2xf32>
//       CHECK:   %[[GM:.+]] = wl.scale_columns %[[G]], %[[M]]
//       CHECK:   wl.muon_update %{{.+}}, %[[GM]],
//       CHECK:   return
// CHECK-LABEL: func.func private @step_6(
//  CHECK-SAME:     attributes {wl.updates = @b.weight.V} {
//       CHECK:   %[[G:.+]] = wl.grad_ref @b.weight.V : tensor<5x2xf32>
//       CHECK:   %[[M:.+]] = wl.param_ref @b.weight.sampled : tensor<2xf32>
//       CHECK:   %[[GM:.+]] = wl.scale_columns %[[G]], %[[M]]
//       CHECK:   wl.muon_update %{{.+}}, %[[GM]],
//   CHECK-NOT:   wl.sst_round
//       CHECK:   return
// CHECK-LABEL: func.func @step_finish(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64
//  CHECK-NEXT:   wl.sst_round @a.weight.U, @a.weight.s, @a.weight.V, @a.weight.sampled step %[[T]] {every = 10 : i64, rank = 2 : i64, stream = 0 : i64}
//  CHECK-NEXT:   wl.sst_round @b.weight.U, @b.weight.s, @b.weight.V, @b.weight.sampled step %[[T]] {every = 4 : i64, rank = 1 : i64, stream = 1 : i64}
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64
//  CHECK-NEXT:   call @step_0(%[[T]])
//  CHECK-NEXT:   call @step_1(%[[T]])
//  CHECK-NEXT:   call @step_2(%[[T]])
//  CHECK-NEXT:   call @step_3(%[[T]])
//  CHECK-NEXT:   call @step_4(%[[T]])
//  CHECK-NEXT:   call @step_5(%[[T]])
//  CHECK-NEXT:   call @step_6(%[[T]])
//  CHECK-NEXT:   call @step_finish(%[[T]])
//  CHECK-NEXT:   return

// PROJECT-LABEL: func.func @project(
//    PROJECT-NEXT:   wl.sst_round @a.weight.U, @a.weight.s, @a.weight.V, @a.weight.sampled {every = 10 : i64, rank = 2 : i64, stream = 0 : i64}
//    PROJECT-NEXT:   wl.sst_round @b.weight.U, @b.weight.s, @b.weight.V, @b.weight.sampled {every = 4 : i64, rank = 1 : i64, stream = 1 : i64}
//    PROJECT-NEXT:   return
