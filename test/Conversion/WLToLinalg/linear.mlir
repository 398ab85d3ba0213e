// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --split-input-file %s | FileCheck %s

// Linear maps, sums and reductions lower to linalg.generic on tensors.
// (Non-entry functions are bound like entry points: arena first, tensors as
// memrefs, results as trailing memrefs.)

// y = x Wᵀ (a dot product over k: the sum may be reassociated for vectorisation): loops (m, n, k), C[m, n] += x[m, k] · W[n, k], into a zero fill.
//   CHECK-DAG: #[[$X:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
//   CHECK-DAG: #[[$WT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
//   CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func private @linear(
//  CHECK-SAME:     %{{[a-zA-Z0-9_]+}}: memref<?xf32>, %[[XM:[a-zA-Z0-9_]+]]: memref<?x8xf32>, %[[WM:[a-zA-Z0-9_]+]]: memref<4x8xf32>, %[[YM:[a-zA-Z0-9_]+]]: memref<?x4xf32>)
//       CHECK:   %[[X:.+]] = bufferization.to_tensor %[[XM]] restrict
//       CHECK:   %[[W:.+]] = bufferization.to_tensor %[[WM]] restrict
//       CHECK:   %[[C0:.+]] = arith.constant 0 : index
//       CHECK:   %[[B:.+]] = tensor.dim %[[X]], %[[C0]] : tensor<?x8xf32>
//       CHECK:   %[[E:.+]] = tensor.empty(%[[B]]) : tensor<?x4xf32>
//       CHECK:   %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//       CHECK:   %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x4xf32>)
//       CHECK:   %[[Y:.+]] = linalg.generic {indexing_maps = [#[[$X]], #[[$WT]], #[[$C]]], iterator_types = ["parallel", "parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[X]], %[[W]] : tensor<?x8xf32>, tensor<4x8xf32>) outs(%[[INIT]] : tensor<?x4xf32>)
//       CHECK:   ^bb0(%[[A:[a-zA-Z0-9_]+]]: f32, %[[BB:[a-zA-Z0-9_]+]]: f32, %[[ACC:[a-zA-Z0-9_]+]]: f32):
//       CHECK:     %[[P:.+]] = arith.mulf %[[A]], %[[BB]] : f32
//       CHECK:     %[[S:.+]] = arith.addf %[[ACC]], %[[P]] fastmath<reassoc> : f32
//       CHECK:     linalg.yield %[[S]] : f32
//       CHECK:   bufferization.materialize_in_destination %[[Y]] in restrict writable %[[YM]]
func.func @linear(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>) -> tensor<?x4xf32> {
  %0 = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// C = A · B without transposes: B is read along its rows, so the loops are
// (m, k, n) and the innermost loop streams rows of B and C.
//   CHECK-DAG: #[[$A:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
//   CHECK-DAG: #[[$B:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
//   CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func private @matmul(
//       CHECK:   linalg.generic {indexing_maps = [#[[$A]], #[[$B]], #[[$C]]], iterator_types = ["parallel", "reduction", "parallel"]}
//  CHECK-SAME:       ins(%{{.+}}, %{{.+}} : tensor<?x4xf32>, tensor<4x8xf32>) outs(%{{.+}} : tensor<?x8xf32>)
//       CHECK:     arith.mulf
//       CHECK:     arith.addf
func.func @matmul(%a: tensor<?x4xf32>, %b: tensor<4x8xf32>) -> tensor<?x8xf32> {
  %0 = wl.matmul %a, %b : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// C = Aᵀ · Bᵀ: A indexed (k, m), B indexed (n, k); the dynamic result sizes
// come from A's dimension 1 and B's dimension 0.
//   CHECK-DAG: #[[$AT:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
//   CHECK-DAG: #[[$BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
//   CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func private @matmul_transposed(
//       CHECK:   %[[A:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<8x?xf32> to tensor<8x?xf32>
//       CHECK:   %[[B:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<?x8xf32> to tensor<?x8xf32>
//       CHECK:   %[[C1:.+]] = arith.constant 1 : index
//       CHECK:   %[[M:.+]] = tensor.dim %[[A]], %[[C1]]
//       CHECK:   %[[C0:.+]] = arith.constant 0 : index
//       CHECK:   %[[N:.+]] = tensor.dim %[[B]], %[[C0]]
//       CHECK:   %[[E:.+]] = tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
//       CHECK:   %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?x?xf32>)
//       CHECK:   linalg.generic {indexing_maps = [#[[$AT]], #[[$BT]], #[[$C]]], iterator_types = ["parallel", "parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[A]], %[[B]] : tensor<8x?xf32>, tensor<?x8xf32>) outs(%[[INIT]] : tensor<?x?xf32>)
func.func @matmul_transposed(%a: tensor<8x?xf32>, %b: tensor<?x8xf32>) -> tensor<?x?xf32> {
  %0 = wl.matmul %a, %b {transpose_lhs, transpose_rhs} : (tensor<8x?xf32>, tensor<?x8xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// bias_add broadcasts the bias along the batch: y[b, j] = x[b, j] + bias[j].
//   CHECK-DAG: #[[$ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
//   CHECK-DAG: #[[$COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func private @bias_add(
//       CHECK:   %[[X:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<?x4xf32>
//       CHECK:   %[[BIAS:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<4xf32>
//       CHECK:   %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?x4xf32>
//       CHECK:   linalg.generic {indexing_maps = [#[[$ID]], #[[$COL]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[X]], %[[BIAS]] : tensor<?x4xf32>, tensor<4xf32>) outs(%[[E]] : tensor<?x4xf32>)
//       CHECK:   ^bb0(%[[A:[a-zA-Z0-9_]+]]: f32, %[[BB:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//       CHECK:     %[[S:.+]] = arith.addf %[[A]], %[[BB]] : f32
//       CHECK:     linalg.yield %[[S]]
func.func @bias_add(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = wl.bias_add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// reduce_batch: loops (b, j), out[j] += x[b, j], from a zero fill; the rows
// outermost so that the inner loop reads x contiguously.
//   CHECK-DAG: #[[$IN:.+]] = affine_map<(d0, d1) -> (d0, d1)>
//   CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func private @reduce_batch(
//       CHECK:   %[[X:.+]] = bufferization.to_tensor %{{.+}} restrict : memref<?x4xf32>
//       CHECK:   %[[E:.+]] = tensor.empty() : tensor<4xf32>
//       CHECK:   %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//       CHECK:   %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<4xf32>)
//       CHECK:   linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]], iterator_types = ["reduction", "parallel"]}
//  CHECK-SAME:       ins(%[[X]] : tensor<?x4xf32>) outs(%[[INIT]] : tensor<4xf32>)
//       CHECK:   ^bb0(%[[A:[a-zA-Z0-9_]+]]: f32, %[[ACC:[a-zA-Z0-9_]+]]: f32):
//       CHECK:     %[[S:.+]] = arith.addf %[[ACC]], %[[A]] : f32
//       CHECK:     linalg.yield %[[S]]
func.func @reduce_batch(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  %0 = wl.reduce_batch %x : (tensor<?x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// add and scale: elementwise generics.
//   CHECK-DAG: #[[$ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func private @add_scale(
//       CHECK:   %[[X:.+]] = bufferization.to_tensor %{{.+}} restrict
//       CHECK:   %[[Y:.+]] = bufferization.to_tensor %{{.+}} restrict
//       CHECK:   %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[X]], %[[Y]] : tensor<?x4xf32>, tensor<?x4xf32>)
//       CHECK:   ^bb0(%[[A:[a-zA-Z0-9_]+]]: f32, %[[BB:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//       CHECK:     %[[S:.+]] = arith.addf %[[A]], %[[BB]] : f32
//       CHECK:     linalg.yield %[[S]]
//       CHECK:   %[[SCALED:.+]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[SUM]] : tensor<?x4xf32>)
//       CHECK:   ^bb0(%[[V:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//       CHECK:     %[[F:.+]] = arith.constant -1.500000e+00 : f32
//       CHECK:     %[[M:.+]] = arith.mulf %[[V]], %[[F]] : f32
//       CHECK:     linalg.yield %[[M]]
//       CHECK:   bufferization.materialize_in_destination %[[SCALED]]
func.func @add_scale(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.add %x, %y : tensor<?x4xf32>
  %1 = wl.scale %0, -1.500000e+00 : tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}
