// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// Round trip of the optimizer ops: wl.optimizer_group, wl.schedule,
// wl.schedule_factor, the update ops and wl.orthonormal_penalty_grad.

//===----------------------------------------------------------------------===//
// wl.optimizer_group, wl.schedule
//===----------------------------------------------------------------------===//

// The groups' targets, declared as in params.mlir.
wl.param @normal : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 0.05>, trainable}
wl.param @zeros : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 0.1>, trainable,
                               state = ["exp_avg", "exp_avg_sq"], offset = 0 : i64,
                               grad_offset = 32 : i64, state_offsets = [64, 96]}
wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, state = ["momentum_buffer"], trainable}

// CHECK: wl.optimizer_group "sgd" [@w, @b] {hyper = {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 0.000000e+00 : f64}}
wl.optimizer_group "sgd" [@w, @b] {hyper = {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = true, weight_decay = 0.0 : f64}}
// CHECK: wl.optimizer_group "adamw" [@normal, @zeros] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 8.750000e-01 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-02 : f64}}
wl.optimizer_group "adamw" [@normal, @zeros] {hyper = {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64}}

// A model has one schedule; each kind gets its own module. `warmup` and
// `total` default to 0 and are then not printed.
// CHECK: module @constant
// CHECK-NEXT: wl.schedule "constant"{{$}}
module @constant {
  wl.schedule "constant"
}
// CHECK: module @warmup_linear
// CHECK-NEXT: wl.schedule "warmup_linear" {total = 1000 : i64, warmup = 100 : i64}
module @warmup_linear {
  wl.schedule "warmup_linear" {warmup = 100, total = 1000}
}
// CHECK: module @warmup_cosine
// CHECK-NEXT: wl.schedule "warmup_cosine" {total = 500 : i64}
module @warmup_cosine {
  wl.schedule "warmup_cosine" {total = 500}
}

//===----------------------------------------------------------------------===//
// Schedules and optimizer updates.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @schedule_factor(
// CHECK-SAME: %[[T:[a-zA-Z0-9_]+]]: i64
func.func @schedule_factor(%t: i64) -> (f32, f32, f32) {
  // CHECK: wl.schedule_factor "constant" %[[T]]{{$}}
  %0 = wl.schedule_factor "constant" %t
  // CHECK: wl.schedule_factor "warmup_linear" %[[T]] {total = 1000 : i64, warmup = 100 : i64}
  %1 = wl.schedule_factor "warmup_linear" %t {warmup = 100, total = 1000}
  // CHECK: wl.schedule_factor "warmup_cosine" %[[T]] {total = 500 : i64}
  %2 = wl.schedule_factor "warmup_cosine" %t {total = 500}
  return %0, %1, %2 : f32, f32, f32
}

// CHECK-LABEL: func.func @sgd_update(
// CHECK-SAME: %[[P:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[G:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[LR:[a-zA-Z0-9_]+]]: f32
func.func @sgd_update(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %lr: f32) -> tensor<4x8xf32> {
  // No momentum: no buffer operand, no buffer result. The optional `buffer`
  // group must not take the `,` before %lr for its own.
  // CHECK: wl.sgd_update %[[P]], %[[G]], %[[LR]] {momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 1.000000e-02 : f64} : tensor<4x8xf32>
  %0 = wl.sgd_update %p, %g, %lr {momentum = 0.0 : f64, nesterov = false, weight_decay = 0.01 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @sgd_update_momentum(
// CHECK-SAME: %[[P:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[G:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[BUF:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[LR:[a-zA-Z0-9_]+]]: f32
func.func @sgd_update_momentum(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %buf: tensor<4x8xf32>,
                               %lr: f32) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: %[[NP:[a-zA-Z0-9_]+]], %[[NB:[a-zA-Z0-9_]+]] = wl.sgd_update %[[P]], %[[G]], buffer %[[BUF]] : tensor<4x8xf32>, %[[LR]] {momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 0.000000e+00 : f64} : tensor<4x8xf32>, tensor<4x8xf32>
  // CHECK: return %[[NP]], %[[NB]]
  %0, %1 = wl.sgd_update %p, %g, buffer %buf : tensor<4x8xf32>, %lr {momentum = 0.9 : f64, nesterov = true, weight_decay = 0.0 : f64} : tensor<4x8xf32>, tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @adamw_update(
// CHECK-SAME: %[[P:[a-zA-Z0-9_]+]]: tensor<4xf32>
// CHECK-SAME: %[[G:[a-zA-Z0-9_]+]]: tensor<4xf32>
// CHECK-SAME: %[[M:[a-zA-Z0-9_]+]]: tensor<4xf32>
// CHECK-SAME: %[[V:[a-zA-Z0-9_]+]]: tensor<4xf32>
// CHECK-SAME: %[[LR:[a-zA-Z0-9_]+]]: f32
// CHECK-SAME: %[[T:[a-zA-Z0-9_]+]]: i64
func.func @adamw_update(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>,
                        %v: tensor<4xf32>, %lr: f32, %t: i64)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[NP:[a-zA-Z0-9_]+]], %[[NM:[a-zA-Z0-9_]+]], %[[NV:[a-zA-Z0-9_]+]] = wl.adamw_update %[[P]], %[[G]], %[[M]], %[[V]], %[[LR]], %[[T]] {beta1 = 9.000000e-01 : f64, beta2 = 8.750000e-01 : f64, eps = 1.000000e-08 : f64, weight_decay = 1.000000e-02 : f64} : tensor<4xf32>
  %0:3 = wl.adamw_update %p, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64} : tensor<4xf32>
  // CHECK: return %[[NP]], %[[NM]], %[[NV]]
  return %0#0, %0#1, %0#2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @newton_schulz(
func.func @newton_schulz(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: wl.newton_schulz %{{.+}} {a = 3.444500e+00 : f64, b = -4.775000e+00 : f64, c = 2.031500e+00 : f64, steps = 5 : i64} : tensor<4x8xf32>
  %0 = wl.newton_schulz %x {a = 3.4445 : f64, b = -4.7750 : f64, c = 2.0315 : f64, steps = 5 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @muon_update(
func.func @muon_update(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %lr: f32)
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: wl.muon_update %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {momentum = 0.94999999999999996 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64} : tensor<4x8xf32>
  %0:2 = wl.muon_update %p, %g, %m, %lr {momentum = 0.95 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.0 : f64} : tensor<4x8xf32>
  return %0#0, %0#1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @lion_update(
func.func @lion_update(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %lr: f32)
    -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: wl.lion_update %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {beta1 = 9.000000e-01 : f64, beta2 = 8.750000e-01 : f64, weight_decay = 0.000000e+00 : f64} : tensor<4xf32>
  %0:2 = wl.lion_update %p, %g, %m, %lr {beta1 = 0.9 : f64, beta2 = 0.875 : f64, weight_decay = 0.0 : f64} : tensor<4xf32>
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @adamp_update(
func.func @adamp_update(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>,
                        %v: tensor<4x8xf32>, %lr: f32, %t: i64)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: wl.adamp_update %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {beta1 = 9.000000e-01 : f64, beta2 = 8.750000e-01 : f64, delta = 1.000000e-01 : f64, eps = 1.000000e-08 : f64, wd_ratio = 1.000000e-01 : f64, weight_decay = 1.000000e-02 : f64} : tensor<4x8xf32>
  %0:3 = wl.adamp_update %p, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64, delta = 0.1 : f64, wd_ratio = 0.1 : f64} : tensor<4x8xf32>
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @orthonormal_penalty_grad(
func.func @orthonormal_penalty_grad(%a: tensor<3x8xf32>, %b: tensor<8x3xf32>)
    -> (tensor<3x8xf32>, tensor<8x3xf32>) {
  // CHECK: wl.orthonormal_penalty_grad %{{.+}} {transposed = false, weight = 2.500000e+00 : f64} : tensor<3x8xf32>
  %0 = wl.orthonormal_penalty_grad %a {transposed = false, weight = 2.5 : f64} : tensor<3x8xf32>
  // CHECK: wl.orthonormal_penalty_grad %{{.+}} {transposed = true, weight = 0.000000e+00 : f64} : tensor<8x3xf32>
  %1 = wl.orthonormal_penalty_grad %b {transposed = true, weight = 0.0 : f64} : tensor<8x3xf32>
  return %0, %1 : tensor<3x8xf32>, tensor<8x3xf32>
}
