// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// The sequence ops other than attention (Sequence.cpp). Row-form values
// [B·T, d] are split into [B, T, d] where the position matters; ids are
// clamped into the table before every access.

//   CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
//   CHECK-DAG: #[[$BT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
//   CHECK-DAG: #[[$ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
//   CHECK-DAG: #[[$ROW:.+]] = affine_map<(d0) -> (d0)>
//   CHECK-DAG: #[[$BC:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>

// ids[b, t] = t.
// CHECK-LABEL: func.func private @positions(
//       CHECK:   linalg.generic {indexing_maps = [#[[$ID2]]], iterator_types = ["parallel", "parallel"]} outs(%{{.+}} : tensor<?x8xi32>)
//  CHECK-NEXT:   ^bb0(%{{.+}}: i32):
//  CHECK-NEXT:     %[[T:.+]] = linalg.index 1 : index
//  CHECK-NEXT:     %[[I:.+]] = arith.index_cast %[[T]] : index to i32
//  CHECK-NEXT:     linalg.yield %[[I]] : i32
func.func private @positions(%ids: tensor<?x8xi32>) -> tensor<?x8xi32> {
  %p = wl.positions %ids {length = 8 : i64} : tensor<?x8xi32> -> tensor<?x8xi32>
  return %p : tensor<?x8xi32>
}

// A gather over [B, T, D]: the id through the indexing map, clamped into
// [0, V), the table row through tensor.extract; then [B·T, D].
// CHECK-LABEL: func.func private @embedding(
//       CHECK:   %[[E:.+]] = bufferization.to_tensor %{{.+}} : memref<50x16xf32>
//       CHECK:   %[[IDS:.+]] = bufferization.to_tensor %{{.+}} : memref<?x8xi32>
//       CHECK:   %[[G:.+]] = linalg.generic {indexing_maps = [#[[$BT]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS]] : tensor<?x8xi32>) outs(%{{.+}} : tensor<?x8x16xf32>)
//  CHECK-NEXT:   ^bb0(%[[ID:.+]]: i32, %{{.+}}: f32):
//  CHECK-NEXT:     %[[IX:.+]] = arith.index_cast %[[ID]] : i32 to index
//  CHECK-NEXT:     %[[LAST:.+]] = arith.constant 49 : index
//  CHECK-NEXT:     %[[LO:.+]] = arith.maxsi %[[IX]], %{{.+}} : index
//  CHECK-NEXT:     %[[ROW:.+]] = arith.minsi %[[LO]], %[[LAST]] : index
//  CHECK-NEXT:     %[[COL:.+]] = linalg.index 2 : index
//  CHECK-NEXT:     tensor.extract %[[E]][%[[ROW]], %[[COL]]] : tensor<50x16xf32>
//       CHECK:   tensor.collapse_shape %[[G]] {{\[}}[0, 1], [2]] : tensor<?x8x16xf32> into tensor<?x16xf32>
func.func private @embedding(%e: tensor<50x16xf32>, %ids: tensor<?x8xi32>) -> tensor<?x16xf32> {
  %x = wl.embedding %e, %ids : (tensor<50x16xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
  return %x : tensor<?x16xf32>
}

// A scatter-add: one row update per position, in order, into a zero table
// carried by an scf.for; never a product with a one-hot [B·T, V] matrix.
// CHECK-LABEL: func.func private @embedding_grad(
//       CHECK:   %[[IDS:.+]] = bufferization.to_tensor %{{.+}} : memref<?x8xi32>
//       CHECK:   %[[DY:.+]] = bufferization.to_tensor %{{.+}} : memref<?x16xf32>
//       CHECK:   %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<50x16xf32>)
//       CHECK:   %[[N:.+]] = tensor.dim %[[DY]], %{{.+}} : tensor<?x16xf32>
//       CHECK:   scf.for %[[R:.+]] = %{{.+}} to %[[N]] step %{{.+}} iter_args(%[[ACC:.+]] = %[[Z]]) -> (tensor<50x16xf32>)
//       CHECK:     %[[B:.+]] = arith.divui %[[R]], %{{.+}} : index
//       CHECK:     %[[T:.+]] = arith.remui %[[R]], %{{.+}} : index
//       CHECK:     %[[ID:.+]] = tensor.extract %[[IDS]][%[[B]], %[[T]]] : tensor<?x8xi32>
//       CHECK:     %[[ROW:.+]] = arith.minsi
//       CHECK:     %[[OLD:.+]] = tensor.extract_slice %[[ACC]][%[[ROW]], 0] [1, 16] [1, 1] : tensor<50x16xf32> to tensor<16xf32>
//       CHECK:     %[[IN:.+]] = tensor.extract_slice %[[DY]][%[[R]], 0] [1, 16] [1, 1] : tensor<?x16xf32> to tensor<16xf32>
//       CHECK:     %[[NEW:.+]] = linalg.generic {indexing_maps = [#[[$ROW]], #[[$ROW]]], iterator_types = ["parallel"]} ins(%[[IN]] : tensor<16xf32>) outs(%[[OLD]] : tensor<16xf32>)
//       CHECK:       arith.addf
//       CHECK:     %[[INS:.+]] = tensor.insert_slice %[[NEW]] into %[[ACC]][%[[ROW]], 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<50x16xf32>
//       CHECK:     scf.yield %[[INS]] : tensor<50x16xf32>
//   CHECK-NOT:   tensor<?x50xf32>
func.func private @embedding_grad(%ids: tensor<?x8xi32>, %dy: tensor<?x16xf32>) -> tensor<50x16xf32> {
  %g = wl.embedding_grad %ids, %dy : (tensor<?x8xi32>, tensor<?x16xf32>) -> tensor<50x16xf32>
  return %g : tensor<50x16xf32>
}

// Σ_t h[b, t, c] / T over [B, T, D], positions between batch and columns so
// that rows stream.
// CHECK-LABEL: func.func private @mean_pool(
//       CHECK:   %[[H:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2]] output_shape [%{{.+}}, 8, 16] : tensor<?x16xf32> into tensor<?x8x16xf32>
//       CHECK:   linalg.generic {indexing_maps = [#[[$ID3]], #[[$BC]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[H]] : tensor<?x8x16xf32>) outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:     arith.constant 1.250000e-01 : f32
func.func private @mean_pool(%h: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %y = wl.mean_pool %h {length = 8 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// dy[b] / T broadcast over the T positions, then [B·T, D].
// CHECK-LABEL: func.func private @mean_pool_grad(
//       CHECK:   %[[G:.+]] = linalg.generic {indexing_maps = [#[[$BC]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}} : tensor<?x16xf32>) outs(%{{.+}} : tensor<?x8x16xf32>)
//       CHECK:     arith.constant 1.250000e-01 : f32
//       CHECK:   tensor.collapse_shape %[[G]] {{\[}}[0, 1], [2]] : tensor<?x8x16xf32> into tensor<?x16xf32>
func.func private @mean_pool_grad(%dy: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %d = wl.mean_pool_grad %dy {length = 8 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %d : tensor<?x16xf32>
}
