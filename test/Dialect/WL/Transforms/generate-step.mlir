// RUN: wl-opt --wl-generate-step --split-input-file --verify-diagnostics %s | FileCheck %s

// Each trainable tensor becomes a private @step_<k>(%t: i64), k its place in
// the step (groups in order, each group's targets in order), marked
// `wl.updates = @<param>`: it computes its group's scheduled lr, then reads,
// updates and writes back that one tensor. @step_finish(%t) holds the work
// that needs every tensor updated (empty without SST or product clips);
// @step_tensor(%t, %k) calls @step_<k> alone through an scf.index_switch;
// @step(%t) calls every @step_<k> in order, then @step_finish. The optimizer
// state is declared on the wl.param (`state = [...]`).

// SGD with momentum: one "momentum_buffer" per parameter, read and written.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 1.000000e-02 : f64}}
// CHECK: wl.param @w : tensor<4x8xf32> {{.*}}state = ["momentum_buffer"], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) attributes {wl.updates = @w} {
// No schedule: the constant one.
//       CHECK:   %[[F:.+]] = wl.schedule_factor "constant" %[[T]]
//       CHECK:   %[[BASE:.+]] = arith.constant 1.000000e-01 : f32
//       CHECK:   %[[LR:.+]] = arith.mulf %[[F]], %[[BASE]] : f32
//   CHECK-DAG:   %[[P:.+]] = wl.param_ref @w : tensor<4x8xf32>
//   CHECK-DAG:   %[[G:.+]] = wl.grad_ref @w : tensor<4x8xf32>
//   CHECK-DAG:   %[[B:.+]] = wl.state_ref @w["momentum_buffer"] : tensor<4x8xf32>
//       CHECK:   %[[NP:[a-zA-Z0-9_]+]], %[[NB:[a-zA-Z0-9_]+]] = wl.sgd_update %[[P]], %[[G]], buffer %[[B]] : tensor<4x8xf32>, %[[LR]]
//  CHECK-SAME:     momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 1.000000e-02 : f64
//       CHECK:   wl.param_store @w, %[[NP]] : tensor<4x8xf32>
//       CHECK:   wl.state_store @w["momentum_buffer"], %[[NB]] : tensor<4x8xf32>
//  CHECK-NEXT:   return
// Nothing to do once every tensor is updated.
// CHECK-LABEL: func.func @step_finish(
//  CHECK-SAME:     %{{[a-zA-Z0-9_]+}}: i64) {
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) {
//  CHECK-NEXT:   call @step_0(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:   call @step_finish(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:   return

// -----

// SGD without momentum: no state, no buffer operand, no state_store.
wl.param @w : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 5.000000e-02 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
// CHECK: wl.param @w : tensor<8xf32>
// CHECK-NOT: state
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @w} {
//       CHECK:   %[[LR:.+]] = arith.mulf
//       CHECK:   %[[P:.+]] = wl.param_ref @w
//       CHECK:   %[[G:.+]] = wl.grad_ref @w
//   CHECK-NOT:   wl.state_ref
//       CHECK:   %[[NP:.+]] = wl.sgd_update %[[P]], %[[G]], %[[LR]] {momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64} : tensor<8xf32>
//       CHECK:   wl.param_store @w, %[[NP]]
//   CHECK-NOT:   wl.state_store
//       CHECK:   return

// -----

// AdamW: exp_avg and exp_avg_sq, and the step count for the bias corrections.
wl.param @w : tensor<2x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "adamw" [@w] {hyper = {beta1 = 8.000000e-01 : f64, beta2 = 9.000000e-01 : f64, eps = 1.000000e-06 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-01 : f64}}
// CHECK: wl.param @w : tensor<2x3xf32> {{.*}}state = ["exp_avg", "exp_avg_sq"], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) attributes {wl.updates = @w} {
//       CHECK:   %[[LR:.+]] = arith.mulf
//   CHECK-DAG:   %[[P:.+]] = wl.param_ref @w
//   CHECK-DAG:   %[[G:.+]] = wl.grad_ref @w
//   CHECK-DAG:   %[[M:.+]] = wl.state_ref @w["exp_avg"]
//   CHECK-DAG:   %[[V:.+]] = wl.state_ref @w["exp_avg_sq"]
//       CHECK:   %[[NP:[a-zA-Z0-9_]+]], %[[NM:[a-zA-Z0-9_]+]], %[[NV:[a-zA-Z0-9_]+]] = wl.adamw_update %[[P]], %[[G]], %[[M]], %[[V]], %[[LR]], %[[T]]
//  CHECK-SAME:     {beta1 = 8.000000e-01 : f64, beta2 = 9.000000e-01 : f64, eps = 9.9999999999999995E-7 : f64, weight_decay = 1.000000e-01 : f64} : tensor<2x3xf32>
//   CHECK-DAG:   wl.param_store @w, %[[NP]]
//   CHECK-DAG:   wl.state_store @w["exp_avg"], %[[NM]]
//   CHECK-DAG:   wl.state_store @w["exp_avg_sq"], %[[NV]]
//       CHECK:   return

// -----

// Several groups, one schedule: every trainable tensor gets its own
// @step_<k> (wl.updates names it), numbered in step order -- the groups in
// order, each group's targets in order -- each computing its group's lr (one
// schedule_factor and one mulf) and updating that tensor alone; frozen
// parameters are left alone. @step calls @step_0, @step_1, @step_2 in order
// and then @step_finish; @step_tensor(%t, %k) picks @step_<k> by an
// scf.index_switch on %k, any other k doing nothing.
wl.param @a : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @c : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @frozen : tensor<4x4xf32> {init = #wl.init<kind = orthogonal>}
wl.optimizer_group "sgd" [@a, @b] {hyper = {lr = 2.500000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
wl.optimizer_group "adamw" [@c] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, lr = 2.000000e-03 : f64, weight_decay = 1.000000e-02 : f64}}
wl.schedule "warmup_cosine" {total = 100 : i64, warmup = 10 : i64}
// CHECK: wl.param @frozen
// CHECK-NOT: state =
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) attributes {wl.updates = @a} {
//  CHECK-NEXT:   %[[F:.+]] = wl.schedule_factor "warmup_cosine" %[[T]] {total = 100 : i64, warmup = 10 : i64}
//  CHECK-NEXT:   %[[BASE:.+]] = arith.constant 2.500000e-01 : f32
//  CHECK-NEXT:   %[[LR:.+]] = arith.mulf %[[F]], %[[BASE]]
//  CHECK-NEXT:   %[[P:.+]] = wl.param_ref @a : tensor<4x4xf32>
//  CHECK-NEXT:   %[[G:.+]] = wl.grad_ref @a : tensor<4x4xf32>
//  CHECK-NEXT:   %[[NP:.+]] = wl.sgd_update %[[P]], %[[G]], %[[LR]] {
//  CHECK-NEXT:   wl.param_store @a, %[[NP]]
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func private @step_1(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) attributes {wl.updates = @b} {
//  CHECK-NEXT:   %[[F:.+]] = wl.schedule_factor "warmup_cosine" %[[T]] {total = 100 : i64, warmup = 10 : i64}
//  CHECK-NEXT:   %[[BASE:.+]] = arith.constant 2.500000e-01 : f32
//  CHECK-NEXT:   %[[LR:.+]] = arith.mulf %[[F]], %[[BASE]]
//  CHECK-NEXT:   %[[P:.+]] = wl.param_ref @b : tensor<4xf32>
//  CHECK-NEXT:   %[[G:.+]] = wl.grad_ref @b : tensor<4xf32>
//  CHECK-NEXT:   %[[NP:.+]] = wl.sgd_update %[[P]], %[[G]], %[[LR]] {
//  CHECK-NEXT:   wl.param_store @b, %[[NP]]
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func private @step_2(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) attributes {wl.updates = @c} {
//  CHECK-NEXT:   %[[F:.+]] = wl.schedule_factor "warmup_cosine" %[[T]] {total = 100 : i64, warmup = 10 : i64}
//  CHECK-NEXT:   %[[BASE:.+]] = arith.constant 2.000000e-03 : f32
//  CHECK-NEXT:   %[[LR:.+]] = arith.mulf %[[F]], %[[BASE]]
//   CHECK-NOT:   wl.schedule_factor
//   CHECK-NOT:   arith.mulf
//       CHECK:   wl.adamw_update {{.*}}, %[[LR]], %[[T]] {
//       CHECK:   wl.param_store @c
//   CHECK-NOT:   wl.param_store
//       CHECK:   return
//   CHECK-NOT:   @frozen
// CHECK-LABEL: func.func @step_finish(
//  CHECK-SAME:     %{{[a-zA-Z0-9_]+}}: i64) {
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step_tensor(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64, %[[K:[a-zA-Z0-9_]+]]: i64) {
//  CHECK-NEXT:   %[[I:.+]] = arith.index_cast %[[K]] : i64 to index
//  CHECK-NEXT:   scf.index_switch %[[I]]
//  CHECK-NEXT:   case 0 {
//  CHECK-NEXT:     func.call @step_0(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:     scf.yield
//  CHECK-NEXT:   }
//  CHECK-NEXT:   case 1 {
//  CHECK-NEXT:     func.call @step_1(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:     scf.yield
//  CHECK-NEXT:   }
//  CHECK-NEXT:   case 2 {
//  CHECK-NEXT:     func.call @step_2(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:     scf.yield
//  CHECK-NEXT:   }
//  CHECK-NEXT:   default {
//  CHECK-NEXT:   }
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) {
//  CHECK-NEXT:   call @step_0(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:   call @step_1(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:   call @step_2(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:   call @step_finish(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:   return

// -----

// expected-error @+1 {{'wl.param' op is trainable but in no optimizer group}}
wl.param @orphan : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @w : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}

// -----

wl.param @w : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
// expected-error @+1 {{'wl.optimizer_group' op 'w' is already updated by another group}}
wl.optimizer_group "adamw" [@w] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64, weight_decay = 0.000000e+00 : f64}}

// -----

// Muon orthogonalises matrices (or each matrix of a stack): a vector is an
// error, not a crash (the frontend already refuses it with a hint).
// expected-error @+1 {{'wl.param' op muon updates matrices and stacks of them only, got rank 1}}
wl.param @w : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "muon" [@w] {hyper = {lr = 2.000000e-02 : f64, momentum = 9.500000e-01 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64}}

// -----

// expected-error @+1 {{wl-generate-step: @step already exists}}
module {
  wl.param @w : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.optimizer_group "sgd" [@w] {hyper = {lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
  func.func @step(%t: i64) {
    return
  }
}

// -----

wl.param @w : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
wl.schedule "constant"
// expected-error @+1 {{'wl.schedule' op a model has at most one schedule}}
wl.schedule "warmup_linear" {total = 10 : i64, warmup = 1 : i64}
