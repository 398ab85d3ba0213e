// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// Round trip of every op of the wl dialect. The module-level declarations
// come first; the ops that address a parameter (param_ref, grad_ref, ...)
// refer to them.

//===----------------------------------------------------------------------===//
// wl.param: every init kind, optimizer state and arena offsets.
//===----------------------------------------------------------------------===//

// CHECK: wl.param @normal : tensor<4x8xf32> {init = {kind = "normal", std = 5.000000e-02 : f64}, trainable}
wl.param @normal : tensor<4x8xf32> {init = {kind = "normal", std = 0.05 : f64}, trainable}
// std = 0 is allowed (the language's normal(std = 0): all zeros).
// CHECK: wl.param @normal0 : tensor<4xf32> {init = {kind = "normal", std = 0.000000e+00 : f64}, trainable}
wl.param @normal0 : tensor<4xf32> {init = {kind = "normal", std = 0.0 : f64}, trainable}
// CHECK: wl.param @uniform : tensor<4x8xf32> {init = {a = 2.500000e-01 : f64, kind = "uniform"}, trainable}
wl.param @uniform : tensor<4x8xf32> {init = {kind = "uniform", a = 0.25 : f64}, trainable}
// CHECK: wl.param @zeros : tensor<4xf32> {init = {kind = "zeros"}, trainable}
wl.param @zeros : tensor<4xf32> {init = {kind = "zeros"}, trainable}
// CHECK: wl.param @ones : tensor<2x3x4xf32> {init = {kind = "ones"}, trainable}
wl.param @ones : tensor<2x3x4xf32> {init = {kind = "ones"}, trainable}
// CHECK: wl.param @orthogonal : tensor<8x8xf32> {init = {kind = "orthogonal"}, trainable}
wl.param @orthogonal : tensor<8x8xf32> {init = {kind = "orthogonal"}, trainable}
// A frozen parameter: no `trainable`, no state.
// CHECK: wl.param @frozen : tensor<4x8xf32> {init = {kind = "zeros"}}{{$}}
wl.param @frozen : tensor<4x8xf32> {init = {kind = "zeros"}}
// Optimizer state and the offsets wl-assign-arena sets.
// CHECK: wl.param @w : tensor<4x8xf32>
// CHECK-SAME: grad_offset = 32 : i64
// CHECK-SAME: init = {kind = "normal", std = 1.000000e-01 : f64}
// CHECK-SAME: offset = 0 : i64
// CHECK-SAME: state = ["exp_avg", "exp_avg_sq"]
// CHECK-SAME: state_offsets = [64, 96]
// CHECK-SAME: trainable
wl.param @w : tensor<4x8xf32> {init = {kind = "normal", std = 0.1 : f64}, trainable,
                               state = ["exp_avg", "exp_avg_sq"], offset = 0 : i64,
                               grad_offset = 32 : i64, state_offsets = [64, 96]}
// CHECK: wl.param @b : tensor<4xf32> {init = {kind = "zeros"}, state = ["momentum_buffer"], trainable}
wl.param @b : tensor<4xf32> {init = {kind = "zeros"}, state = ["momentum_buffer"], trainable}

//===----------------------------------------------------------------------===//
// wl.layer
//===----------------------------------------------------------------------===//

// CHECK: wl.layer @with_bias : 8 -> 4 {bias = @b, structure = "dense", weight = @w}
wl.layer @with_bias : 8 -> 4 {structure = "dense", weight = @w, bias = @b}
// CHECK: wl.layer @without_bias : 8 -> 4 {structure = "dense", weight = @frozen}{{$}}
wl.layer @without_bias : 8 -> 4 {structure = "dense", weight = @frozen}

//===----------------------------------------------------------------------===//
// wl.optimizer_group, wl.schedule
//===----------------------------------------------------------------------===//

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
// Parameter, gradient and state access.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @param_ref(
func.func @param_ref() -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: wl.param_ref @w : tensor<4x8xf32>
  %0 = wl.param_ref @w : tensor<4x8xf32>
  // A frozen parameter can be read.
  // CHECK: wl.param_ref @frozen : tensor<4x8xf32>
  %1 = wl.param_ref @frozen : tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @grad_ref(
func.func @grad_ref() -> tensor<4x8xf32> {
  // CHECK: wl.grad_ref @w : tensor<4x8xf32>
  %0 = wl.grad_ref @w : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @grad_accumulate(
// CHECK-SAME: %[[G:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
func.func @grad_accumulate(%g: tensor<4x8xf32>) {
  // CHECK: wl.grad_accumulate @w, %[[G]] : tensor<4x8xf32>
  wl.grad_accumulate @w, %g : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @param_store(
// CHECK-SAME: %[[V:[a-zA-Z0-9_]+]]: tensor<4xf32>
func.func @param_store(%v: tensor<4xf32>) {
  // CHECK: wl.param_store @b, %[[V]] : tensor<4xf32>
  wl.param_store @b, %v : tensor<4xf32>
  return
}

// CHECK-LABEL: func.func @state_ref(
func.func @state_ref() -> tensor<4x8xf32> {
  // CHECK: wl.state_ref @w["exp_avg_sq"] : tensor<4x8xf32>
  %0 = wl.state_ref @w["exp_avg_sq"] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @state_store(
// CHECK-SAME: %[[V:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
func.func @state_store(%v: tensor<4x8xf32>) {
  // CHECK: wl.state_store @w["exp_avg"], %[[V]] : tensor<4x8xf32>
  wl.state_store @w["exp_avg"], %v : tensor<4x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Linear maps, sums, reductions.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x8xf32>
// CHECK-SAME: %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
func.func @linear(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.linear %[[X]], %[[W]] : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  %0 = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: %[[A:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[B:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[C:[a-zA-Z0-9_]+]]: tensor<?x8xf32>
// CHECK-SAME: %[[D:[a-zA-Z0-9_]+]]: tensor<8x4xf32>
func.func @matmul(%a: tensor<?x4xf32>, %b: tensor<4x8xf32>, %c: tensor<?x8xf32>,
                  %d: tensor<8x4xf32>)
    -> (tensor<?x8xf32>, tensor<4x8xf32>, tensor<?x8xf32>, tensor<8x8xf32>) {
  // CHECK: wl.matmul %[[A]], %[[B]] : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %0 = wl.matmul %a, %b : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  // CHECK: wl.matmul %[[A]], %[[C]] {transpose_lhs} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<4x8xf32>
  %1 = wl.matmul %a, %c {transpose_lhs} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<4x8xf32>
  // CHECK: wl.matmul %[[A]], %[[D]] {transpose_rhs} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
  %2 = wl.matmul %a, %d {transpose_rhs} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
  // CHECK: wl.matmul %[[B]], %[[D]] {transpose_lhs, transpose_rhs} : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<8x8xf32>
  %3 = wl.matmul %b, %d {transpose_lhs, transpose_rhs} : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<8x8xf32>
  return %0, %1, %2, %3 : tensor<?x8xf32>, tensor<4x8xf32>, tensor<?x8xf32>, tensor<8x8xf32>
}

// CHECK-LABEL: func.func @bias_add(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[B:[a-zA-Z0-9_]+]]: tensor<4xf32>
func.func @bias_add(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.bias_add %[[X]], %[[B]] : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %0 = wl.bias_add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @reduce_batch(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @reduce_batch(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  // CHECK: wl.reduce_batch %[[X]] : (tensor<?x4xf32>) -> tensor<4xf32>
  %0 = wl.reduce_batch %x : (tensor<?x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @add(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[Y:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @add(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.add %[[X]], %[[Y]] : tensor<?x4xf32>
  %0 = wl.add %x, %y : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @scale(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.scale %[[X]], -5.000000e-01 : tensor<?x4xf32>
  %0 = wl.scale %x, -0.5 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

//===----------------------------------------------------------------------===//
// Activations.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @activations(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @activations(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: %[[R:.+]] = wl.relu %[[X]] : tensor<?x4xf32>
  %0 = wl.relu %x : tensor<?x4xf32>
  // CHECK: %[[G:.+]] = wl.gelu %[[R]] : tensor<?x4xf32>
  %1 = wl.gelu %0 : tensor<?x4xf32>
  // CHECK: %[[GT:.+]] = wl.gelu_tanh %[[G]] : tensor<?x4xf32>
  %2 = wl.gelu_tanh %1 : tensor<?x4xf32>
  // CHECK: %[[T:.+]] = wl.tanh %[[GT]] : tensor<?x4xf32>
  %3 = wl.tanh %2 : tensor<?x4xf32>
  // CHECK: %[[S:.+]] = wl.sigmoid %[[T]] : tensor<?x4xf32>
  %4 = wl.sigmoid %3 : tensor<?x4xf32>
  // CHECK: %[[A:.+]] = wl.abs %[[S]] : tensor<?x4xf32>
  %5 = wl.abs %4 : tensor<?x4xf32>
  // CHECK: %[[I:.+]] = wl.identity %[[A]] : tensor<?x4xf32>
  %6 = wl.identity %5 : tensor<?x4xf32>
  // CHECK: return %[[I]]
  return %6 : tensor<?x4xf32>
}

// Activations are elementwise on any ranked f32 tensor.
// CHECK-LABEL: func.func @activation_rank1(
func.func @activation_rank1(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: wl.tanh %{{.+}} : tensor<4xf32>
  %0 = wl.tanh %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @activation_grad(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @activation_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>)
    -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>,
        tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  // CHECK: wl.activation_grad "relu" %[[X]], %[[DY]] : tensor<?x4xf32>
  %0 = wl.activation_grad "relu" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "gelu" %[[X]], %[[DY]] : tensor<?x4xf32>
  %1 = wl.activation_grad "gelu" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "gelu_tanh" %[[X]], %[[DY]] : tensor<?x4xf32>
  %2 = wl.activation_grad "gelu_tanh" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "tanh" %[[X]], %[[DY]] : tensor<?x4xf32>
  %3 = wl.activation_grad "tanh" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "sigmoid" %[[X]], %[[DY]] : tensor<?x4xf32>
  %4 = wl.activation_grad "sigmoid" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "abs" %[[X]], %[[DY]] : tensor<?x4xf32>
  %5 = wl.activation_grad "abs" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "identity" %[[X]], %[[DY]] : tensor<?x4xf32>
  %6 = wl.activation_grad "identity" %x, %dy : tensor<?x4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>,
      tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// CHECK-LABEL: func.func @groupsort(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @groupsort(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.groupsort %[[X]], 2 : tensor<?x4xf32>
  %0 = wl.groupsort %x, 2 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @groupsort_grad(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @groupsort_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.groupsort_grad %[[X]], %[[DY]], 4 : tensor<?x4xf32>
  %0 = wl.groupsort_grad %x, %dy, 4 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

//===----------------------------------------------------------------------===//
// Losses.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cross_entropy(
// CHECK-SAME: %[[Z:[a-zA-Z0-9_]+]]: tensor<?x10xf32>
// CHECK-SAME: %[[Y:[a-zA-Z0-9_]+]]: tensor<?xi32>
func.func @cross_entropy(%z: tensor<?x10xf32>, %y: tensor<?xi32>) -> f32 {
  // CHECK: wl.cross_entropy %[[Z]], %[[Y]] : tensor<?x10xf32>, tensor<?xi32>
  %0 = wl.cross_entropy %z, %y : tensor<?x10xf32>, tensor<?xi32>
  return %0 : f32
}

// CHECK-LABEL: func.func @cross_entropy_grad(
// CHECK-SAME: %[[Z:[a-zA-Z0-9_]+]]: tensor<?x10xf32>
// CHECK-SAME: %[[Y:[a-zA-Z0-9_]+]]: tensor<?xi32>
// CHECK-SAME: %[[DL:[a-zA-Z0-9_]+]]: f32
func.func @cross_entropy_grad(%z: tensor<?x10xf32>, %y: tensor<?xi32>, %dl: f32)
    -> tensor<?x10xf32> {
  // CHECK: wl.cross_entropy_grad %[[Z]], %[[Y]], %[[DL]] : tensor<?x10xf32>, tensor<?xi32>
  %0 = wl.cross_entropy_grad %z, %y, %dl : tensor<?x10xf32>, tensor<?xi32>
  return %0 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @mse(
// CHECK-SAME: %[[Z:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
// CHECK-SAME: %[[T:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
func.func @mse(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>) -> f32 {
  // CHECK: wl.mse %[[Z]], %[[T]] : tensor<?x3xf32>
  %0 = wl.mse %z, %t : tensor<?x3xf32>
  return %0 : f32
}

// CHECK-LABEL: func.func @mse_grad(
// CHECK-SAME: %[[Z:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
// CHECK-SAME: %[[T:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
// CHECK-SAME: %[[DL:[a-zA-Z0-9_]+]]: f32
func.func @mse_grad(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>, %dl: f32) -> tensor<?x3xf32> {
  // CHECK: wl.mse_grad %[[Z]], %[[T]], %[[DL]] : tensor<?x3xf32>
  %0 = wl.mse_grad %z, %t, %dl : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
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

//===----------------------------------------------------------------------===//
// Constraints: the declarations wl-generate-constraints reads and writes,
// and the projections it inserts.
//===----------------------------------------------------------------------===//

// A constrained parameter: `constraints` as MLIRGen writes them, and a state
// tensor of its own shape (`state_types`, one per state; the power-iteration
// vector is [OUT]).
// CHECK: wl.param @cw : tensor<4x8xf32>
// CHECK-SAME: constraints = [{c = 1.000000e+00 : f64, kind = "spectral_bound", method = "normalize", strict = false}, {c = 2.000000e+00 : f64, kind = "norm_bound", norm = "row"}, {kind = "rank_at_most", r = 2 : i64}]
// CHECK-SAME: state = ["momentum_buffer", "power_u"]
// CHECK-SAME: state_types = [tensor<4x8xf32>, tensor<4xf32>]
// CHECK-SAME: trainable
wl.param @cw : tensor<4x8xf32> {init = {kind = "normal", std = 0.1 : f64}, trainable,
    state = ["momentum_buffer", "power_u"], state_types = [tensor<4x8xf32>, tensor<4xf32>],
    constraints = [{kind = "spectral_bound", c = 1.0 : f64, method = "normalize", strict = false},
                   {kind = "norm_bound", c = 2.0 : f64, norm = "row"},
                   {kind = "rank_at_most", r = 2 : i64}]}

// A state tensor with its own type is addressed with that type.
// CHECK-LABEL: func.func @state_own_type(
func.func @state_own_type() {
  // CHECK: %[[U:.+]] = wl.state_ref @cw["power_u"] : tensor<4xf32>
  %u = wl.state_ref @cw["power_u"] : tensor<4xf32>
  // CHECK: wl.state_store @cw["power_u"], %[[U]] : tensor<4xf32>
  wl.state_store @cw["power_u"], %u : tensor<4xf32>
  // CHECK: wl.state_ref @cw["momentum_buffer"] : tensor<4x8xf32>
  %m = wl.state_ref @cw["momentum_buffer"] : tensor<4x8xf32>
  return
}

// CHECK-LABEL: func.func @power_iteration(
// CHECK-SAME: %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[U:[a-zA-Z0-9_]+]]: tensor<4xf32>
func.func @power_iteration(%w: tensor<4x8xf32>, %u: tensor<4xf32>) -> (tensor<4xf32>, f32) {
  // CHECK: %[[NU:[a-zA-Z0-9_]+]], %[[S:[a-zA-Z0-9_]+]] = wl.power_iteration %[[W]], %[[U]] {iterations = 3 : i64} : tensor<4x8xf32>, tensor<4xf32>
  %0, %1 = wl.power_iteration %w, %u {iterations = 3 : i64} : tensor<4x8xf32>, tensor<4xf32>
  // CHECK: return %[[NU]], %[[S]] : tensor<4xf32>, f32
  return %0, %1 : tensor<4xf32>, f32
}

// CHECK-LABEL: func.func @spectral_projections(
// CHECK-SAME: %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[U:[a-zA-Z0-9_]+]]: tensor<4xf32>
// CHECK-SAME: %[[S:[a-zA-Z0-9_]+]]: f32
func.func @spectral_projections(%w: tensor<4x8xf32>, %u: tensor<4xf32>, %s: f32) -> tensor<4x8xf32> {
  // CHECK: %[[R:.+]] = wl.spectral_rescale %[[W]], %[[S]] {bound = 1.000000e+00 : f64} : tensor<4x8xf32>
  %0 = wl.spectral_rescale %w, %s {bound = 1.0 : f64} : tensor<4x8xf32>
  // CHECK: %[[H:.+]] = wl.spectral_hammer %[[R]], %[[U]], %[[S]] {bound = 2.000000e+00 : f64} : tensor<4x8xf32>, tensor<4xf32>
  %1 = wl.spectral_hammer %0, %u, %s {bound = 2.0 : f64} : tensor<4x8xf32>, tensor<4xf32>
  // CHECK: %[[HC:.+]] = wl.spectral_hard_cap %[[H]] {bound = 5.000000e-01 : f64} : tensor<4x8xf32>
  %2 = wl.spectral_hard_cap %1 {bound = 0.5 : f64} : tensor<4x8xf32>
  // CHECK: %[[SC:.+]] = wl.spectral_soft_cap %[[HC]] {alpha = 1.250000e-01 : f64} : tensor<4x8xf32>
  %3 = wl.spectral_soft_cap %2 {alpha = 0.125 : f64} : tensor<4x8xf32>
  // alpha = 0 (an update that cannot leave the set) is allowed.
  // CHECK: %[[SC0:.+]] = wl.spectral_soft_cap %[[SC]] {alpha = 0.000000e+00 : f64} : tensor<4x8xf32>
  %4 = wl.spectral_soft_cap %3 {alpha = 0.0 : f64} : tensor<4x8xf32>
  // CHECK: return %[[SC0]]
  return %4 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @norm_bound(
// CHECK-SAME: %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
func.func @norm_bound(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[F:.+]] = wl.norm_bound %[[W]], "frobenius" {bound = 3.000000e+00 : f64} : tensor<4x8xf32>
  %0 = wl.norm_bound %w, "frobenius" {bound = 3.0 : f64} : tensor<4x8xf32>
  // CHECK: %[[R:.+]] = wl.norm_bound %[[F]], "row" {bound = 2.000000e+00 : f64} : tensor<4x8xf32>
  %1 = wl.norm_bound %0, "row" {bound = 2.0 : f64} : tensor<4x8xf32>
  // CHECK: %[[C:.+]] = wl.norm_bound %[[R]], "column" {bound = 1.000000e+00 : f64} : tensor<4x8xf32>
  %2 = wl.norm_bound %1, "column" {bound = 1.0 : f64} : tensor<4x8xf32>
  // CHECK: return %[[C]]
  return %2 : tensor<4x8xf32>
}

// The polar iteration, with a given scale (an estimate of σ_max) or from
// ‖W‖_F (no scale operand).
// CHECK-LABEL: func.func @polar_iteration(
// CHECK-SAME: %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[S:[a-zA-Z0-9_]+]]: f32
func.func @polar_iteration(%w: tensor<4x8xf32>, %s: f32) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: %[[P:.+]] = wl.polar_iteration %[[W]], %[[S]] {steps = 6 : i64} : tensor<4x8xf32>
  %0 = wl.polar_iteration %w, %s {steps = 6 : i64} : tensor<4x8xf32>
  // CHECK: %[[F:.+]] = wl.polar_iteration %[[W]] {steps = 40 : i64} : tensor<4x8xf32>
  %1 = wl.polar_iteration %w {steps = 40 : i64} : tensor<4x8xf32>
  // CHECK: return %[[P]], %[[F]]
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @project_param(
func.func @project_param() {
  // CHECK: wl.project_param @cw "svd_clip", 1.000000e+00{{$}}
  wl.project_param @cw "svd_clip", 1.0
  // CHECK: wl.project_param @cw "rank_at_most", 2.000000e+00{{$}}
  wl.project_param @cw "rank_at_most", 2.0
  // CHECK: wl.project_param @cw "strict", 7.500000e-01{{$}}
  wl.project_param @cw "strict", 0.75
  return
}
