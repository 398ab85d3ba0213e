// RUN: wl-opt --wl-generate-constraints --split-input-file %s | FileCheck %s

// The input is shaped as wl-generate-step leaves it: one private
// @step_<k>(%t) per trainable tensor (`wl.updates = @<param>`), @step_finish,
// @step_tensor(%t, %k) picking one @step_<k>, and @step calling every
// @step_<k> and then @step_finish (the later cases leave @step_tensor out).

// A bound on a product of two factors (lowrank's U Vᵀ, LoRA's B A, with V
// stored as Vᵀ = A: `transposed`) is the runtime's exact product clip. The
// factors are updated by different functions (@step_0 and @step_1, possibly
// on different ranks of a sharded step), so after a step it runs in
// @step_finish, once both are stored -- @step reaches it through its last
// call, never in @step itself nor in a @step_<k>; @project applies it once at
// creation. Nothing is generated before the stores and no power-iteration
// state is added.
wl.param @B : tensor<6x2xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 0.5, method = product_clip, partner = @A, transposed = true, origin = factor, structure = #wl.structure<lora>>]}
wl.param @A : tensor<2x5xf32> {init = #wl.init<kind = zeros>, trainable}
func.func private @step_0(%t: i64) attributes {wl.updates = @B} {
  %b = wl.param_ref @B : tensor<6x2xf32>
  wl.param_store @B, %b : tensor<6x2xf32>
  return
}
func.func private @step_1(%t: i64) attributes {wl.updates = @A} {
  %a = wl.param_ref @A : tensor<2x5xf32>
  wl.param_store @A, %a : tensor<2x5xf32>
  return
}
func.func @step_finish(%t: i64) {
  return
}
func.func @step_tensor(%t: i64, %k: i64) {
  %i = arith.index_cast %k : i64 to index
  scf.index_switch %i
  case 0 {
    func.call @step_0(%t) : (i64) -> ()
    scf.yield
  }
  case 1 {
    func.call @step_1(%t) : (i64) -> ()
    scf.yield
  }
  default {
  }
  return
}
func.func @step(%t: i64) {
  call @step_0(%t) : (i64) -> ()
  call @step_1(%t) : (i64) -> ()
  call @step_finish(%t) : (i64) -> ()
  return
}
//       CHECK: wl.param @B : tensor<6x2xf32>
//   CHECK-NOT: power_u
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @B} {
//  CHECK-NEXT:   %[[B:.+]] = wl.param_ref @B : tensor<6x2xf32>
//  CHECK-NEXT:   wl.param_store @B, %[[B]] : tensor<6x2xf32>
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func private @step_1(
//  CHECK-SAME:     attributes {wl.updates = @A} {
//  CHECK-NEXT:   %[[A:.+]] = wl.param_ref @A : tensor<2x5xf32>
//  CHECK-NEXT:   wl.param_store @A, %[[A]] : tensor<2x5xf32>
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step_finish(
//  CHECK-NEXT:   wl.project_param @B product_clip, 5.000000e-01 {partner = @A, transposed}
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step_tensor(
//   CHECK-NOT:   wl.project_param
//       CHECK:   return
// CHECK-LABEL: func.func @step(
//  CHECK-NEXT:   call @step_0
//  CHECK-NEXT:   call @step_1
//  CHECK-NEXT:   call @step_finish
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//  CHECK-NEXT:   %[[P:.+]] = wl.param_ref @B : tensor<6x2xf32>
//  CHECK-NEXT:   wl.param_store @B, %[[P]] : tensor<6x2xf32>
//  CHECK-NEXT:   wl.project_param @B product_clip, 5.000000e-01 {partner = @A, transposed}
//  CHECK-NEXT:   return

// -----

// A product with a diagonal, U diag(d) Vᵀ (sorsa's B diag(S) A, loldu's
// (PL)_r diag(z) U_r), is carried by d: the clip names U as `left`, and is
// `fixed` when U and V are frozen (loldu). A vector constraint like this one
// needs no matrix and no power-iteration state. It too runs in @step_finish.
wl.param @L : tensor<6x2xf32> {init = #wl.init<kind = zeros>}
wl.param @z : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 0.25, method = product_clip, partner = @U, transposed = true, left = @L, fixed = true, origin = factor, structure = #wl.structure<loldu>>]}
wl.param @U : tensor<2x5xf32> {init = #wl.init<kind = zeros>}
func.func private @step_0(%t: i64) attributes {wl.updates = @z} {
  %z = wl.param_ref @z : tensor<2xf32>
  wl.param_store @z, %z : tensor<2xf32>
  return
}
func.func @step_finish(%t: i64) {
  return
}
func.func @step(%t: i64) {
  call @step_0(%t) : (i64) -> ()
  call @step_finish(%t) : (i64) -> ()
  return
}
//       CHECK: wl.param @z : tensor<2xf32>
//   CHECK-NOT: power_u
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @z} {
//  CHECK-NEXT:   wl.param_ref @z
//  CHECK-NEXT:   wl.param_store @z
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step_finish(
//  CHECK-NEXT:   wl.project_param @z product_clip, 2.500000e-01 {fixed, left = @L, partner = @U, transposed}
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step(
//  CHECK-NEXT:   call @step_0
//  CHECK-NEXT:   call @step_finish
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//       CHECK:   wl.project_param @z product_clip, 2.500000e-01 {fixed, left = @L, partner = @U, transposed}
//  CHECK-NEXT:   return

// -----

// bone(mode = bat)'s bound scales B against its frozen base right after B is
// stored, in B's own @step_<k> (the base never changes), not in
// @step_finish; @project applies it once at creation.
wl.param @B : tensor<4x4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 0.5, method = row_block_scale, partner = @W, origin = factor, structure = #wl.structure<bone>>]}
wl.param @W : tensor<16x16xf32> {init = #wl.init<kind = zeros>}
func.func private @step_0(%t: i64) attributes {wl.updates = @B} {
  %b = wl.param_ref @B : tensor<4x4x4xf32>
  wl.param_store @B, %b : tensor<4x4x4xf32>
  return
}
func.func @step_finish(%t: i64) {
  return
}
func.func @step(%t: i64) {
  call @step_0(%t) : (i64) -> ()
  call @step_finish(%t) : (i64) -> ()
  return
}
//       CHECK: wl.param @B : tensor<4x4x4xf32>
//   CHECK-NOT: power_u
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @B} {
//  CHECK-NEXT:   %[[B:.+]] = wl.param_ref @B : tensor<4x4x4xf32>
//  CHECK-NEXT:   wl.param_store @B, %[[B]] : tensor<4x4x4xf32>
//  CHECK-NEXT:   wl.project_param @B row_block_scale, 5.000000e-01 {partner = @W}
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step_finish(
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//       CHECK:   wl.project_param @B row_block_scale, 5.000000e-01 {partner = @W}
//  CHECK-NEXT:   return
