// RUN: wl-opt --wl-generate-backward %s | FileCheck %s

// The VJP of wl.sst_product (StructureOps.cpp), y = ((x V)·s) Uᵀ: with
// a = x V and c = dy U, the input gets its true adjoint (c·s) Vᵀ and s its
// true Σ_b a·c, but U and V get sparse spectral training's gradients,
// without the s factor: dU = dyᵀ a, dV = xᵀ c.
wl.param @a.weight.U : tensor<5x3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @a.weight.s : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @a.weight.V : tensor<3x3xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %u = wl.param_ref @a.weight.U : tensor<5x3xf32>
  %s = wl.param_ref @a.weight.s : tensor<3xf32>
  %v = wl.param_ref @a.weight.V : tensor<3x3xf32>
  %y = wl.sst_product %x, %u, %s, %v : (tensor<?x3xf32>, tensor<5x3xf32>, tensor<3xf32>, tensor<3x3xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}
// CHECK-LABEL: func.func @backward(
//  CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x3xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x5xf32>
//       CHECK: %[[U:.+]] = wl.param_ref @a.weight.U
//       CHECK: %[[S:.+]] = wl.param_ref @a.weight.s
//       CHECK: %[[V:.+]] = wl.param_ref @a.weight.V
//       CHECK: %[[A:.+]] = wl.matmul %[[X]], %[[V]] : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
//       CHECK: %[[C:.+]] = wl.matmul %[[DY]], %[[U]] : (tensor<?x5xf32>, tensor<5x3xf32>) -> tensor<?x3xf32>
//       CHECK: %[[CS:.+]] = wl.scale_columns %[[C]], %[[S]]
//       CHECK: %[[DX:.+]] = wl.matmul %[[CS]], %[[V]] {transpose_rhs} : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
//       CHECK: %[[DU:.+]] = wl.matmul %[[DY]], %[[A]] {transpose_lhs} : (tensor<?x5xf32>, tensor<?x3xf32>) -> tensor<5x3xf32>
//       CHECK: %[[DS:.+]] = wl.column_dot %[[A]], %[[C]]
//       CHECK: %[[DV:.+]] = wl.matmul %[[X]], %[[C]] {transpose_lhs} : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<3x3xf32>
//   CHECK-DAG: wl.grad_accumulate @a.weight.U, %[[DU]]
//   CHECK-DAG: wl.grad_accumulate @a.weight.s, %[[DS]]
//   CHECK-DAG: wl.grad_accumulate @a.weight.V, %[[DV]]
//       CHECK: return %[[DX]]
