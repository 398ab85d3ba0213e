// RUN: wl-opt --wl-generate-backward %s | FileCheck %s

// The VJP of wl.contract (StructureOps.cpp): for operand i, the same loops
// with the result's adjoint in place of operand i and operand i's map as the
// result map; wl.reshape's is the inverse reshape. Here a Kronecker term:
// X = x as [B, 4, 2], T[b,k,i,q] = Σ_j A[k,i,j] X[b,j,q],
// Y[b,i,o] = Σ_{k,q} T[b,k,i,q] Bk[k,o,q], y = Y as [B, 6].
#A  = affine_map<(b, k, i, j, q) -> (k, i, j)>
#X  = affine_map<(b, k, i, j, q) -> (b, j, q)>
#T  = affine_map<(b, k, i, j, q) -> (b, k, i, q)>
#T2 = affine_map<(b, i, o, k, q) -> (b, k, i, q)>
#B2 = affine_map<(b, i, o, k, q) -> (k, o, q)>
#Y2 = affine_map<(b, i, o, k, q) -> (b, i, o)>
wl.param @a : tensor<1x2x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @k : tensor<1x3x2xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x6xf32> {
  %x3 = wl.reshape %x : (tensor<?x8xf32>) -> tensor<?x4x2xf32>
  %a = wl.param_ref @a : tensor<1x2x4xf32>
  %t = wl.contract %a, %x3 {indexing_maps = [#A, #X, #T]} : (tensor<1x2x4xf32>, tensor<?x4x2xf32>) -> tensor<?x1x2x2xf32>
  %k = wl.param_ref @k : tensor<1x3x2xf32>
  %y3 = wl.contract %t, %k {indexing_maps = [#T2, #B2, #Y2]} : (tensor<?x1x2x2xf32>, tensor<1x3x2xf32>) -> tensor<?x2x3xf32>
  %y = wl.reshape %y3 : (tensor<?x2x3xf32>) -> tensor<?x6xf32>
  return %y : tensor<?x6xf32>
}
//   CHECK-DAG: #[[$A:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d3)>
//   CHECK-DAG: #[[$X:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>
//   CHECK-DAG: #[[$T:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
//   CHECK-DAG: #[[$T2:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
//   CHECK-DAG: #[[$B2:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d3, d2, d4)>
//   CHECK-DAG: #[[$Y2:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @backward(
//  CHECK-SAME: %[[XIN:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x6xf32>
//       CHECK: %[[X3:.+]] = wl.reshape %[[XIN]]
//       CHECK: %[[AP:.+]] = wl.param_ref @a
//       CHECK: %[[T:.+]] = wl.contract %[[AP]], %[[X3]]
//       CHECK: %[[KP:.+]] = wl.param_ref @k
//       CHECK: wl.contract %[[T]], %[[KP]]
//       CHECK: %[[DY3:.+]] = wl.reshape %[[DY]] : (tensor<?x6xf32>) -> tensor<?x2x3xf32>
// dT = dY·Bk over the second contraction's loops, result map T2; dBk likewise.
//       CHECK: %[[DT:.+]] = wl.contract %[[DY3]], %[[KP]] {indexing_maps = [#[[$Y2]], #[[$B2]], #[[$T2]]]} : (tensor<?x2x3xf32>, tensor<1x3x2xf32>) -> tensor<?x1x2x2xf32>
//       CHECK: %[[DK:.+]] = wl.contract %[[DY3]], %[[T]] {indexing_maps = [#[[$Y2]], #[[$T2]], #[[$B2]]]} : (tensor<?x2x3xf32>, tensor<?x1x2x2xf32>) -> tensor<1x3x2xf32>
//       CHECK: wl.grad_accumulate @k, %[[DK]]
//       CHECK: %[[DA:.+]] = wl.contract %[[DT]], %[[X3]] {indexing_maps = [#[[$T]], #[[$X]], #[[$A]]]} : (tensor<?x1x2x2xf32>, tensor<?x4x2xf32>) -> tensor<1x2x4xf32>
//       CHECK: %[[DX3:.+]] = wl.contract %[[DT]], %[[AP]] {indexing_maps = [#[[$T]], #[[$A]], #[[$X]]]} : (tensor<?x1x2x2xf32>, tensor<1x2x4xf32>) -> tensor<?x4x2xf32>
//       CHECK: wl.grad_accumulate @a, %[[DA]]
//       CHECK: %[[DX:.+]] = wl.reshape %[[DX3]] : (tensor<?x4x2xf32>) -> tensor<?x8xf32>
//       CHECK: return %[[DX]]
