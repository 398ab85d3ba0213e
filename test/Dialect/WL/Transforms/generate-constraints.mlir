// RUN: wl-opt --wl-generate-constraints --split-input-file %s | FileCheck %s

// wl-generate-constraints: after every wl.param_store of a constrained
// parameter, its projections in the order written (the MLIR ones on the value
// before it is stored, the runtime ones and `strict` on the stored parameter
// right after), and @project, run once at creation, with the exact forms.
// soft_cap and the errors have their own files.

// normalize: a persistent power-iteration vector `power_u` of type [OUT]
// (state_types, since it differs from the parameter's shape), one iteration
// per step from the stored vector, then W / max(1, σ/c) before the store.
// Other parameters' stores are left alone.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable, state = ["momentum_buffer"],
    constraints = [#wl.spectral_bound<c = 2.0>]}
wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func private @step_0(%w: tensor<4x8xf32>, %b: tensor<4xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  wl.param_store @b, %b : tensor<4xf32>
  return
}
//       CHECK: wl.param @w : tensor<4x8xf32> {{{.*}}state = ["momentum_buffer", "power_u"], state_types = [tensor<4x8xf32>, tensor<4xf32>], trainable}
//       CHECK: wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>, %[[B:[a-zA-Z0-9_]+]]: tensor<4xf32>
//       CHECK:   %[[U:.+]] = wl.state_ref @w["power_u"] : tensor<4xf32>
//       CHECK:   %[[NU:[a-zA-Z0-9_]+]], %[[S:[a-zA-Z0-9_]+]] = wl.power_iteration %[[W]], %[[U]] {iterations = 10 : i64}
//       CHECK:   wl.state_store @w["power_u"], %[[NU]] : tensor<4xf32>
//       CHECK:   %[[R:.+]] = wl.spectral_rescale %[[W]], %[[S]] {bound = 2.000000e+00 : f64} : tensor<4x8xf32>
//       CHECK:   wl.param_store @w, %[[R]] : tensor<4x8xf32>
//   CHECK-NOT:   wl.project_param
//       CHECK:   wl.param_store @b, %[[B]] : tensor<4xf32>
//  CHECK-NEXT:   return
// At creation: u starts as the constant 1/sqrt(OUT) = 1/sqrt(4) vector, W is
// rescaled by its sound Gram bound β (W·c/max(β, c), the "strict" routine)
// after the store -- not clipped, which would leave many singular values
// exactly at c for the power iteration to confuse -- then 15 iterations on
// the rescaled (re-read) parameter bring u near its top singular vector.
// CHECK-LABEL: func.func @project() {
//  CHECK-NEXT:   %[[START:.+]] = arith.constant dense<5.000000e-01> : tensor<4xf32>
//  CHECK-NEXT:   wl.state_store @w["power_u"], %[[START]] : tensor<4xf32>
//  CHECK-NEXT:   %[[P:.+]] = wl.param_ref @w : tensor<4x8xf32>
//  CHECK-NEXT:   wl.param_store @w, %[[P]] : tensor<4x8xf32>
//  CHECK-NEXT:   wl.project_param @w strict, 2.000000e+00
//  CHECK-NEXT:   %[[P1:.+]] = wl.param_ref @w : tensor<4x8xf32>
//  CHECK-NEXT:   %[[U0:.+]] = wl.state_ref @w["power_u"] : tensor<4xf32>
//  CHECK-NEXT:   %[[NU0:[a-zA-Z0-9_]+]], %{{.+}} = wl.power_iteration %[[P1]], %[[U0]] {iterations = 15 : i64}
//  CHECK-NEXT:   wl.state_store @w["power_u"], %[[NU0]] : tensor<4xf32>
//  CHECK-NEXT:   return
//   CHECK-NOT:   @b

// -----

// A parameter without any other state gets `power_u` alone; its start vector
// is 1/sqrt(OUT) for OUT = 3 (not 1/sqrt(IN)).
wl.param @w : tensor<3x5xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0>]}
// CHECK: wl.param @w : tensor<3x5xf32> {{{.*}}state = ["power_u"], state_types = [tensor<3xf32>], trainable}
// CHECK-LABEL: func.func @project() {
//       CHECK:   arith.constant dense<0.577350259> : tensor<3xf32>

// -----

// hard_cap: one op before the store, no state.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.5, method = hard_cap>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
//       CHECK: wl.param @w : tensor<4x8xf32>
//   CHECK-NOT:   state
//  CHECK-SAME:   trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
//  CHECK-NEXT:   %[[C:.+]] = wl.spectral_hard_cap %[[W]] {bound = 1.500000e+00 : f64} : tensor<4x8xf32>
//  CHECK-NEXT:   wl.param_store @w, %[[C]] : tensor<4x8xf32>
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//  CHECK-NEXT:   %[[P:.+]] = wl.param_ref @w
//  CHECK-NEXT:   wl.param_store @w, %[[P]]
//  CHECK-NEXT:   wl.project_param @w svd_clip, 1.500000e+00
//  CHECK-NEXT:   return

// -----

// hammer: the power vector too, 16 iterations per step (the hammer needs a
// good u), then W + (c − σ) u vᵀ from the new u.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = hammer>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
//       CHECK: wl.param @w : tensor<4x8xf32> {{{.*}}state = ["power_u"], state_types = [tensor<4xf32>], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
//       CHECK:   %[[U:.+]] = wl.state_ref @w["power_u"]
//       CHECK:   %[[NU:[a-zA-Z0-9_]+]], %[[S:[a-zA-Z0-9_]+]] = wl.power_iteration %[[W]], %[[U]] {iterations = 16 : i64}
//       CHECK:   wl.state_store @w["power_u"], %[[NU]]
//       CHECK:   %[[H:.+]] = wl.spectral_hammer %[[W]], %[[NU]], %[[S]] {bound = 1.000000e+00 : f64}
//       CHECK:   wl.param_store @w, %[[H]]
// CHECK-LABEL: func.func @project() {
//   CHECK-NOT:   wl.spectral_hammer
//       CHECK:   wl.project_param @w strict, 1.000000e+00
//  CHECK-NEXT:   %[[P1:.+]] = wl.param_ref @w
//  CHECK-NEXT:   %[[U0:.+]] = wl.state_ref @w["power_u"]
//  CHECK-NEXT:   wl.power_iteration %[[P1]], %[[U0]] {iterations = 15 : i64}

// -----

// svd_clip and rank_at_most run on the stored parameter (runtime routines),
// right after the store, in the order written; nothing before it.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.rank_at_most<r = 2>,
                   #wl.spectral_bound<c = 3.0, method = svd_clip>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
//       CHECK: wl.param @w : tensor<4x8xf32>
//   CHECK-NOT:   state
//  CHECK-SAME:   trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
//  CHECK-NEXT:   wl.param_store @w, %[[W]] : tensor<4x8xf32>
//  CHECK-NEXT:   wl.project_param @w rank_at_most, 2.000000e+00
//  CHECK-NEXT:   wl.project_param @w svd_clip, 3.000000e+00
//  CHECK-NEXT:   return
// At creation: the nearest point of {rank ≤ r, σ ≤ c}: the rank projection,
// then the clip (one, at the smallest c).
// CHECK-LABEL: func.func @project() {
//  CHECK-NEXT:   %[[P:.+]] = wl.param_ref @w
//  CHECK-NEXT:   wl.param_store @w, %[[P]]
//  CHECK-NEXT:   wl.project_param @w rank_at_most, 2.000000e+00
//  CHECK-NEXT:   wl.project_param @w svd_clip, 3.000000e+00
//  CHECK-NEXT:   return

// -----

// strict: the sound Gram-iteration rescale after everything else, once, at
// the smallest strict bound; a MLIR-side method still runs before the store.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 2.0, method = hard_cap, strict = true>,
                   #wl.spectral_bound<c = 4.0, method = hard_cap>,
                   #wl.spectral_bound<c = 1.0, method = svd_clip, strict = true>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
//  CHECK-NEXT:   %[[C2:.+]] = wl.spectral_hard_cap %[[W]] {bound = 2.000000e+00 : f64}
//  CHECK-NEXT:   %[[C4:.+]] = wl.spectral_hard_cap %[[C2]] {bound = 4.000000e+00 : f64}
//  CHECK-NEXT:   wl.param_store @w, %[[C4]]
//  CHECK-NEXT:   wl.project_param @w svd_clip, 1.000000e+00
//  CHECK-NEXT:   wl.project_param @w strict, 1.000000e+00
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//   CHECK-NOT:   wl.spectral_hard_cap
//       CHECK:   wl.project_param @w svd_clip, 1.000000e+00
//  CHECK-NEXT:   wl.project_param @w strict, 1.000000e+00
//  CHECK-NEXT:   return

// -----

// norm_bound: frobenius, row, column, before the store; also at creation.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.norm_bound<c = 3.0>,
                   #wl.norm_bound<c = 2.0, norm = row>,
                   #wl.norm_bound<c = 0.5, norm = column>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
//  CHECK-NEXT:   %[[F:.+]] = wl.norm_bound %[[W]], frobenius {bound = 3.000000e+00 : f64}
//  CHECK-NEXT:   %[[R:.+]] = wl.norm_bound %[[F]], row {bound = 2.000000e+00 : f64}
//  CHECK-NEXT:   %[[C:.+]] = wl.norm_bound %[[R]], column {bound = 5.000000e-01 : f64}
//  CHECK-NEXT:   wl.param_store @w, %[[C]]
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//  CHECK-NEXT:   %[[P:.+]] = wl.param_ref @w
//  CHECK-NEXT:   %[[F:.+]] = wl.norm_bound %[[P]], frobenius
//  CHECK-NEXT:   %[[R:.+]] = wl.norm_bound %[[F]], row
//  CHECK-NEXT:   %[[C:.+]] = wl.norm_bound %[[R]], column
//  CHECK-NEXT:   wl.param_store @w, %[[C]]
//   CHECK-NOT:   wl.project_param
//       CHECK:   return

// -----

// orthonormal: the polar iteration. After an update, from X₀ = W/max(1, σ̂)
// with σ̂ from one power iteration (6 steps); at creation, from ‖W‖_F (no
// scale, 40 steps), then the power vector is converged on the result.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = orthogonal>, trainable,
    constraints = [#wl.orthonormal<>]}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
//       CHECK: wl.param @w : tensor<4x8xf32> {{{.*}}state = ["power_u"], state_types = [tensor<4xf32>], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
//       CHECK:   %[[U:.+]] = wl.state_ref @w["power_u"]
//       CHECK:   %[[NU:[a-zA-Z0-9_]+]], %[[S:[a-zA-Z0-9_]+]] = wl.power_iteration %[[W]], %[[U]] {iterations = 10 : i64}
//       CHECK:   wl.state_store @w["power_u"], %[[NU]]
//       CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//       CHECK:   %[[SCALE:.+]] = arith.maximumf %[[S]], %[[ONE]] : f32
//       CHECK:   %[[P:.+]] = wl.polar_iteration %[[W]], %[[SCALE]] {steps = 6 : i64}
//       CHECK:   wl.param_store @w, %[[P]]
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//       CHECK:   %[[P0:.+]] = wl.param_ref @w
//       CHECK:   %[[Q:.+]] = wl.polar_iteration %[[P0]] {steps = 40 : i64}
//       CHECK:   wl.power_iteration %[[Q]], %{{.+}} {iterations = 15 : i64}
//       CHECK:   wl.param_store @w, %[[Q]]
//   CHECK-NOT:   wl.project_param
//       CHECK:   return

// -----

// No constrained parameter: @project is still generated, empty.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func private @step_0(%w: tensor<4x8xf32>) {
  wl.param_store @w, %w : tensor<4x8xf32>
  return
}
// CHECK: wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-NEXT:   wl.param_store
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//  CHECK-NEXT:   return

// -----

// Structures: a spectral bound on svd's s (or diagonal's d) clamps the
// entries, after every step and at creation, with no state; a constraint the
// structure satisfies by itself (orthogonal) generates nothing; svd's U gets
// the polar retraction. (What each guarantees is `wlc --report`'s:
// test/MLIRGen/structures.wl.)
wl.param @s : tensor<3xf32> {init = #wl.init<kind = ones>, trainable,
    constraints = [#wl.spectral_bound<c = 0.5, method = clamp, structure = <svd>>]}
wl.param @u : tensor<6x3xf32> {init = #wl.init<kind = orthogonal>, trainable,
    constraints = [#wl.orthonormal<origin = retraction, structure = <svd>>]}
wl.param @q : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, origin = structure, structure = <orthogonal_cayley>>]}
func.func private @step_0(%s: tensor<3xf32>, %u: tensor<6x3xf32>, %q: tensor<4x4xf32>) {
  wl.param_store @s, %s : tensor<3xf32>
  wl.param_store @u, %u : tensor<6x3xf32>
  wl.param_store @q, %q : tensor<4x4xf32>
  return
}
//       CHECK: wl.param @s : tensor<3xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = clamp, structure = <svd>>], init = #wl.init<kind = ones>, trainable}
//       CHECK: wl.param @u : tensor<6x3xf32> {constraints = [#wl.orthonormal<origin = retraction, structure = <svd>>], init = #wl.init<kind = orthogonal>, state = ["power_u"], state_types = [tensor<6xf32>], trainable}
//       CHECK: wl.param @q : tensor<4x4xf32> {constraints = [#wl.spectral_bound<c = 1.000000e+00, origin = structure, structure = <orthogonal_cayley>>], init = #wl.init<kind = zeros>, trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[S:[a-zA-Z0-9_]+]]: tensor<3xf32>, %[[U:[a-zA-Z0-9_]+]]: tensor<6x3xf32>, %[[Q:[a-zA-Z0-9_]+]]: tensor<4x4xf32>
//  CHECK-NEXT:   %[[C:.+]] = wl.abs_clamp %[[S]] {bound = 5.000000e-01 : f64} : tensor<3xf32>
//  CHECK-NEXT:   wl.param_store @s, %[[C]] : tensor<3xf32>
//       CHECK:   wl.polar_iteration %[[U]], %{{.+}} {steps = 6 : i64}
//       CHECK:   wl.param_store @q, %[[Q]] : tensor<4x4xf32>
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//       CHECK:   wl.abs_clamp
//       CHECK:   wl.param_store @s
//       CHECK:   wl.polar_iteration %{{.+}} {steps = 40 : i64}
//   CHECK-NOT:   @q
//       CHECK:   return

// -----

// A layer whose frozen base is re-split at creation (MLIRGen's wl.resplit):
// the runtime re-split comes first in @project, before any projection.
wl.param @l.weight.base : tensor<4x4xf32> {init = #wl.init<kind = normal, std = 1.0>}
wl.param @l.weight.s : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @l.weight.U : tensor<4x2xf32> {init = #wl.init<kind = zeros>}
wl.param @l.weight.V : tensor<4x2xf32> {init = #wl.init<kind = zeros>}
wl.param @m : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.norm_bound<c = 1.0>]}
wl.layer @l : 4 -> 4 {factors = [@l.weight.base, @l.weight.s, @l.weight.U, @l.weight.V], structure = [#wl.structure<frozen>, #wl.structure<svfit>], weight = @l.weight.base,
    wl.resplit = {kind = #wl<resplit svfit>, base = @l.weight.base, factors = [@l.weight.U, @l.weight.s, @l.weight.V]}}
// CHECK-LABEL: func.func @project() {
//  CHECK-NEXT:   wl.resplit_base svfit @l.weight.base into [@l.weight.U, @l.weight.s, @l.weight.V]
//  CHECK-NEXT:   wl.param_ref @m
//       CHECK:   wl.norm_bound
