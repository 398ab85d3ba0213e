// RUN: wl-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the constraints (ConstraintOps.cpp and the constraint
// attributes of wl.param): wl.param's `state_types` and `constraints`, the
// state access with a state's own type, and the projections.
// The MSG lines name messages of the verifiers, each contained in some
// expected-error of the *-invalid.mlir files of this directory; see
// params-invalid.mlir for the check.
// MSG needs one state type per state tensor
// MSG state types must be statically shaped f32 tensors
// MSG needs a positive, finite 'c', got
// MSG with method clamp needs the structure whose scale it clamps
// MSG rank_at_most needs an integer 'r' >= 1, got
// MSG a retraction names the structure whose factor it keeps orthonormal
// MSG ' does not match state '
// MSG needs a statically shaped matrix, got
// MSG 'iterations' must be >= 1, got
// MSG 'wl.polar_iteration' op 'steps' must be >= 1, got
// MSG u must be a vector of the weight's OUT size
// MSG bound must be > 0, got
// MSG rank must be a positive integer, got
// MSG 'wl.project_param' op 'p' does not name a wl.param
// MSG 'wl.project_param' op 'p' is neither a matrix nor a stack of them
// MSG methods product_clip and row_block_scale and a partner go together
// MSG 'transposed' needs a partner
// MSG a 'partner' goes with product_clip and row_block_scale and only with them
// MSG row_block_scale takes no 'transposed' or 'left'
// MSG row_block_scale needs B [ni, r, r] and a base [ni·r, nj·r], got
// MSG 'transposed' needs a 'partner'
// MSG partner 'q' does not name a wl.param
// MSG product_clip needs U [m, r] and a partner
// MSG a 'left' factor needs a 'partner'
// MSG 'fixed' needs a 'left' factor
// MSG product_clip of U diag(d) Vᵀ needs U [m, r], d [r] and a partner
// MSG a 'left' factor needs a partner
// MSG 'fixed' needs a 'left' factor

//===----------------------------------------------------------------------===//
// wl.param's `state_types` and `constraints`, the state access with a
// state's own type.
//===----------------------------------------------------------------------===//

// state_types without state.
// expected-error @+1 {{'wl.param' op needs one state type per state tensor}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, state_types = [tensor<4xf32>]}

// -----

// expected-error @+1 {{'wl.param' op needs one state type per state tensor}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
                               state = ["momentum_buffer", "power_u"], state_types = [tensor<4xf32>]}

// -----

// expected-error @+1 {{'wl.param' op state types must be statically shaped f32 tensors}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
                               state = ["power_u"], state_types = [tensor<?xf32>]}

// -----

// expected-error @+1 {{'wl.param' op state types must be statically shaped f32 tensors}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
                               state = ["power_u"], state_types = [tensor<4xf16>]}

// -----

// expected-error @+1 {{'wl.param' op state types must be statically shaped f32 tensors}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
                               state = ["power_u"], state_types = [f32]}

// -----

// expected-error @+1 {{custom op 'wl.param' 'wl.param' op attribute 'constraints' failed to satisfy constraint: constraints, in the order written}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
                               constraints = [#wl.norm_bound<c = 1.0, norm = row>, {c = 1.0 : f64}]}

// -----

// expected-error @+1 {{custom op 'wl.param' 'wl.param' op attribute 'constraints' failed to satisfy constraint: constraints, in the order written}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [{kind = 1 : i64}]}

// -----

// Generated constraint: constraints are dictionaries.
// expected-error @+1 {{custom op 'wl.param' 'wl.param' op attribute 'constraints' failed to satisfy constraint: constraints, in the order written}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = ["spectral_bound"]}

// -----

// A state with its own type is addressed with that type, not the parameter's.
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
                               state = ["power_u"], state_types = [tensor<4xf32>]}
func.func @state_ref_own_type() -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.state_ref' op type 'tensor<4x8xf32>' does not match state 'power_u' of 'p' of type 'tensor<4xf32>'}}
  %0 = wl.state_ref @p["power_u"] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A state without a type of its own has the parameter's.
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, state = ["momentum_buffer"]}
func.func @state_store_default_type(%u: tensor<4xf32>) {
  // expected-error @+1 {{'wl.state_store' op type 'tensor<4xf32>' does not match state 'momentum_buffer' of 'p' of type 'tensor<4x8xf32>'}}
  wl.state_store @p["momentum_buffer"], %u : tensor<4xf32>
  return
}

// -----

wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
                               state = ["momentum_buffer", "power_u"],
                               state_types = [tensor<4x8xf32>, tensor<4xf32>]}
func.func @state_store_own_type(%m: tensor<4x8xf32>) {
  // expected-error @+1 {{'wl.state_store' op type 'tensor<4x8xf32>' does not match state 'power_u' of 'p' of type 'tensor<4xf32>'}}
  wl.state_store @p["power_u"], %m : tensor<4x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// wl.power_iteration
//===----------------------------------------------------------------------===//

func.func @power_iteration_dynamic(%w: tensor<?x8xf32>, %u: tensor<4xf32>) -> f32 {
  // expected-error @+1 {{'wl.power_iteration' op needs a statically shaped matrix, got 'tensor<?x8xf32>'}}
  %0, %1 = wl.power_iteration %w, %u {iterations = 1 : i64} : tensor<?x8xf32>, tensor<4xf32>
  return %1 : f32
}

// -----

func.func @power_iteration_zero(%w: tensor<4x8xf32>, %u: tensor<4xf32>) -> f32 {
  // expected-error @+1 {{'wl.power_iteration' op 'iterations' must be >= 1, got 0}}
  %0, %1 = wl.power_iteration %w, %u {iterations = 0 : i64} : tensor<4x8xf32>, tensor<4xf32>
  return %1 : f32
}

// -----

// u is [OUT], not [IN].
func.func @power_iteration_u(%w: tensor<4x8xf32>, %u: tensor<8xf32>) -> f32 {
  // expected-error @+1 {{'wl.power_iteration' op u must be a vector of the weight's OUT size}}
  %0, %1 = wl.power_iteration %w, %u {iterations = 1 : i64} : tensor<4x8xf32>, tensor<8xf32>
  return %1 : f32
}

// -----

// Generated constraint (AllTypesMatch): the new u has u's type.
func.func @power_iteration_new_u(%w: tensor<4x8xf32>, %u: tensor<4xf32>) -> f32 {
  // expected-error @+1 {{'wl.power_iteration' op failed to verify that all of {u, new_u} have same type}}
  %0, %1 = "wl.power_iteration"(%w, %u) <{iterations = 1 : i64}> : (tensor<4x8xf32>, tensor<4xf32>) -> (tensor<8xf32>, f32)
  return %1 : f32
}

// -----

// Generated constraint: u is a vector.
func.func @power_iteration_u_rank(%w: tensor<4x8xf32>, %u: tensor<4x1xf32>) -> f32 {
  // expected-error @+1 {{'wl.power_iteration' op operand #1 must be 1D tensor of 32-bit float values}}
  %0, %1 = "wl.power_iteration"(%w, %u) <{iterations = 1 : i64}> : (tensor<4x8xf32>, tensor<4x1xf32>) -> (tensor<4x1xf32>, f32)
  return %1 : f32
}

// -----

//===----------------------------------------------------------------------===//
// wl.spectral_rescale, wl.spectral_hammer
//===----------------------------------------------------------------------===//

func.func @rescale_zero(%w: tensor<4x8xf32>, %s: f32) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.spectral_rescale' op bound must be > 0, got 0.000000e+00}}
  %0 = wl.spectral_rescale %w, %s {bound = 0.0 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @rescale_negative(%w: tensor<4x8xf32>, %s: f32) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.spectral_rescale' op bound must be > 0, got -1.500000e+00}}
  %0 = wl.spectral_rescale %w, %s {bound = -1.5 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Generated constraint (AllTypesMatch).
func.func @rescale_result(%w: tensor<4x8xf32>, %s: f32) -> tensor<8x4xf32> {
  // expected-error @+1 {{'wl.spectral_rescale' op failed to verify that all of {weight, result} have same type}}
  %0 = "wl.spectral_rescale"(%w, %s) <{bound = 1.0 : f64}> : (tensor<4x8xf32>, f32) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @hammer_dynamic(%w: tensor<4x?xf32>, %u: tensor<4xf32>, %s: f32) -> tensor<4x?xf32> {
  // expected-error @+1 {{'wl.spectral_hammer' op needs a statically shaped matrix, got 'tensor<4x?xf32>'}}
  %0 = wl.spectral_hammer %w, %u, %s {bound = 1.0 : f64} : tensor<4x?xf32>, tensor<4xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @hammer_u(%w: tensor<4x8xf32>, %u: tensor<8xf32>, %s: f32) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.spectral_hammer' op u must be a vector of the weight's OUT size}}
  %0 = wl.spectral_hammer %w, %u, %s {bound = 1.0 : f64} : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @hammer_bound(%w: tensor<4x8xf32>, %u: tensor<4xf32>, %s: f32) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.spectral_hammer' op bound must be > 0, got -1.000000e+00}}
  %0 = wl.spectral_hammer %w, %u, %s {bound = -1.0 : f64} : tensor<4x8xf32>, tensor<4xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// wl.spectral_hard_cap, wl.spectral_soft_cap, wl.norm_bound
//===----------------------------------------------------------------------===//

func.func @hard_cap_dynamic(%w: tensor<?x?xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{'wl.spectral_hard_cap' op needs a statically shaped matrix, got 'tensor<?x?xf32>'}}
  %0 = wl.spectral_hard_cap %w {bound = 1.0 : f64} : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @hard_cap_bound(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.spectral_hard_cap' op bound must be > 0, got 0.000000e+00}}
  %0 = wl.spectral_hard_cap %w {bound = 0.0 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Generated constraint (SameOperandsAndResultType).
func.func @hard_cap_result(%w: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'wl.spectral_hard_cap' op requires the same type for all operands and results}}
  %0 = "wl.spectral_hard_cap"(%w) <{bound = 1.0 : f64}> : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @soft_cap_dynamic(%w: tensor<?x8xf32>, %alpha: f32) -> tensor<?x8xf32> {
  // expected-error @+1 {{'wl.spectral_soft_cap' op needs a statically shaped matrix, got 'tensor<?x8xf32>'}}
  %0 = wl.spectral_soft_cap %w, %alpha : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @soft_cap_strength_bound(%lr: f32) -> f32 {
  // expected-error @+1 {{'wl.soft_cap_strength' op bound must be > 0, got 0.000000e+00}}
  %0 = wl.soft_cap_strength %lr {bound = 0.0 : f64, update_bound = 1.0 : f64, weight_decay = 0.0 : f64}
  return %0 : f32
}

// -----

func.func @soft_cap_strength_update(%lr: f32) -> f32 {
  // expected-error @+1 {{'wl.soft_cap_strength' op update_bound must be >= 0, got -1.000000e+00}}
  %0 = wl.soft_cap_strength %lr {bound = 1.0 : f64, update_bound = -1.0 : f64, weight_decay = 0.0 : f64}
  return %0 : f32
}

// -----

func.func @soft_cap_strength_decay(%lr: f32) -> f32 {
  // expected-error @+1 {{'wl.soft_cap_strength' op weight_decay must be >= 0, got -1.000000e-01}}
  %0 = wl.soft_cap_strength %lr {bound = 1.0 : f64, update_bound = 1.0 : f64, weight_decay = -0.1 : f64}
  return %0 : f32
}

// -----

func.func @norm_bound_dynamic(%w: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'wl.norm_bound' op needs a statically shaped matrix, got 'tensor<?x8xf32>'}}
  %0 = wl.norm_bound %w, row {bound = 1.0 : f64} : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @norm_bound_norm(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{custom op 'wl.norm_bound' expected ::wl::NormKind to be one of: frobenius, row, column}}
  // expected-error @+1 {{custom op 'wl.norm_bound' failed to parse WL_NormKindAttr parameter 'value' which is to be a `::wl::NormKind`}}
  %0 = wl.norm_bound %w, spectral {bound = 1.0 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @norm_bound_bound(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.norm_bound' op bound must be > 0, got -2.000000e+00}}
  %0 = wl.norm_bound %w, column {bound = -2.0 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// wl.abs_clamp
//===----------------------------------------------------------------------===//

func.func @abs_clamp_bound(%s: tensor<3xf32>) {
  // expected-error @+1 {{'wl.abs_clamp' op bound must be > 0, got 0.000000e+00}}
  %y = wl.abs_clamp %s {bound = 0.0} : tensor<3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// wl.polar_iteration
//===----------------------------------------------------------------------===//

func.func @polar_dynamic(%w: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'wl.polar_iteration' op needs a statically shaped matrix, got 'tensor<?x8xf32>'}}
  %0 = wl.polar_iteration %w {steps = 6 : i64} : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @polar_steps(%w: tensor<4x8xf32>, %s: f32) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.polar_iteration' op 'steps' must be >= 1, got 0}}
  %0 = wl.polar_iteration %w, %s {steps = 0 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Generated constraint (AllTypesMatch).
func.func @polar_result(%w: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{'wl.polar_iteration' op failed to verify that all of {weight, result} have same type}}
  %0 = "wl.polar_iteration"(%w) <{steps = 1 : i64}> : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// wl.project_param
//===----------------------------------------------------------------------===//

wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @project_svd_clip_bound() {
  // expected-error @+1 {{'wl.project_param' op bound must be > 0, got 0.000000e+00}}
  wl.project_param @p svd_clip, 0.0
  return
}

// -----

wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @project_strict_bound() {
  // expected-error @+1 {{'wl.project_param' op bound must be > 0, got -1.000000e+00}}
  wl.project_param @p strict, -1.0
  return
}

// -----

wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @project_rank_fraction() {
  // expected-error @+1 {{'wl.project_param' op rank must be a positive integer, got 2.500000e+00}}
  wl.project_param @p rank_at_most, 2.5
  return
}

// -----

wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @project_rank_zero() {
  // expected-error @+1 {{'wl.project_param' op rank must be a positive integer, got 0.000000e+00}}
  wl.project_param @p rank_at_most, 0.0
  return
}

// -----

wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @project_unknown() {
  // expected-error @+2 {{custom op 'wl.project_param' expected ::wl::ProjectionKind to be one of: svd_clip, rank_at_most, strict}}
  // expected-error @+1 {{custom op 'wl.project_param' failed to parse WL_ProjectionKindAttr parameter 'value' which is to be a `::wl::ProjectionKind`}}
  wl.project_param @p orthonormal, 1.0
  return
}

// -----

func.func @project_no_param() {
  // expected-error @+1 {{'wl.project_param' op 'p' does not name a wl.param}}
  wl.project_param @p svd_clip, 1.0
  return
}

// -----

wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @project_vector() {
  // expected-error @+1 {{'wl.project_param' op 'p' is neither a matrix nor a stack of them}}
  wl.project_param @p svd_clip, 1.0
  return
}

// -----

// product_clip projects U (the parameter) with its partner V [n, r], or Vᵀ
// [r, n] when transposed: the partner goes with product_clip only, must be a
// parameter, and share the rank r.
wl.param @p : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @product_without_partner() {
  // expected-error @+1 {{'wl.project_param' op a 'partner' goes with product_clip and row_block_scale and only with them}}
  wl.project_param @p product_clip, 1.0
  return
}

// -----

wl.param @p : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @q : tensor<3x2xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @partner_without_product() {
  // expected-error @+1 {{'wl.project_param' op a 'partner' goes with product_clip and row_block_scale and only with them}}
  wl.project_param @p svd_clip, 1.0 {partner = @q}
  return
}

// -----

wl.param @p : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @transposed_without_partner() {
  // expected-error @+1 {{'wl.project_param' op 'transposed' needs a 'partner'}}
  wl.project_param @p svd_clip, 1.0 {transposed}
  return
}

// -----

wl.param @p : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @unknown_partner() {
  // expected-error @+1 {{'wl.project_param' op partner 'q' does not name a wl.param}}
  wl.project_param @p product_clip, 1.0 {partner = @q}
  return
}

// -----

wl.param @p : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @q : tensor<3x2xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @rank_mismatch() {
  // Vᵀ [r, n] needs r = 2 rows; q has 3.
  // expected-error @+1 {{'wl.project_param' op product_clip needs U [m, r] and a partner V^T [r, n], got 'tensor<4x2xf32>' and 'tensor<3x2xf32>'}}
  wl.project_param @p product_clip, 1.0 {partner = @q, transposed}
  return
}

// -----

// expected-error @+1 {{spectral_bound: methods product_clip and row_block_scale and a partner go together}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = 1.0, method = product_clip>]}

// -----

// expected-error @+1 {{spectral_bound: 'transposed' needs a partner}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = 1.0, transposed = true>]}

// -----

// expected-error @+1 {{spectral_bound: a 'left' factor needs a partner}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = 1.0, left = @q>]}

// -----

// expected-error @+1 {{spectral_bound: 'fixed' needs a 'left' factor}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = 1.0, method = product_clip, partner = @q, fixed = true>]}

// -----

// U diag(d) Vᵀ: `left` needs the partner, `fixed` needs `left`, and the shapes
// must be U [m, r], d [r], V [n, r] (Vᵀ [r, n] when transposed).
wl.param @d : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @diag_no_partner() {
  // expected-error @+1 {{'wl.project_param' op a 'left' factor needs a 'partner'}}
  wl.project_param @d strict, 1.0 {left = @d}
  return
}

// -----

wl.param @d : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @u : tensor<6x2xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @diag_fixed() {
  // expected-error @+1 {{'wl.project_param' op 'fixed' needs a 'left' factor}}
  wl.project_param @u product_clip, 1.0 {partner = @u, fixed}
  return
}

// -----

wl.param @d : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @u : tensor<6x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @vt : tensor<3x5xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @diag_shapes() {
  // expected-error @+1 {{'wl.project_param' op product_clip of U diag(d) Vᵀ needs U [m, r], d [r] and a partner V^T [r, n], got 'tensor<6x2xf32>', 'tensor<2xf32>' and 'tensor<3x5xf32>'}}
  wl.project_param @d product_clip, 1.0 {partner = @vt, transposed, left = @u}
  return
}

// -----

wl.param @d : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @vt : tensor<2x5xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @diag_left_symbol() {
  // expected-error @+1 {{'wl.project_param' op 'u' does not name a wl.param}}
  wl.project_param @d product_clip, 1.0 {partner = @vt, transposed, left = @u}
  return
}

// -----

// The constraint attributes' verifiers (WLAttrs.cpp): each argument once.
// expected-error @+1 {{spectral_bound needs a positive, finite 'c', got 0}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = 0.0>]}

// -----

// expected-error @+1 {{spectral_bound needs a positive, finite 'c', got -1}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = -1.0, method = hard_cap>]}

// -----

// expected-error @+2 {{expected one of [normalize, soft_cap, hard_cap, hammer, svd_clip, clamp, product_clip, row_block_scale] for how a spectral bound is enforced, got: clip}}
// expected-error @+1 {{failed to parse WL_SpectralBoundAttr parameter 'method' which is to be a `SpectralMethod`}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = 1.0, method = clip>]}

// -----

// expected-error @+1 {{spectral_bound with method clamp needs the structure whose scale it clamps (svd or diagonal)}}
wl.param @p : tensor<4xf32> {init = #wl.init<kind = ones>, trainable, constraints = [#wl.spectral_bound<c = 1.0, method = clamp>]}

// -----

// expected-error @+1 {{norm_bound needs a positive, finite 'c', got -2}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.norm_bound<c = -2.0, norm = row>]}

// -----

// expected-error @+2 {{expected one of [frobenius, row, column] for the norm of a norm bound, got: spectral}}
// expected-error @+1 {{failed to parse WL_NormBoundAttr parameter 'norm' which is to be a `NormKind`}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.norm_bound<c = 1.0, norm = spectral>]}

// -----

// expected-error @+1 {{rank_at_most needs an integer 'r' >= 1, got 0}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.rank_at_most<r = 0>]}

// -----

// expected-error @+1 {{a retraction names the structure whose factor it keeps orthonormal}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = orthogonal>, trainable, constraints = [#wl.orthonormal<origin = retraction>]}

// -----

// expected-error @+1 {{struct is missing required parameter: c}}
wl.param @p : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<method = hard_cap>]}

// -----

// row_block_scale (bone bat's B [ni, r, r] against its base [ni·r, nj·r]).
wl.param @b : tensor<4x4x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @w : tensor<16x16xf32> {init = #wl.init<kind = zeros>}
func.func @row_blocks_transposed() {
  // expected-error @+1 {{'wl.project_param' op row_block_scale takes no 'transposed' or 'left'}}
  wl.project_param @b row_block_scale, 1.0 {partner = @w, transposed}
  return
}

// -----

wl.param @b : tensor<4x4x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @w : tensor<12x16xf32> {init = #wl.init<kind = zeros>}
func.func @row_blocks_shapes() {
  // expected-error @+1 {{'wl.project_param' op row_block_scale needs B [ni, r, r] and a base [ni·r, nj·r], got 'tensor<4x4x4xf32>' and 'tensor<12x16xf32>'}}
  wl.project_param @b row_block_scale, 1.0 {partner = @w}
  return
}

// -----

wl.param @b : tensor<4x4x4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @row_blocks_partner() {
  // expected-error @+1 {{'wl.project_param' op partner 'w' does not name a wl.param}}
  wl.project_param @b row_block_scale, 1.0 {partner = @w}
  return
}
