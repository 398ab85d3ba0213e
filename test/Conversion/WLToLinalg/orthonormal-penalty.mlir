// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// wl.orthonormal_penalty_grad (SORSA's regulariser, Optimizers.cpp): the r × r
// Gram, M = Gram − I through linalg.index, ‖M‖_F as a full reduction, the
// coefficient 2·weight/‖M‖_F (0 when the norm is 0: no NaN), then M·A (rows)
// or B·N (columns) scaled by it.

//   CHECK-DAG: #[[$MK:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
//   CHECK-DAG: #[[$NK:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
//   CHECK-DAG: #[[$MN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
//   CHECK-DAG: #[[$KM:.+]] = affine_map<(d0, d1, d2) -> (d1, d0)>

// A [3, 8]: M = A Aᵀ − I, result = 2·2.5·M·A/‖M‖_F.
// CHECK-LABEL: func.func private @penalty_rows(
//       CHECK:   %[[A:.+]] = bufferization.to_tensor
//       CHECK:   %[[GRAM:.+]] = linalg.generic {indexing_maps = [#[[$MK]], #[[$NK]], #[[$MN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[A]], %[[A]] : tensor<3x8xf32>, tensor<3x8xf32>) outs({{.+}} : tensor<3x3xf32>)
//       CHECK:   %[[M:.+]] = linalg.generic {{.+}} ins(%[[GRAM]] : tensor<3x3xf32>)
//       CHECK:     %[[I:.+]] = linalg.index 0 : index
//       CHECK:     %[[J:.+]] = linalg.index 1 : index
//       CHECK:     %[[DIAG:.+]] = arith.cmpi eq, %[[I]], %[[J]] : index
//       CHECK:     %[[ONE:.+]] = arith.select %[[DIAG]], %{{.+}}, %{{.+}} : f32
//       CHECK:     arith.subf %{{.+}}, %[[ONE]] : f32
//       CHECK:   %[[SQ:.+]] = linalg.generic {{.+}} iterator_types = ["reduction", "reduction"]} ins(%[[M]] : tensor<3x3xf32>)
//       CHECK:   %[[SUM:.+]] = tensor.extract %[[SQ]][]
//       CHECK:   %[[NORM:.+]] = math.sqrt %[[SUM]] : f32
//       CHECK:   %[[TWICE:.+]] = arith.constant 5.000000e+00 : f32
//       CHECK:   %[[Q:.+]] = arith.divf %[[TWICE]], %[[NORM]] : f32
//       CHECK:   %[[POS:.+]] = arith.cmpf ogt, %[[NORM]], %[[ZERO:.+]] : f32
//       CHECK:   %[[COEF:.+]] = arith.select %[[POS]], %[[Q]], %[[ZERO]] : f32
//       CHECK:   %[[MA:.+]] = linalg.generic {{.+}} ins(%[[M]], %[[A]] : tensor<3x3xf32>, tensor<3x8xf32>) outs({{.+}} : tensor<3x8xf32>)
//       CHECK:   %[[R:.+]] = linalg.generic {{.+}} ins(%[[MA]] : tensor<3x8xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[COEF]] : f32
//       CHECK:   bufferization.materialize_in_destination %[[R]]
func.func @penalty_rows(%a: tensor<3x8xf32>) -> tensor<3x8xf32> {
  %0 = wl.orthonormal_penalty_grad %a {transposed = false, weight = 2.5 : f64} : tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// B [8, 3] (transposed): N = Bᵀ B − I, result = 2·0.5·B·N/‖N‖_F.
// CHECK-LABEL: func.func private @penalty_columns(
//       CHECK:   %[[B:.+]] = bufferization.to_tensor
//       CHECK:   %[[GRAM:.+]] = linalg.generic {indexing_maps = [#[[$KM]], #[[$NK]], #[[$MK]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[B]], %[[B]] : tensor<8x3xf32>, tensor<8x3xf32>) outs({{.+}} : tensor<3x3xf32>)
//       CHECK:   %[[N:.+]] = linalg.generic {{.+}} ins(%[[GRAM]] : tensor<3x3xf32>)
//       CHECK:     linalg.index 0
//       CHECK:   %[[NORM:.+]] = math.sqrt
//       CHECK:   %[[TWICE:.+]] = arith.constant 1.000000e+00 : f32
//       CHECK:   arith.divf %[[TWICE]], %[[NORM]] : f32
//       CHECK:   %[[BN:.+]] = linalg.generic {{.+}} ins(%[[B]], %[[N]] : tensor<8x3xf32>, tensor<3x3xf32>) outs({{.+}} : tensor<8x3xf32>)
//       CHECK:   linalg.generic {{.+}} ins(%[[BN]] : tensor<8x3xf32>)
func.func @penalty_columns(%b: tensor<8x3xf32>) -> tensor<8x3xf32> {
  %0 = wl.orthonormal_penalty_grad %b {transposed = true, weight = 0.5 : f64} : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}
