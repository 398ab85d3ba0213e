// RUN: wl-opt --wl-generate-step --split-input-file --verify-diagnostics %s | FileCheck %s

// Each wl.optimizer_group becomes a private @step_<i>(%t: i64): the scheduled
// lr is computed once, then every tensor of the group is read, updated and
// written back. @step(%t) calls every group; the optimizer state is declared
// on the wl.param (`state = [...]`).

// SGD with momentum: one "momentum_buffer" per parameter, read and written.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 1.000000e-02 : f64}}
// CHECK: wl.param @w : tensor<4x8xf32> {{.*}}state = ["momentum_buffer"], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) {
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
//       CHECK:   return
// CHECK-LABEL: func.func @step(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) {
//       CHECK:   call @step_0(%[[T]]) : (i64) -> ()
//       CHECK:   return

// -----

// SGD without momentum: no state, no buffer operand, no state_store.
wl.param @w : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 5.000000e-02 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
// CHECK: wl.param @w : tensor<8xf32>
// CHECK-NOT: state
// CHECK-LABEL: func.func private @step_0(
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
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) {
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

// Several groups, one schedule: every group computes its lr once (one
// schedule_factor and one mulf, whatever the number of tensors), frozen
// parameters are left alone, and @step calls each group in order.
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
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) {
//       CHECK:   %[[F:.+]] = wl.schedule_factor "warmup_cosine" %[[T]] {total = 100 : i64, warmup = 10 : i64}
//       CHECK:   %[[BASE:.+]] = arith.constant 2.500000e-01 : f32
//       CHECK:   %[[LR:.+]] = arith.mulf %[[F]], %[[BASE]]
//   CHECK-NOT:   wl.schedule_factor
//   CHECK-NOT:   arith.mulf
//       CHECK:   wl.sgd_update {{.*}}, %[[LR]] {
//       CHECK:   wl.param_store @a
//   CHECK-NOT:   wl.schedule_factor
//   CHECK-NOT:   arith.mulf
//       CHECK:   wl.sgd_update {{.*}}, %[[LR]] {
//       CHECK:   wl.param_store @b
//   CHECK-NOT:   @frozen
//       CHECK:   return
// CHECK-LABEL: func.func private @step_1(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) {
//       CHECK:   %[[F:.+]] = wl.schedule_factor "warmup_cosine" %[[T]]
//       CHECK:   %[[BASE:.+]] = arith.constant 2.000000e-03 : f32
//       CHECK:   %[[LR:.+]] = arith.mulf %[[F]], %[[BASE]]
//       CHECK:   wl.adamw_update {{.*}}, %[[LR]], %[[T]] {
//       CHECK:   wl.param_store @c
//   CHECK-NOT:   @frozen
//       CHECK:   return
// CHECK-LABEL: func.func @step(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) {
//  CHECK-NEXT:   call @step_0(%[[T]]) : (i64) -> ()
//  CHECK-NEXT:   call @step_1(%[[T]]) : (i64) -> ()
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
