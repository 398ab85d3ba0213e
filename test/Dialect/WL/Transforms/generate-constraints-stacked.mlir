// RUN: wl-opt --wl-generate-constraints --split-input-file %s | FileCheck %s

// A stacked parameter [g, m, n] (block-diagonal blocks, Kronecker factors,
// Monarch blocks) is g matrices, each projected on its own: one scf.for over
// the stack carries the new value and the power-iteration vectors [g, m]
// (read before the loop and stored after it, so every arena access stays
// outside), each iteration extracts matrix i and its row of power_u,
// projects, and inserts both back.
wl.param @w : tensor<3x4x8xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 2.0, origin = factor, structure = #wl.structure<blockdiag>>]}
func.func private @step_0(%w: tensor<3x4x8xf32>) {
  wl.param_store @w, %w : tensor<3x4x8xf32>
  return
}
//       CHECK: wl.param @w : tensor<3x4x8xf32> {{{.*}}origin = factor, structure = <blockdiag>{{.*}}state = ["power_u"], state_types = [tensor<3x4xf32>], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[W:[a-zA-Z0-9_]+]]: tensor<3x4x8xf32>
//       CHECK:   %[[U:.+]] = wl.state_ref @w["power_u"] : tensor<3x4xf32>
//   CHECK-DAG:   %[[C0:.+]] = arith.constant 0 : index
//   CHECK-DAG:   %[[C3:.+]] = arith.constant 3 : index
//   CHECK-DAG:   %[[C1:.+]] = arith.constant 1 : index
//       CHECK:   %[[LOOP:.+]]:2 = scf.for %[[I:.+]] = %[[C0]] to %[[C3]] step %[[C1]] iter_args(%[[ST:.+]] = %[[W]], %[[SU:.+]] = %[[U]]) -> (tensor<3x4x8xf32>, tensor<3x4xf32>) {
//       CHECK:     %[[M:.+]] = tensor.extract_slice %[[ST]][%[[I]], 0, 0] [1, 4, 8] [1, 1, 1] : tensor<3x4x8xf32> to tensor<4x8xf32>
//       CHECK:     %[[MU:.+]] = tensor.extract_slice %[[SU]][%[[I]], 0] [1, 4] [1, 1] : tensor<3x4xf32> to tensor<4xf32>
//       CHECK:     %[[NU:[a-zA-Z0-9_]+]], %[[S:[a-zA-Z0-9_]+]] = wl.power_iteration %[[M]], %[[MU]] {iterations = 10 : i64}
//       CHECK:     %[[U2:.+]] = tensor.insert_slice %[[NU]] into %[[SU]][%[[I]], 0] [1, 4] [1, 1]
//       CHECK:     %[[R:.+]] = wl.spectral_rescale %[[M]], %[[S]] {bound = 2.000000e+00 : f64} : tensor<4x8xf32>
//       CHECK:     %[[W2:.+]] = tensor.insert_slice %[[R]] into %[[ST]][%[[I]], 0, 0] [1, 4, 8] [1, 1, 1]
//       CHECK:     scf.yield %[[W2]], %[[U2]] : tensor<3x4x8xf32>, tensor<3x4xf32>
//       CHECK:   wl.state_store @w["power_u"], %[[LOOP]]#1 : tensor<3x4xf32>
//       CHECK:   wl.param_store @w, %[[LOOP]]#0 : tensor<3x4x8xf32>
//  CHECK-NEXT:   return
// At creation: every vector starts at 1/sqrt(m) = 1/2, the stack is rescaled
// by the runtime (block by block, see the lowering), and each block's vector
// converges in 15 iterations on the rescaled weight; the weight itself is not
// stored again.
// CHECK-LABEL: func.func @project() {
//  CHECK-NEXT:   %[[START:.+]] = arith.constant dense<5.000000e-01> : tensor<3x4xf32>
//  CHECK-NEXT:   wl.state_store @w["power_u"], %[[START]] : tensor<3x4xf32>
//  CHECK-NEXT:   %[[P:.+]] = wl.param_ref @w : tensor<3x4x8xf32>
//  CHECK-NEXT:   wl.param_store @w, %[[P]] : tensor<3x4x8xf32>
//  CHECK-NEXT:   wl.project_param @w strict, 2.000000e+00
//  CHECK-NEXT:   %[[P1:.+]] = wl.param_ref @w : tensor<3x4x8xf32>
//  CHECK-NEXT:   %[[U0:.+]] = wl.state_ref @w["power_u"] : tensor<3x4xf32>
//       CHECK:   scf.for
//       CHECK:     wl.power_iteration {{.*}} {iterations = 15 : i64}
//       CHECK:   wl.state_store @w["power_u"], %{{.+}}#1 : tensor<3x4xf32>
//   CHECK-NOT:   wl.param_store
//       CHECK:   return

// -----

// Only runtime projections: no loop of generated code (the runtime routine
// walks the stack itself), the projections in the order written after the
// store, and no power_u.
wl.param @w : tensor<2x4x4xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.spectral_bound<c = 0.5, method = svd_clip, strict = true>]}
func.func private @step_0(%w: tensor<2x4x4xf32>) {
  wl.param_store @w, %w : tensor<2x4x4xf32>
  return
}
//       CHECK: wl.param @w : tensor<2x4x4xf32>
//   CHECK-NOT: power_u
// CHECK-LABEL: func.func private @step_0(
//  CHECK-NEXT:   wl.param_store @w, %{{.+}} : tensor<2x4x4xf32>
//  CHECK-NEXT:   wl.project_param @w svd_clip, 5.000000e-01
//  CHECK-NEXT:   wl.project_param @w strict, 5.000000e-01
//  CHECK-NEXT:   return

// -----

// orthonormal on a stack: the polar iteration per matrix, from the power
// iteration's σ estimate of that matrix.
wl.param @w : tensor<2x3x3xf32> {init = #wl.init<kind = zeros>, trainable,
    constraints = [#wl.orthonormal<origin = factor, structure = #wl.structure<monarch>>]}
func.func private @step_0(%w: tensor<2x3x3xf32>) {
  wl.param_store @w, %w : tensor<2x3x3xf32>
  return
}
// CHECK-LABEL: func.func private @step_0(
//       CHECK:   scf.for
//       CHECK:     %[[M:.+]] = tensor.extract_slice {{.*}} to tensor<3x3xf32>
//       CHECK:     %{{.+}}, %[[S:[a-zA-Z0-9_]+]] = wl.power_iteration %[[M]]
//       CHECK:     %[[SCALE:.+]] = arith.maximumf %[[S]]
//       CHECK:     wl.polar_iteration %[[M]], %[[SCALE]] {steps = 6 : i64} : tensor<3x3xf32>
//       CHECK:     scf.yield
