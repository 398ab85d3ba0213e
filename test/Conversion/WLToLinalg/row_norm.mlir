// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// wl.row_norm (Norms.cpp): per row, the statistics are reductions over the
// columns into [rows] (scaled by 1/n), r = rsqrt(mean square + eps), then one
// elementwise pass reads them broadcast along the row. rms does not centre.

//   CHECK-DAG: #[[$M:.+]] = affine_map<(d0, d1) -> (d0, d1)>
//   CHECK-DAG: #[[$R:.+]] = affine_map<(d0, d1) -> (d0)>

// CHECK-LABEL: func.func private @rms(
//       CHECK:   %[[X:.+]] = bufferization.to_tensor
//       CHECK:   %[[Z:.+]] = linalg.fill
//       CHECK:   %[[MS:.+]] = linalg.generic {indexing_maps = [#[[$M]], #[[$R]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x8xf32>) outs(%[[Z]] : tensor<?xf32>)
//       CHECK:     arith.mulf %{{.+}}, %{{.+}} : f32
//       CHECK:     arith.constant 1.250000e-01 : f32
//       CHECK:   %[[RS:.+]] = linalg.generic
//       CHECK:     arith.constant 9.99999997E-7 : f32
//       CHECK:     math.rsqrt
//       CHECK:   linalg.generic {indexing_maps = [#[[$M]], #[[$R]], #[[$M]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[RS]] : tensor<?x8xf32>, tensor<?xf32>)
//  CHECK-NEXT:   ^bb0(%[[XI:.+]]: f32, %[[RI:.+]]: f32, %{{.+}}: f32):
//  CHECK-NEXT:     %[[Y:.+]] = arith.mulf %[[XI]], %[[RI]] : f32
//  CHECK-NEXT:     linalg.yield %[[Y]]
func.func private @rms(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = wl.row_norm <rms> %x, 1.0e-6 : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// layer_norm's VJP: mean, mean square of the centred x, y recomputed, then
// m = mean(dy·y) and a = mean(dy), and dx = r·(dy − y·m − a).
// CHECK-LABEL: func.func private @layer_grad(
//       CHECK:   %[[MEAN:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%{{.+}}, %[[MEAN]] :
//       CHECK:     arith.subf
//       CHECK:   math.rsqrt
//       CHECK:   %[[Y:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
//       CHECK:   %[[M:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[DY:.+]], %[[Y]] :
//       CHECK:   %[[A:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[DY]] :
//       CHECK:   linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[DY]], %[[Y]], %[[M]], %{{.+}}, %[[A]] :
//  CHECK-NEXT:   ^bb0(%[[G:[a-z0-9_]+]]: f32, %[[YI:[a-z0-9_]+]]: f32, %[[MI:[a-z0-9_]+]]: f32, %[[RI:[a-z0-9_]+]]: f32, %[[AI:[a-z0-9_]+]]: f32, %{{.+}}: f32):
//  CHECK-NEXT:     %[[YM:.+]] = arith.mulf %[[YI]], %[[MI]] : f32
//  CHECK-NEXT:     %[[T1:.+]] = arith.subf %[[G]], %[[YM]] : f32
//  CHECK-NEXT:     %[[T2:.+]] = arith.subf %[[T1]], %[[AI]] : f32
//  CHECK-NEXT:     %[[DX:.+]] = arith.mulf %[[T2]], %[[RI]] : f32
//  CHECK-NEXT:     linalg.yield %[[DX]]
func.func private @layer_grad(%x: tensor<?x8xf32>, %dy: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = wl.row_norm_grad <layer> %x, %dy, 1.0e-5 : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
