// RUN: wl-opt --wl-generate-constraints --split-input-file %s | FileCheck %s

// A bound on a product of two factors (lowrank's U Vᵀ, LoRA's B A, with V
// stored as Vᵀ = A: `transposed`) is the runtime's exact product clip. The
// factors may be updated by different optimizer groups (@step_0 and
// @step_1), so after a step it runs at the end of @step, once both are
// stored; @project applies it once at creation. Nothing is generated
// before the stores and no power-iteration state is added.
wl.param @B : tensor<6x2xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 0.5, method = product_clip, partner = @A, transposed = true, origin = factor, structure = #wl.structure<lora>>]}
wl.param @A : tensor<2x5xf32> {init = #wl.init<kind = zeros>, trainable}
func.func private @step_0(%b: tensor<6x2xf32>) {
  wl.param_store @B, %b : tensor<6x2xf32>
  return
}
func.func private @step_1(%a: tensor<2x5xf32>) {
  wl.param_store @A, %a : tensor<2x5xf32>
  return
}
func.func @step(%b: tensor<6x2xf32>, %a: tensor<2x5xf32>) {
  call @step_0(%b) : (tensor<6x2xf32>) -> ()
  call @step_1(%a) : (tensor<2x5xf32>) -> ()
  return
}
//       CHECK: wl.param @B : tensor<6x2xf32>
//   CHECK-NOT: power_u
// CHECK-LABEL: func.func private @step_0(
//  CHECK-NEXT:   wl.param_store @B, %{{.+}} : tensor<6x2xf32>
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func private @step_1(
//  CHECK-NEXT:   wl.param_store @A, %{{.+}} : tensor<2x5xf32>
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @step(
//  CHECK-NEXT:   call @step_0
//  CHECK-NEXT:   call @step_1
//  CHECK-NEXT:   wl.project_param @B product_clip, 5.000000e-01 {partner = @A, transposed}
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
// needs no matrix and no power-iteration state.
wl.param @L : tensor<6x2xf32> {init = #wl.init<kind = zeros>}
wl.param @z : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 0.25, method = product_clip, partner = @U, transposed = true, left = @L, fixed = true, origin = factor, structure = #wl.structure<loldu>>]}
wl.param @U : tensor<2x5xf32> {init = #wl.init<kind = zeros>}
func.func private @step_0(%z: tensor<2xf32>) {
  wl.param_store @z, %z : tensor<2xf32>
  return
}
func.func @step(%z: tensor<2xf32>) {
  call @step_0(%z) : (tensor<2xf32>) -> ()
  return
}
//       CHECK: wl.param @z : tensor<2xf32>
//   CHECK-NOT: power_u
// CHECK-LABEL: func.func @step(
//  CHECK-NEXT:   call @step_0
//  CHECK-NEXT:   wl.project_param @z product_clip, 2.500000e-01 {fixed, left = @L, partner = @U, transposed}
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//       CHECK:   wl.project_param @z product_clip, 2.500000e-01 {fixed, left = @L, partner = @U, transposed}
//  CHECK-NEXT:   return

// -----

// bone(mode = bat)'s bound scales B against its frozen base right after B is
// stored (the base never changes); @project applies it once at creation.
wl.param @B : tensor<4x4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 0.5, method = row_block_scale, partner = @W, origin = factor, structure = #wl.structure<bone>>]}
wl.param @W : tensor<16x16xf32> {init = #wl.init<kind = zeros>}
func.func private @step_0(%b: tensor<4x4x4xf32>) {
  wl.param_store @B, %b : tensor<4x4x4xf32>
  return
}
func.func @step(%b: tensor<4x4x4xf32>) {
  call @step_0(%b) : (tensor<4x4x4xf32>) -> ()
  return
}
//       CHECK: wl.param @B : tensor<4x4x4xf32>
//   CHECK-NOT: power_u
// CHECK-LABEL: func.func private @step_0(
//  CHECK-NEXT:   wl.param_store @B, %{{.+}} : tensor<4x4x4xf32>
//  CHECK-NEXT:   wl.project_param @B row_block_scale, 5.000000e-01 {partner = @W}
//  CHECK-NEXT:   return
// CHECK-LABEL: func.func @project() {
//       CHECK:   wl.project_param @B row_block_scale, 5.000000e-01 {partner = @W}
//  CHECK-NEXT:   return
