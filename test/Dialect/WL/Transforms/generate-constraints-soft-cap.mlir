// RUN: wl-opt --wl-generate-constraints --split-input-file -verify-diagnostics %s | FileCheck %s
// RUN: wl-opt --wl-generate-constraints --canonicalize --split-input-file -verify-diagnostics %s | FileCheck %s --check-prefix=FOLD

// spectral_bound(c, method = soft_cap): M ← M(I − αA), M ← M(I + αA) acts on
// each singular value as f(σ) = s + αs³, s = σ − ασ³. α is computed from
// the lr of each step (wl.soft_cap_strength) so that the largest σ one step
// can reach from the constraint set, k = c·(1 − lr·wd) + lr·B, maps to
// exactly c (the smallest such α ≥ 0); B bounds the spectral norm of the
// optimizer's update direction. Where that bound does not exist, or f is not
// monotone on [0, k] at the peak lr, the pass warns. Without a schedule the
// lr is a constant and α folds (checked after --canonicalize, in f32).

// Muon on a square matrix: B = sqrt(max(1, OUT/IN))·1.2025·(1 + 1e-3) =
// 1.2037025 (NS5's output bound with the pass's rounding margin), so with
// c = 1, lr = 0.1, wd = 0: k = 1 + 0.1·1.2037025 = 1.12037025, and α solves
// (k − αk³) + α(k − αk³)³ = 1. Independently (the smallest non-negative root
// of that quartic in α, numpy.polynomial): α = 0.168162561185.
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = soft_cap>]}
wl.optimizer_group "muon" [@w] {hyper = {lr = 0.1 : f64, momentum = 0.95 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.0 : f64}}
func.func private @step_0(%w: tensor<4x4xf32>) {
  wl.param_store @w, %w : tensor<4x4xf32>
  return
}
// No state: soft_cap has no power vector.
//       CHECK: wl.param @w : tensor<4x4xf32>
//   CHECK-NOT:   state
//  CHECK-SAME:   trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<4x4xf32>
//  CHECK-NEXT:   %[[LR:.+]] = arith.constant 1.000000e-01 : f32
//  CHECK-NEXT:   %[[A:.+]] = wl.soft_cap_strength %[[LR]] {bound = 1.000000e+00 : f64, update_bound = 1.20370{{[0-9]*}} : f64, weight_decay = 0.000000e+00 : f64}
//  CHECK-NEXT:   %[[S:.+]] = wl.spectral_soft_cap %[[W]], %[[A]] : tensor<4x4xf32>
//  CHECK-NEXT:   wl.param_store @w, %[[S]]
//  CHECK-NEXT:   return
// FOLD-LABEL: func.func private @step_0(
//  FOLD-NEXT:   %[[A:.+]] = arith.constant 0.16816{{[0-9]*}} : f32
//  FOLD-NEXT:   wl.spectral_soft_cap %{{.+}}, %[[A]]
// At creation the exact clip, no soft_cap.
// CHECK-LABEL: func.func @project() {
//   CHECK-NOT:   wl.spectral_soft_cap
//       CHECK:   wl.project_param @w svd_clip, 1.000000e+00

// -----

// Muon on a tall matrix (OUT/IN = 4) with weight decay: B = 2·1.2037025, and
// c = 1, lr = 0.05, wd = 0.1 give k = 1·(1 − 0.005) + 0.05·2.407405 =
// 1.11537025; independently α = 0.166087926 (numpy roots, as above).
wl.param @w : tensor<8x2xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = soft_cap>]}
wl.optimizer_group "muon" [@w] {hyper = {lr = 0.05 : f64, momentum = 0.95 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.1 : f64}}
func.func private @step_0(%w: tensor<8x2xf32>) {
  wl.param_store @w, %w : tensor<8x2xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//       CHECK:   wl.soft_cap_strength %{{.+}} {bound = 1.000000e+00 : f64, update_bound = 2.40740{{[0-9]*}} : f64, weight_decay = 1.000000e-01 : f64}
//       CHECK:   wl.spectral_soft_cap %{{.+}}, %{{.+}} : tensor<8x2xf32>
// FOLD-LABEL: func.func private @step_0(
//  FOLD-NEXT:   arith.constant 0.16608{{[0-9]*}} : f32

// -----

// An update that cannot leave the set (lr = 0: k = c): α = 0, no warning.
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = soft_cap>]}
wl.optimizer_group "sgd" [@w] {hyper = {lr = 0.0 : f64, momentum = 0.0 : f64, nesterov = false, weight_decay = 0.0 : f64}}
func.func private @step_0(%w: tensor<4x4xf32>) {
  wl.param_store @w, %w : tensor<4x4xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//       CHECK:   wl.soft_cap_strength %{{.+}} {bound = 1.000000e+00 : f64, update_bound = 4.000000e+00 : f64, weight_decay = 0.000000e+00 : f64}
// FOLD-LABEL: func.func private @step_0(
//  FOLD-NEXT:   %[[A:.+]] = arith.constant 0.000000e+00 : f32
//  FOLD-NEXT:   wl.spectral_soft_cap %{{.+}}, %[[A]]

// -----

// AdamW has no spectral-norm bound on its update: α still comes from the
// entrywise estimate B = sqrt(OUT·IN) = 4 (k = 1·(1 − 1e-5) + 1e-3·4 =
// 1.00399, α = 0.0367878460, numpy roots), with a warning at the constraint.
// expected-warning @+1 {{spectral_bound(1, method = soft_cap) is only a heuristic for this configuration: adamw's update has no spectral-norm bound; use strict = true, hard_cap or svd_clip for a guarantee}}
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = soft_cap>]}
wl.optimizer_group "adamw" [@w] {hyper = {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64}}
func.func private @step_0(%w: tensor<4x4xf32>) {
  wl.param_store @w, %w : tensor<4x4xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//       CHECK:   wl.soft_cap_strength %{{.+}} {bound = 1.000000e+00 : f64, update_bound = 4.000000e+00 : f64, weight_decay = 1.000000e-02 : f64}
// FOLD-LABEL: func.func private @step_0(
//  FOLD-NEXT:   arith.constant 0.03678{{[0-9]*}} : f32

// -----

// The warning is at the constraint's own `loc` when it has one (MLIRGen
// records the source position; here a name without file position, hence
// @unknown), not at the wl.param, and names the optimizer.
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 2.0, method = soft_cap, loc = loc("constraint")>]}
wl.optimizer_group "adamp" [@w] {hyper = {beta1 = 0.9 : f64, beta2 = 0.999 : f64, delta = 0.1 : f64, eps = 1.0e-8 : f64, lr = 1.0e-3 : f64, wd_ratio = 0.1 : f64, weight_decay = 0.0 : f64}}
func.func private @step_0(%w: tensor<4x4xf32>) {
  wl.param_store @w, %w : tensor<4x4xf32>
  return
}
// expected-warning-re @unknown {{spectral_bound(2, method = soft_cap) is only a heuristic for this configuration: adamp's update has no spectral-norm bound{{.*}}}}
// CHECK-LABEL: func.func private @step_0(
//       CHECK:   wl.spectral_soft_cap
// FOLD-LABEL: func.func private @step_0(

// -----

// strict = true: the rescale after the step makes the guarantee, no warning.
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = soft_cap, strict = true>]}
wl.optimizer_group "adamw" [@w] {hyper = {lr = 1.0e-3 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64}}
func.func private @step_0(%w: tensor<4x4xf32>) {
  wl.param_store @w, %w : tensor<4x4xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//       CHECK:   %[[S:.+]] = wl.spectral_soft_cap
//  CHECK-NEXT:   wl.param_store @w, %[[S]]
//  CHECK-NEXT:   wl.project_param @w strict, 1.000000e+00
// FOLD-LABEL: func.func private @step_0(

// -----

// Muon, but f is not monotone on [0, k]: c = 0.5 and lr = 0.25 (an update of
// spectral norm up to lr·B ≈ 0.3009) give k = 0.800925625 and α =
// 0.702242562 (numpy roots); then f peaks at ≈ 0.527354 (near σ = 0.689) > c.
// expected-warning @+1 {{spectral_bound(0.5, method = soft_cap) is only a heuristic for this configuration: the coupled map is not monotone on [0, 0.800926] (it peaks at 0.527354 > 0.5)}}
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 0.5, method = soft_cap>]}
wl.optimizer_group "muon" [@w] {hyper = {lr = 0.25 : f64, momentum = 0.95 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.0 : f64}}
func.func private @step_0(%w: tensor<4x4xf32>) {
  wl.param_store @w, %w : tensor<4x4xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//       CHECK:   wl.soft_cap_strength %{{.+}} {bound = 5.000000e-01 : f64
// FOLD-LABEL: func.func private @step_0(
//  FOLD-NEXT:   arith.constant 0.70224{{[0-9]*}} : f32

// -----

// Under a schedule the lr of step t is the step function's schedule factor
// times the group's lr (as wl-generate-step computes it), so α is computed
// at run time and shrinks as the schedule decays; nothing folds.
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 1.0, method = soft_cap>]}
wl.optimizer_group "muon" [@w] {hyper = {lr = 0.1 : f64, momentum = 0.95 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.0 : f64}}
func.func private @step_0(%t: i64, %w: tensor<4x4xf32>) {
  %f = wl.schedule_factor "warmup_linear" %t {warmup = 0 : i64, total = 100 : i64}
  wl.param_store @w, %w : tensor<4x4xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64
//  CHECK-NEXT:   %[[F:.+]] = wl.schedule_factor "warmup_linear" %[[T]]
//  CHECK-NEXT:   %[[BASE:.+]] = arith.constant 1.000000e-01 : f32
//  CHECK-NEXT:   %[[LR:.+]] = arith.mulf %[[F]], %[[BASE]] : f32
//  CHECK-NEXT:   %[[A:.+]] = wl.soft_cap_strength %[[LR]] {bound = 1.000000e+00
//  CHECK-NEXT:   wl.spectral_soft_cap %{{.+}}, %[[A]]
// FOLD-LABEL: func.func private @step_0(
//       FOLD:   wl.soft_cap_strength
