// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// groupsort: [B, W] is viewed as [B, W/k, k]; one generic ranks every element
// within its group (ties broken by position), a second routes values (forward)
// or gradients (backward) through the ranks; the result is collapsed back.

//   CHECK-DAG: #[[$I:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
//   CHECK-DAG: #[[$J:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>

// CHECK-LABEL: func.func private @groupsort(
//       CHECK:   %[[X:.+]] = bufferization.to_tensor
//       CHECK:   %[[C0:.+]] = arith.constant 0 : index
//       CHECK:   %[[B:.+]] = tensor.dim %[[X]], %[[C0]] : tensor<?x6xf32>
//       CHECK:   %[[G:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2]] output_shape [%[[B]], 2, 3] : tensor<?x6xf32> into tensor<?x2x3xf32>
// Ranks: rank[b, g, i] = #{j : x_j < x_i or (x_j == x_i and j < i)}, in i64.
//       CHECK:   %[[RE:.+]] = tensor.empty(%{{.+}}) : tensor<?x2x3xi64>
//       CHECK:   %[[RZ:.+]] = linalg.fill ins(%{{.+}} : i64) outs(%[[RE]] : tensor<?x2x3xi64>)
//       CHECK:   %[[RANK:.+]] = linalg.generic {indexing_maps = [#[[$I]], #[[$J]], #[[$I]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[G]], %[[G]] : tensor<?x2x3xf32>, tensor<?x2x3xf32>) outs(%[[RZ]] : tensor<?x2x3xi64>)
//  CHECK-NEXT:   ^bb0(%[[XI:[a-zA-Z0-9_]+]]: f32, %[[XJ:[a-zA-Z0-9_]+]]: f32, %[[ACC:[a-zA-Z0-9_]+]]: i64):
//  CHECK-NEXT:     %[[I:.+]] = linalg.index 2 : index
//  CHECK-NEXT:     %[[JJ:.+]] = linalg.index 3 : index
//  CHECK-NEXT:     %[[LT:.+]] = arith.cmpf olt, %[[XJ]], %[[XI]] : f32
//  CHECK-NEXT:     %[[EQ:.+]] = arith.cmpf oeq, %[[XJ]], %[[XI]] : f32
//  CHECK-NEXT:     %[[BEFORE:.+]] = arith.cmpi ult, %[[JJ]], %[[I]] : index
//  CHECK-NEXT:     %[[TIE:.+]] = arith.andi %[[EQ]], %[[BEFORE]] : i1
//  CHECK-NEXT:     %[[PREC:.+]] = arith.ori %[[LT]], %[[TIE]] : i1
//  CHECK-NEXT:     %[[ONE:.+]] = arith.extui %[[PREC]] : i1 to i64
//  CHECK-NEXT:     %[[SUM:.+]] = arith.addi %[[ACC]], %[[ONE]] : i64
//  CHECK-NEXT:     linalg.yield %[[SUM]] : i64
// Forward routing: out[b, g, p] = Σ_q (rank[q] == p) · x[q].
//       CHECK:   %[[SORTED:.+]] = linalg.generic {indexing_maps = [#[[$J]], #[[$J]], #[[$I]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[RANK]], %[[G]] : tensor<?x2x3xi64>, tensor<?x2x3xf32>)
//  CHECK-NEXT:   ^bb0(%[[R:[a-zA-Z0-9_]+]]: i64, %[[V:[a-zA-Z0-9_]+]]: f32, %[[O:[a-zA-Z0-9_]+]]: f32):
//  CHECK-NEXT:     %[[P:.+]] = linalg.index 2 : index
//  CHECK-NEXT:     %[[P64:.+]] = arith.index_cast %[[P]] : index to i64
//  CHECK-NEXT:     %[[HIT:.+]] = arith.cmpi eq, %[[R]], %[[P64]] : i64
//       CHECK:     %[[PICK:.+]] = arith.select %[[HIT]], %[[V]], %{{.+}} : f32
//  CHECK-NEXT:     %[[ADD:.+]] = arith.addf %[[O]], %[[PICK]] : f32
//  CHECK-NEXT:     linalg.yield %[[ADD]] : f32
//       CHECK:   %[[Y:.+]] = tensor.collapse_shape %[[SORTED]] {{\[}}[0], [1, 2]] : tensor<?x2x3xf32> into tensor<?x6xf32>
//       CHECK:   bufferization.materialize_in_destination %[[Y]]
func.func @groupsort(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %0 = wl.groupsort %x, 3 : tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// Backward routing: dx[b, g, i] = Σ_q (rank[i] == q) · dy[q].
// CHECK-LABEL: func.func private @groupsort_grad(
//       CHECK:   %[[X:.+]] = bufferization.to_tensor
//       CHECK:   %[[DY:.+]] = bufferization.to_tensor
//       CHECK:   %[[G:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2]] output_shape [%{{.+}}, 2, 3]
//       CHECK:   %[[RANK:.+]] = linalg.generic {indexing_maps = [#[[$I]], #[[$J]], #[[$I]]]
//  CHECK-SAME:       ins(%[[G]], %[[G]] :
//       CHECK:   %[[DG:.+]] = tensor.expand_shape %[[DY]] {{\[}}[0], [1, 2]] output_shape [%{{.+}}, 2, 3]
//       CHECK:   %[[DX:.+]] = linalg.generic {indexing_maps = [#[[$I]], #[[$J]], #[[$I]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
//  CHECK-SAME:       ins(%[[RANK]], %[[DG]] : tensor<?x2x3xi64>, tensor<?x2x3xf32>)
//  CHECK-NEXT:   ^bb0(%[[R:[a-zA-Z0-9_]+]]: i64, %[[V:[a-zA-Z0-9_]+]]: f32, %[[O:[a-zA-Z0-9_]+]]: f32):
//  CHECK-NEXT:     %[[Q:.+]] = linalg.index 3 : index
//  CHECK-NEXT:     %[[Q64:.+]] = arith.index_cast %[[Q]] : index to i64
//  CHECK-NEXT:     %[[HIT:.+]] = arith.cmpi eq, %[[R]], %[[Q64]] : i64
//       CHECK:     arith.select %[[HIT]], %[[V]], %{{.+}} : f32
//       CHECK:   %[[Y:.+]] = tensor.collapse_shape %[[DX]] {{\[}}[0], [1, 2]] : tensor<?x2x3xf32> into tensor<?x6xf32>
//       CHECK:   bufferization.materialize_in_destination %[[Y]]
func.func @groupsort_grad(%x: tensor<?x6xf32>, %dy: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %0 = wl.groupsort_grad %x, %dy, 3 : tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}
