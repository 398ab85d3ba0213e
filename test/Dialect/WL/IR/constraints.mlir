// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// Round trip of the constraints: the declarations wl-generate-constraints
// reads and writes, and the projections it inserts. wl.abs_clamp is in
// structures.mlir (@scaling).

// A constrained parameter: `constraints` as MLIRGen writes them, and a state
// tensor of its own shape (`state_types`, one per state; the power-iteration
// vector is [OUT]).
// CHECK: wl.param @cw : tensor<4x8xf32>
// CHECK-SAME: constraints = [#wl.spectral_bound<c = 1.000000e+00>, #wl.norm_bound<c = 2.000000e+00, norm = row>, #wl.rank_at_most<r = 2>]
// CHECK-SAME: state = ["momentum_buffer", "power_u"]
// CHECK-SAME: state_types = [tensor<4x8xf32>, tensor<4xf32>]
// CHECK-SAME: trainable
wl.param @cw : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 0.1>, trainable,
    state = ["momentum_buffer", "power_u"], state_types = [tensor<4x8xf32>, tensor<4xf32>],
    constraints = [#wl.spectral_bound<c = 1.0>,
                   #wl.norm_bound<c = 2.0, norm = row>,
                   #wl.rank_at_most<r = 2>]}

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
// CHECK-SAME: %[[LR:[a-zA-Z0-9_]+]]: f32
func.func @spectral_projections(%w: tensor<4x8xf32>, %u: tensor<4xf32>, %s: f32, %lr: f32) -> tensor<4x8xf32> {
  // CHECK: %[[R:.+]] = wl.spectral_rescale %[[W]], %[[S]] {bound = 1.000000e+00 : f64} : tensor<4x8xf32>
  %0 = wl.spectral_rescale %w, %s {bound = 1.0 : f64} : tensor<4x8xf32>
  // CHECK: %[[H:.+]] = wl.spectral_hammer %[[R]], %[[U]], %[[S]] {bound = 2.000000e+00 : f64} : tensor<4x8xf32>, tensor<4xf32>
  %1 = wl.spectral_hammer %0, %u, %s {bound = 2.0 : f64} : tensor<4x8xf32>, tensor<4xf32>
  // CHECK: %[[HC:.+]] = wl.spectral_hard_cap %[[H]] {bound = 5.000000e-01 : f64} : tensor<4x8xf32>
  %2 = wl.spectral_hard_cap %1 {bound = 0.5 : f64} : tensor<4x8xf32>
  // CHECK: %[[A:.+]] = wl.soft_cap_strength %[[LR]] {bound = 5.000000e-01 : f64, update_bound = 1.202500e+00 : f64, weight_decay = 0.000000e+00 : f64}
  %a = wl.soft_cap_strength %lr {bound = 0.5 : f64, update_bound = 1.2025 : f64, weight_decay = 0.0 : f64}
  // CHECK: %[[SC:.+]] = wl.spectral_soft_cap %[[HC]], %[[A]] : tensor<4x8xf32>
  %3 = wl.spectral_soft_cap %2, %a : tensor<4x8xf32>
  // CHECK: return %[[SC]]
  return %3 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @norm_bound(
// CHECK-SAME: %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
func.func @norm_bound(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[F:.+]] = wl.norm_bound %[[W]], frobenius {bound = 3.000000e+00 : f64} : tensor<4x8xf32>
  %0 = wl.norm_bound %w, frobenius {bound = 3.0 : f64} : tensor<4x8xf32>
  // CHECK: %[[R:.+]] = wl.norm_bound %[[F]], row {bound = 2.000000e+00 : f64} : tensor<4x8xf32>
  %1 = wl.norm_bound %0, row {bound = 2.0 : f64} : tensor<4x8xf32>
  // CHECK: %[[C:.+]] = wl.norm_bound %[[R]], column {bound = 1.000000e+00 : f64} : tensor<4x8xf32>
  %2 = wl.norm_bound %1, column {bound = 1.0 : f64} : tensor<4x8xf32>
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
  // CHECK: wl.project_param @cw svd_clip, 1.000000e+00{{$}}
  wl.project_param @cw svd_clip, 1.0
  // CHECK: wl.project_param @cw rank_at_most, 2.000000e+00{{$}}
  wl.project_param @cw rank_at_most, 2.0
  // CHECK: wl.project_param @cw strict, 7.500000e-01{{$}}
  wl.project_param @cw strict, 0.75
  return
}

// The product clip of U diag(d) Vᵀ, carried by d: sorsa's (re-split) and
// loldu's (`fixed`: only d is scaled).
wl.param @dU : tensor<6x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @dd : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = 0.5, method = product_clip, partner = @dVt, transposed = true, left = @dU, fixed = true, origin = factor, structure = <loldu>>]}
wl.param @dVt : tensor<2x5xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @dd : tensor<2xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = product_clip, partner = @dVt, transposed = true, left = @dU, fixed = true, origin = factor, structure = <loldu>>]
// bone(mode = bat)'s bound: B [ni, r, r] scaled against its frozen base.
wl.param @bb : tensor<4x4x4xf32> {init = #wl.init<kind = zeros>, trainable, constraints = [#wl.spectral_bound<c = 0.5, method = row_block_scale, partner = @bw, origin = factor, structure = <bone>>]}
wl.param @bw : tensor<16x16xf32> {init = #wl.init<kind = zeros>}
// CHECK: wl.param @bb : tensor<4x4x4xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = row_block_scale, partner = @bw, origin = factor, structure = <bone>>]
// CHECK-LABEL: func.func @project_row_blocks(
func.func @project_row_blocks() {
  // CHECK: wl.project_param @bb row_block_scale, 5.000000e-01 {partner = @bw}
  wl.project_param @bb row_block_scale, 0.5 {partner = @bw}
  return
}
// CHECK-LABEL: func.func @project_diag_product(
func.func @project_diag_product() {
  // CHECK: wl.project_param @dd product_clip, 5.000000e-01 {left = @dU, partner = @dVt, transposed}
  wl.project_param @dd product_clip, 0.5 {partner = @dVt, transposed, left = @dU}
  // CHECK: wl.project_param @dd product_clip, 5.000000e-01 {fixed, left = @dU, partner = @dVt, transposed}
  wl.project_param @dd product_clip, 0.5 {partner = @dVt, transposed, left = @dU, fixed}
  return
}
