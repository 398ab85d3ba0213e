// RUN: wl-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the optimizer ops (OptimizerOps.cpp): wl.optimizer_group,
// wl.schedule, wl.schedule_factor, the update ops and
// wl.orthonormal_penalty_grad.
// The MSG lines name messages of the verifiers, each contained in some
// expected-error of the *-invalid.mlir files of this directory; see
// params-invalid.mlir for the check.
// MSG ' must be >= 0, got
// MSG ' must be > 0, got
// MSG ' must be in [0, 1), got
// MSG (expected sgd, adamw, muon, lion or adamp)
// MSG missing hyperparameter '
// MSG ' must be a bool
// MSG ' must be a float
// MSG unknown hyperparameter '
// MSG 'wl.optimizer_group' op nesterov needs momentum > 0
// MSG needs at least one target
// MSG is not a flat symbol reference
// MSG op target 'p' does not name a wl.param
// MSG op target 'p' is frozen
// MSG is listed twice
// MSG (expected constant, warmup_linear or warmup_cosine)
// MSG warmup must be >= 0, got
// MSG must be greater than warmup (
// MSG momentum > 0 needs a momentum buffer operand
// MSG momentum = 0 takes no momentum buffer
// MSG returns a new momentum buffer exactly when it takes one
// MSG momentum buffer type must equal the parameter type
// MSG 'wl.sgd_update' op nesterov needs momentum > 0
// MSG 'wl.orthonormal_penalty_grad' op needs a statically shaped matrix
// MSG 'weight' must be finite and >= 0, got

//===----------------------------------------------------------------------===//
// wl.optimizer_group
//===----------------------------------------------------------------------===//

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op unknown optimizer 'rmsprop' (expected sgd, adamw, muon, lion or adamp)}}
wl.optimizer_group "rmsprop" [@p] {hyper = {lr = 0.02 : f64}}

// -----

// expected-error @+1 {{'wl.optimizer_group' op needs at least one target}}
wl.optimizer_group "sgd" [] {hyper = {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op missing hyperparameter 'momentum' of sgd}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 0.1 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op missing hyperparameter 'eps' of adamw}}
wl.optimizer_group "adamw" [@p] {hyper = {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.875 : f64, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'nesterov' must be a bool}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = 1.0 : f64, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'lr' must be a float}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 1 : i64, momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'lr' must be >= 0, got -1.000000e-01}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = -0.1 : f64, momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'momentum' must be in [0, 1), got 1.000000e+00}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 0.1 : f64, momentum = 1.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'weight_decay' must be >= 0, got -1.000000e+00}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = false, weight_decay = -1.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'beta1' must be in [0, 1), got 1.000000e+00}}
wl.optimizer_group "adamw" [@p] {hyper = {lr = 1.0e-3 : f64, beta1 = 1.0 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'beta2' must be in [0, 1), got -5.000000e-01}}
wl.optimizer_group "adamw" [@p] {hyper = {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = -0.5 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'eps' must be > 0, got 0.000000e+00}}
wl.optimizer_group "adamw" [@p] {hyper = {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = 0.0 : f64, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'lr' must be >= 0, got -1.000000e-03}}
wl.optimizer_group "adamw" [@p] {hyper = {lr = -1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'weight_decay' must be >= 0, got -1.000000e-02}}
wl.optimizer_group "adamw" [@p] {hyper = {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = -0.01 : f64}}

// -----

// sgd has no betas.
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op unknown hyperparameter 'beta1' of sgd}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64, beta1 = 0.9 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op nesterov needs momentum > 0}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = true, weight_decay = 0.0 : f64}}

// -----

// expected-error @+1 {{'wl.optimizer_group' op target 'p' does not name a wl.param}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>}
// expected-error @+1 {{'wl.optimizer_group' op target 'p' is frozen}}
wl.optimizer_group "sgd" [@p] {hyper = {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @q : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op target 'p' is listed twice}}
wl.optimizer_group "sgd" [@p, @q, @p] {hyper = {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op target @p::@q is not a flat symbol reference}}
wl.optimizer_group "sgd" [@p::@q] {hyper = {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}

// -----

// Generated constraint: targets are symbol references.
// expected-error @+1 {{'wl.optimizer_group' op attribute 'targets' failed to satisfy constraint: symbol ref array attribute}}
"wl.optimizer_group"() <{optimizer = "sgd", targets = ["p"], hyper = {lr = 0.1 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}> : () -> ()

// -----

//===----------------------------------------------------------------------===//
// wl.schedule, wl.schedule_factor
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'wl.schedule' op unknown schedule 'step' (expected constant, warmup_linear or warmup_cosine)}}
wl.schedule "step"

// -----

// expected-error @+1 {{'wl.schedule' op warmup must be >= 0, got -1}}
wl.schedule "warmup_linear" {warmup = -1, total = 100}

// -----

// expected-error @+1 {{'wl.schedule' op total (100) must be greater than warmup (100)}}
wl.schedule "warmup_cosine" {warmup = 100, total = 100}

// -----

// `total` defaults to 0.
// expected-error @+1 {{'wl.schedule' op total (0) must be greater than warmup (0)}}
wl.schedule "warmup_linear"

// -----

func.func @schedule_in_func() {
  // expected-error @+1 {{'wl.schedule' op expects parent op 'builtin.module'}}
  wl.schedule "constant"
  return
}

// -----

func.func @schedule_factor_unknown(%t: i64) -> f32 {
  // expected-error @+1 {{'wl.schedule_factor' op unknown schedule 'exponential' (expected constant, warmup_linear or warmup_cosine)}}
  %0 = wl.schedule_factor "exponential" %t
  return %0 : f32
}

// -----

func.func @schedule_factor_warmup(%t: i64) -> f32 {
  // expected-error @+1 {{'wl.schedule_factor' op warmup must be >= 0, got -5}}
  %0 = wl.schedule_factor "warmup_cosine" %t {warmup = -5, total = 10}
  return %0 : f32
}

// -----

func.func @schedule_factor_total(%t: i64) -> f32 {
  // expected-error @+1 {{'wl.schedule_factor' op total (10) must be greater than warmup (20)}}
  %0 = wl.schedule_factor "warmup_linear" %t {warmup = 20, total = 10}
  return %0 : f32
}

// -----

// Generated constraint: the step is an i64.
func.func @schedule_factor_step(%t: i32) -> f32 {
  // expected-error @+1 {{'wl.schedule_factor' op operand #0 must be 64-bit signless integer, but got 'i32'}}
  %0 = "wl.schedule_factor"(%t) <{kind = "constant"}> : (i32) -> f32
  return %0 : f32
}

// -----

//===----------------------------------------------------------------------===//
// wl.sgd_update
//===----------------------------------------------------------------------===//

func.func @sgd_momentum_range(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %lr: f32)
    -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'wl.sgd_update' op 'momentum' must be in [0, 1), got 1.500000e+00}}
  %0, %1 = wl.sgd_update %p, %g, buffer %b : tensor<4xf32>, %lr {momentum = 1.5 : f64, nesterov = false, weight_decay = 0.0 : f64} : tensor<4xf32>, tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @sgd_weight_decay(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: f32) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.sgd_update' op 'weight_decay' must be >= 0, got -1.000000e-01}}
  %0 = "wl.sgd_update"(%p, %g, %lr) <{momentum = 0.0 : f64, nesterov = false, weight_decay = -0.1 : f64}> : (tensor<4xf32>, tensor<4xf32>, f32) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @sgd_needs_buffer(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: f32) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.sgd_update' op momentum > 0 needs a momentum buffer operand}}
  %0 = "wl.sgd_update"(%p, %g, %lr) <{momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64}> : (tensor<4xf32>, tensor<4xf32>, f32) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @sgd_no_buffer(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %lr: f32)
    -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'wl.sgd_update' op momentum = 0 takes no momentum buffer}}
  %0, %1 = wl.sgd_update %p, %g, buffer %b : tensor<4xf32>, %lr {momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64} : tensor<4xf32>, tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @sgd_no_new_buffer(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %lr: f32)
    -> tensor<4xf32> {
  // expected-error @+1 {{'wl.sgd_update' op returns a new momentum buffer exactly when it takes one}}
  %0 = wl.sgd_update %p, %g, buffer %b : tensor<4xf32>, %lr {momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @sgd_extra_new_buffer(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: f32)
    -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'wl.sgd_update' op returns a new momentum buffer exactly when it takes one}}
  %0, %1 = "wl.sgd_update"(%p, %g, %lr) <{momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}> : (tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @sgd_buffer_type(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>, %lr: f32)
    -> (tensor<4xf32>, tensor<8xf32>) {
  // expected-error @+1 {{'wl.sgd_update' op momentum buffer type must equal the parameter type}}
  %0, %1 = wl.sgd_update %p, %g, buffer %b : tensor<8xf32>, %lr {momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64} : tensor<4xf32>, tensor<8xf32>
  return %0, %1 : tensor<4xf32>, tensor<8xf32>
}

// -----

func.func @sgd_new_buffer_type(%p: tensor<4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %lr: f32)
    -> (tensor<4xf32>, tensor<2x2xf32>) {
  // expected-error @+1 {{'wl.sgd_update' op momentum buffer type must equal the parameter type}}
  %0, %1 = wl.sgd_update %p, %g, buffer %b : tensor<4xf32>, %lr {momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64} : tensor<4xf32>, tensor<2x2xf32>
  return %0, %1 : tensor<4xf32>, tensor<2x2xf32>
}

// -----

func.func @sgd_nesterov(%p: tensor<4xf32>, %g: tensor<4xf32>, %lr: f32) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.sgd_update' op nesterov needs momentum > 0}}
  %0 = "wl.sgd_update"(%p, %g, %lr) <{momentum = 0.0 : f64, nesterov = true, weight_decay = 0.0 : f64}> : (tensor<4xf32>, tensor<4xf32>, f32) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Generated constraint (AllTypesMatch).
func.func @sgd_grad_type(%p: tensor<4xf32>, %g: tensor<8xf32>, %lr: f32) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.sgd_update' op failed to verify that all of {param, grad, new_param} have same type}}
  %0 = "wl.sgd_update"(%p, %g, %lr) <{momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}> : (tensor<4xf32>, tensor<8xf32>, f32) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// wl.adamw_update
//===----------------------------------------------------------------------===//

func.func @adamw_beta1(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>,
                       %lr: f32, %t: i64) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.adamw_update' op 'beta1' must be in [0, 1), got 1.000000e+00}}
  %0:3 = wl.adamw_update %p, %g, %m, %v, %lr, %t {beta1 = 1.0 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----

func.func @adamw_beta2(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>,
                       %lr: f32, %t: i64) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.adamw_update' op 'beta2' must be in [0, 1), got 2.000000e+00}}
  %0:3 = wl.adamw_update %p, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 2.0 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----

func.func @adamw_eps(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>,
                     %lr: f32, %t: i64) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.adamw_update' op 'eps' must be > 0, got -1.000000e-08}}
  %0:3 = wl.adamw_update %p, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = -1.0e-8 : f64, weight_decay = 0.0 : f64} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----

func.func @adamw_weight_decay(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>,
                              %lr: f32, %t: i64) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.adamw_update' op 'weight_decay' must be >= 0, got -5.000000e-01}}
  %0:3 = wl.adamw_update %p, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = -0.5 : f64} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----

// Generated constraint (AllTypesMatch).
func.func @adamw_state_type(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<8xf32>, %v: tensor<4xf32>,
                            %lr: f32, %t: i64) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.adamw_update' op failed to verify that all of {param, grad, exp_avg, exp_avg_sq, new_param, new_exp_avg, new_exp_avg_sq} have same type}}
  %0:3 = "wl.adamw_update"(%p, %g, %m, %v, %lr, %t) <{beta1 = 0.9 : f64, beta2 = 0.875 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64}> : (tensor<4xf32>, tensor<4xf32>, tensor<8xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// wl.newton_schulz, wl.muon_update, wl.lion_update, wl.adamp_update
//===----------------------------------------------------------------------===//

func.func @ns_steps(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.newton_schulz' op 'steps' must be >= 1, got 0}}
  %0 = wl.newton_schulz %x {a = 3.4445 : f64, b = -4.7750 : f64, c = 2.0315 : f64, steps = 0 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @ns_dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'wl.newton_schulz' op needs a statically shaped matrix}}
  %0 = wl.newton_schulz %x {a = 3.4445 : f64, b = -4.7750 : f64, c = 2.0315 : f64, steps = 5 : i64} : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @muon_vector(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %lr: f32) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.muon_update' op operand #0 must be 2D tensor of 32-bit float values}}
  %0:2 = wl.muon_update %p, %g, %m, %lr {momentum = 0.95 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.0 : f64} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----

func.func @muon_ns_steps(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %lr: f32) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.muon_update' op 'ns_steps' must be >= 1, got 0}}
  %0:2 = wl.muon_update %p, %g, %m, %lr {momentum = 0.95 : f64, nesterov = true, ns_steps = 0 : i64, weight_decay = 0.0 : f64} : tensor<4x8xf32>
  return %0#0 : tensor<4x8xf32>
}

// -----

func.func @muon_dynamic(%p: tensor<?x8xf32>, %g: tensor<?x8xf32>, %m: tensor<?x8xf32>, %lr: f32) -> tensor<?x8xf32> {
  // expected-error @+1 {{'wl.muon_update' op needs a statically shaped matrix}}
  %0:2 = wl.muon_update %p, %g, %m, %lr {momentum = 0.95 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.0 : f64} : tensor<?x8xf32>
  return %0#0 : tensor<?x8xf32>
}

// -----

func.func @muon_momentum(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %lr: f32) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.muon_update' op 'momentum' must be in [0, 1), got 1.000000e+00}}
  %0:2 = wl.muon_update %p, %g, %m, %lr {momentum = 1.0 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.0 : f64} : tensor<4x8xf32>
  return %0#0 : tensor<4x8xf32>
}

// -----

func.func @lion_beta2(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %lr: f32) -> tensor<4xf32> {
  // expected-error @+1 {{'wl.lion_update' op 'beta2' must be in [0, 1), got 1.500000e+00}}
  %0:2 = wl.lion_update %p, %g, %m, %lr {beta1 = 0.9 : f64, beta2 = 1.5 : f64, weight_decay = 0.0 : f64} : tensor<4xf32>
  return %0#0 : tensor<4xf32>
}

// -----

func.func @adamp_delta(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %v: tensor<4x8xf32>, %lr: f32, %t: i64) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.adamp_update' op 'delta' must be >= 0, got -1.000000e-01}}
  %0:3 = wl.adamp_update %p, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.0 : f64, delta = -0.1 : f64, wd_ratio = 0.1 : f64} : tensor<4x8xf32>
  return %0#0 : tensor<4x8xf32>
}

// -----

wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'ns_steps' must be an integer}}
wl.optimizer_group "muon" [@p] {hyper = {lr = 0.02 : f64, momentum = 0.95 : f64, nesterov = true, ns_steps = 5.0 : f64, weight_decay = 0.0 : f64}}

// -----

wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{'wl.optimizer_group' op 'ns_steps' must be >= 1, got 0}}
wl.optimizer_group "muon" [@p] {hyper = {lr = 0.02 : f64, momentum = 0.95 : f64, nesterov = true, ns_steps = 0 : i64, weight_decay = 0.0 : f64}}

//===----------------------------------------------------------------------===//
// wl.orthonormal_penalty_grad
//===----------------------------------------------------------------------===//

// -----

func.func @penalty_negative(%a: tensor<3x8xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{'wl.orthonormal_penalty_grad' op 'weight' must be finite and >= 0, got -1.000000e+00}}
  %0 = wl.orthonormal_penalty_grad %a {transposed = false, weight = -1.0 : f64} : tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

func.func @penalty_infinite(%a: tensor<3x8xf32>) -> tensor<3x8xf32> {
  // expected-error @+1 {{'wl.orthonormal_penalty_grad' op 'weight' must be finite and >= 0, got INF}}
  %0 = wl.orthonormal_penalty_grad %a {transposed = false, weight = 0x7FF0000000000000 : f64} : tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

func.func @penalty_dynamic(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'wl.orthonormal_penalty_grad' op needs a statically shaped matrix}}
  %0 = wl.orthonormal_penalty_grad %a {transposed = false, weight = 1.0 : f64} : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @penalty_vector(%s: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'wl.orthonormal_penalty_grad' op operand #0 must be 2D tensor of 32-bit float values}}
  %0 = wl.orthonormal_penalty_grad %s {transposed = false, weight = 1.0 : f64} : tensor<3xf32>
  return %0 : tensor<3xf32>
}
