// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg %s | FileCheck %s

// Losses lower to row reductions and a full reduction into a 0-d tensor,
// divided by the batch size (cross_entropy) or the element count (mse).

//   CHECK-DAG: #[[$BC:.+]] = affine_map<(d0, d1) -> (d0, d1)>
//   CHECK-DAG: #[[$ROW:.+]] = affine_map<(d0, d1) -> (d0)>
//   CHECK-DAG: #[[$B:.+]] = affine_map<(d0) -> (d0)>
//   CHECK-DAG: #[[$ALL1:.+]] = affine_map<(d0) -> ()>
//   CHECK-DAG: #[[$ALL2:.+]] = affine_map<(d0, d1) -> ()>

// mean_b(max_b + log Σ_c exp(z_bc - max_b) - z_b[y_b]).
// CHECK-LABEL: func.func private @cross_entropy(
//  CHECK-SAME:     %{{[a-zA-Z0-9_]+}}: memref<?xf32>, %[[ZM:[a-zA-Z0-9_]+]]: memref<?x10xf32>, %[[YM:[a-zA-Z0-9_]+]]: memref<?xi32>) -> f32
//       CHECK:   %[[Z:.+]] = bufferization.to_tensor %[[ZM]] restrict
//       CHECK:   %[[Y:.+]] = bufferization.to_tensor %[[YM]] restrict : memref<?xi32> to tensor<?xi32>
// Row maxima, from -inf.
//       CHECK:   %[[NINF:.+]] = arith.constant 0xFF800000 : f32
//       CHECK:   %[[MAXINIT:.+]] = linalg.fill ins(%[[NINF]] : f32)
//       CHECK:   %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[$BC]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[Z]] : tensor<?x10xf32>) outs(%[[MAXINIT]] : tensor<?xf32>)
//       CHECK:     arith.maximumf
// Σ exp(z - max).
//       CHECK:   %[[SUMEXP:.+]] = linalg.generic {indexing_maps = [#[[$BC]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[Z]], %[[MAX]] : tensor<?x10xf32>, tensor<?xf32>)
//  CHECK-NEXT:   ^bb0(%[[ZV:[a-zA-Z0-9_]+]]: f32, %[[MV:[a-zA-Z0-9_]+]]: f32, %[[ACC:[a-zA-Z0-9_]+]]: f32):
//  CHECK-NEXT:     %[[D:.+]] = arith.subf %[[ZV]], %[[MV]] : f32
//  CHECK-NEXT:     %[[E:.+]] = math.exp %[[D]] : f32
//  CHECK-NEXT:     %[[S:.+]] = arith.addf %[[ACC]], %[[E]] : f32
// z_b[y_b]: the column whose index equals the label.
//       CHECK:   %[[PICKED:.+]] = linalg.generic {indexing_maps = [#[[$BC]], #[[$ROW]], #[[$ROW]]], iterator_types = ["parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[Z]], %[[Y]] : tensor<?x10xf32>, tensor<?xi32>)
//       CHECK:     %[[COL:.+]] = linalg.index 1 : index
//  CHECK-NEXT:     %[[COL32:.+]] = arith.index_cast %[[COL]] : index to i32
//  CHECK-NEXT:     %[[IS:.+]] = arith.cmpi eq, %[[COL32]], %{{.+}} : i32
//  CHECK-NEXT:     arith.select %[[IS]]
// The batch sum, into a 0-d tensor.
//       CHECK:   %[[TOTAL:.+]] = linalg.generic {indexing_maps = [#[[$B]], #[[$B]], #[[$B]], #[[$ALL1]]], iterator_types = ["reduction"]}
//  CHECK-SAME:       ins(%[[MAX]], %[[SUMEXP]], %[[PICKED]] : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) outs(%{{.+}} : tensor<f32>)
//  CHECK-NEXT:   ^bb0(%[[M:[a-zA-Z0-9_]+]]: f32, %[[SE:[a-zA-Z0-9_]+]]: f32, %[[P:[a-zA-Z0-9_]+]]: f32, %[[A:[a-zA-Z0-9_]+]]: f32):
//  CHECK-NEXT:     %[[LOG:.+]] = math.log %[[SE]] : f32
//  CHECK-NEXT:     %[[LSE:.+]] = arith.addf %[[M]], %[[LOG]] : f32
//  CHECK-NEXT:     %[[T:.+]] = arith.subf %[[LSE]], %[[P]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.addf %[[A]], %[[T]] : f32
//       CHECK:   %[[SUM:.+]] = tensor.extract %[[TOTAL]][] : tensor<f32>
//       CHECK:   %[[C0:.+]] = arith.constant 0 : index
//       CHECK:   %[[BATCH:.+]] = tensor.dim %[[Z]], %[[C0]]
//       CHECK:   %[[BI:.+]] = arith.index_cast %[[BATCH]] : index to i64
//       CHECK:   %[[BF:.+]] = arith.sitofp %[[BI]] : i64 to f32
//       CHECK:   %[[MEAN:.+]] = arith.divf %[[SUM]], %[[BF]] : f32
//       CHECK:   return %[[MEAN]] : f32
func.func @cross_entropy(%z: tensor<?x10xf32>, %y: tensor<?xi32>) -> f32 {
  %0 = wl.cross_entropy %z, %y : tensor<?x10xf32>, tensor<?xi32>
  return %0 : f32
}

// dz = (softmax(z) - onehot(y)) · dl / B, one parallel generic.
// CHECK-LABEL: func.func private @cross_entropy_grad(
//  CHECK-SAME:     %[[ZM:[a-zA-Z0-9_]+]]: memref<?x10xf32>, %[[YM:[a-zA-Z0-9_]+]]: memref<?xi32>, %[[DL:[a-zA-Z0-9_]+]]: f32, %[[OUT:[a-zA-Z0-9_]+]]: memref<?x10xf32>)
//       CHECK:   %[[Z:.+]] = bufferization.to_tensor %[[ZM]]
//       CHECK:   %[[Y:.+]] = bufferization.to_tensor %[[YM]]
//       CHECK:   %[[MAX:.+]] = linalg.generic
//       CHECK:     arith.maximumf
//       CHECK:   %[[SUMEXP:.+]] = linalg.generic
//       CHECK:     math.exp
//       CHECK:   %[[BF:.+]] = arith.sitofp %{{.+}} : i64 to f32
//       CHECK:   %[[SCALE:.+]] = arith.divf %[[DL]], %[[BF]] : f32
//       CHECK:   %[[DZ:.+]] = linalg.generic {indexing_maps = [#[[$BC]], #[[$ROW]], #[[$ROW]], #[[$ROW]], #[[$BC]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[Z]], %[[MAX]], %[[SUMEXP]], %[[Y]] : tensor<?x10xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xi32>)
//  CHECK-NEXT:   ^bb0(%[[ZV:[a-zA-Z0-9_]+]]: f32, %[[MV:[a-zA-Z0-9_]+]]: f32, %[[SE:[a-zA-Z0-9_]+]]: f32, %[[L:[a-zA-Z0-9_]+]]: i32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[D:.+]] = arith.subf %[[ZV]], %[[MV]] : f32
//  CHECK-NEXT:     %[[E:.+]] = math.exp %[[D]] : f32
//  CHECK-NEXT:     %[[P:.+]] = arith.divf %[[E]], %[[SE]] : f32
//   CHECK-DAG:     %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:     %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//       CHECK:     %[[IS:.+]] = arith.cmpi eq, %{{.+}}, %[[L]] : i32
//  CHECK-NEXT:     %[[HOT:.+]] = arith.select %[[IS]], %[[ONE]], %[[ZERO]] : f32
//  CHECK-NEXT:     %[[DIFF:.+]] = arith.subf %[[P]], %[[HOT]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.mulf %[[DIFF]], %[[SCALE]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
//       CHECK:   bufferization.materialize_in_destination %[[DZ]] in restrict writable %[[OUT]]
func.func @cross_entropy_grad(%z: tensor<?x10xf32>, %y: tensor<?xi32>, %g: f32) -> tensor<?x10xf32> {
  %0 = wl.cross_entropy_grad %z, %y, %g : tensor<?x10xf32>, tensor<?xi32>
  return %0 : tensor<?x10xf32>
}

// mean over all elements of (z - t)².
// CHECK-LABEL: func.func private @mse(
//       CHECK:   %[[Z:.+]] = bufferization.to_tensor
//       CHECK:   %[[T:.+]] = bufferization.to_tensor
//       CHECK:   %[[TOTAL:.+]] = linalg.generic {indexing_maps = [#[[$BC]], #[[$BC]], #[[$ALL2]]], iterator_types = ["reduction", "reduction"]}
//  CHECK-SAME:       ins(%[[Z]], %[[T]] : tensor<?x3xf32>, tensor<?x3xf32>) outs(%{{.+}} : tensor<f32>)
//  CHECK-NEXT:   ^bb0(%[[ZV:[a-zA-Z0-9_]+]]: f32, %[[TV:[a-zA-Z0-9_]+]]: f32, %[[A:[a-zA-Z0-9_]+]]: f32):
//  CHECK-NEXT:     %[[D:.+]] = arith.subf %[[ZV]], %[[TV]] : f32
//  CHECK-NEXT:     %[[SQ:.+]] = arith.mulf %[[D]], %[[D]] : f32
//  CHECK-NEXT:     %[[S:.+]] = arith.addf %[[A]], %[[SQ]] : f32
//       CHECK:   %[[SUM:.+]] = tensor.extract %[[TOTAL]][]
//       CHECK:   %[[C1:.+]] = arith.constant 1 : index
//       CHECK:   %[[K:.+]] = tensor.dim %[[Z]], %[[C1]]
//       CHECK:   %[[KF:.+]] = arith.sitofp
//       CHECK:   %[[C0:.+]] = arith.constant 0 : index
//       CHECK:   %[[B:.+]] = tensor.dim %[[Z]], %[[C0]]
//       CHECK:   %[[BF:.+]] = arith.sitofp
//       CHECK:   %[[N:.+]] = arith.mulf %[[BF]], %[[KF]] : f32
//       CHECK:   %[[MEAN:.+]] = arith.divf %[[SUM]], %[[N]] : f32
//       CHECK:   return %[[MEAN]] : f32
func.func @mse(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>) -> f32 {
  %0 = wl.mse %z, %t : tensor<?x3xf32>
  return %0 : f32
}

// dz = 2 (z - t) · dl / (B·K).
// CHECK-LABEL: func.func private @mse_grad(
//  CHECK-SAME:     %[[DL:[a-zA-Z0-9_]+]]: f32, %[[OUT:[a-zA-Z0-9_]+]]: memref<?x3xf32>)
//       CHECK:   %[[Z:.+]] = bufferization.to_tensor
//       CHECK:   %[[T:.+]] = bufferization.to_tensor
//       CHECK:   %[[TWO:.+]] = arith.constant 2.000000e+00 : f32
//       CHECK:   %[[TWICE:.+]] = arith.mulf %[[TWO]], %[[DL]] : f32
//       CHECK:   %[[N:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
//       CHECK:   %[[SCALE:.+]] = arith.divf %[[TWICE]], %[[N]] : f32
//       CHECK:   %[[DZ:.+]] = linalg.generic {indexing_maps = [#[[$BC]], #[[$BC]], #[[$BC]]], iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[Z]], %[[T]] : tensor<?x3xf32>, tensor<?x3xf32>)
//  CHECK-NEXT:   ^bb0(%[[ZV:[a-zA-Z0-9_]+]]: f32, %[[TV:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[D:.+]] = arith.subf %[[ZV]], %[[TV]] : f32
//  CHECK-NEXT:     %[[R:.+]] = arith.mulf %[[D]], %[[SCALE]] : f32
//  CHECK-NEXT:     linalg.yield %[[R]] : f32
//       CHECK:   bufferization.materialize_in_destination %[[DZ]] in restrict writable %[[OUT]]
func.func @mse_grad(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>, %g: f32) -> tensor<?x3xf32> {
  %0 = wl.mse_grad %z, %t, %g : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
