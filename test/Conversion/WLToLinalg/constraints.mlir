// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// Lowering of the constraint projections that run in MLIR (Constraints.cpp):
// matrix-vector products and norms for the power iteration, scalar factors
// for the rescales, and the odd polynomial iteration of NewtonSchulz.cpp
// (the Gram matrix X Xᵀ as one product marked `wl.upper` for wl-gemm-kernels
// to compute at half cost and mirror, then products accumulated onto their
// scaled addends) for hard_cap and soft_cap.

//   CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
//   CHECK-DAG: #[[$TR:.+]] = affine_map<(d0, d1) -> (d1, d0)>
//   CHECK-DAG: #[[$D0:.+]] = affine_map<(d0, d1) -> (d0)>
//   CHECK-DAG: #[[$D1:.+]] = affine_map<(d0, d1) -> (d1)>

// Two iterations, each v ← Wᵀu/‖Wᵀu‖ then u ← Wv/‖Wv‖: four matrix-vector
// products walking W by rows, alternately Wᵀ· (loops (reduced, output), into
// [IN]) and W· (loops (output, reduced), a reassociable dot product per row,
// into [OUT]); each normalised by 1/max(sqrt(Σx²), 1e-30). σ is the last
// ‖Wv‖ and the new u the last normalised W·v.
// CHECK-LABEL: func.func private @power_iteration(
//  CHECK-SAME:     %{{.+}}: memref<?xf32>, %{{.+}}: memref<4x8xf32>, %{{.+}}: memref<4xf32>, %[[NEWU:[a-zA-Z0-9_]+]]: memref<4xf32>) -> f32
//       CHECK:   %[[W:.+]] = bufferization.to_tensor {{.*}} : memref<4x8xf32> to tensor<4x8xf32>
//       CHECK:   %[[U:.+]] = bufferization.to_tensor {{.*}} : memref<4xf32> to tensor<4xf32>
//       CHECK:   %[[WTU:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$D0]], #[[$D1]]], iterator_types = ["reduction", "parallel"]} ins(%[[W]], %[[U]] : tensor<4x8xf32>, tensor<4xf32>) outs(%{{.+}} : tensor<8xf32>)
//       CHECK:     arith.mulf
//       CHECK:     arith.addf
//       CHECK:   %[[SQ:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[WTU]] : tensor<8xf32>)
//       CHECK:   %[[SQE:.+]] = tensor.extract %[[SQ]][]
//       CHECK:   %[[N:.+]] = math.sqrt %[[SQE]] : f32
//       CHECK:   %[[TINY:.+]] = arith.constant 1.000000e-30 : f32
//       CHECK:   %[[SAFE:.+]] = arith.maximumf %[[N]], %[[TINY]] : f32
//       CHECK:   %[[INV:.+]] = arith.divf %{{.+}}, %[[SAFE]] : f32
//       CHECK:   %[[V:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[WTU]] : tensor<8xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[INV]] : f32
//       CHECK:   %[[WV:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$D1]], #[[$D0]]], iterator_types = ["parallel", "reduction"]} ins(%[[W]], %[[V]] : tensor<4x8xf32>, tensor<8xf32>) outs(%{{.+}} : tensor<4xf32>)
//       CHECK:     arith.addf {{.*}} fastmath<reassoc>
//       CHECK:   math.sqrt
//       CHECK:   %[[U1:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[WV]] : tensor<4xf32>)
// The second iteration starts from the new u.
//       CHECK:   %[[WTU2:.+]] = linalg.generic {{.*}} ins(%[[W]], %[[U1]] : tensor<4x8xf32>, tensor<4xf32>)
//       CHECK:   %[[V2:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[WTU2]] : tensor<8xf32>)
//       CHECK:   %[[WV2:.+]] = linalg.generic {{.*}} ins(%[[W]], %[[V2]] : tensor<4x8xf32>, tensor<8xf32>)
//       CHECK:   %[[SQ2:.+]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[WV2]] : tensor<4xf32>)
//       CHECK:   %[[SQ2E:.+]] = tensor.extract %[[SQ2]][]
//       CHECK:   %[[SIGMA:.+]] = math.sqrt %[[SQ2E]] : f32
//       CHECK:   %[[U2:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[WV2]] : tensor<4xf32>)
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[U2]] in restrict writable %[[NEWU]]
//       CHECK:   return %[[SIGMA]] : f32
func.func private @power_iteration(%w: tensor<4x8xf32>, %u: tensor<4xf32>) -> (tensor<4xf32>, f32) {
  %0, %1 = wl.power_iteration %w, %u {iterations = 2 : i64} : tensor<4x8xf32>, tensor<4xf32>
  return %0, %1 : tensor<4xf32>, f32
}

// With 32 rows or more per chunk (here 2 chunks of 32 rows): the first v from
// Wᵀu as above, then every iteration but the last one pass over W in an
// scf.forall over row chunks, each chunk computing W_c v and then W_cᵀ(W_c v)
// (the next v's direction) while it is in cache; the chunks' partial sums
// added over loops (output, chunk). The last iteration is a plain W v.
// CHECK-LABEL: func.func private @power_iteration_chunked(
//       CHECK:   %[[W:.+]] = bufferization.to_tensor {{.*}} : memref<64x8xf32> to tensor<64x8xf32>
//       CHECK:   linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[W]], %{{.+}} : tensor<64x8xf32>, tensor<64xf32>)
//       CHECK:   %[[V1:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%{{.+}} : tensor<8xf32>)
//       CHECK:   %[[PASS:.+]]:2 = scf.forall (%[[C:.+]]) in (2) shared_outs(%[[T:.+]] = %{{.+}}, %[[P:.+]] = %{{.+}}) -> (tensor<2x32xf32>, tensor<2x8xf32>)
//       CHECK:     %[[ROW0:.+]] = arith.muli %[[C]], %c32
//       CHECK:     %[[CHUNK:.+]] = tensor.extract_slice %[[W]][%[[ROW0]], 0] [32, 8] [1, 1]
//       CHECK:     %[[TC:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[CHUNK]], %[[V1]] :
//       CHECK:     %[[PC:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[CHUNK]], %[[TC]] :
//       CHECK:     scf.forall.in_parallel
//       CHECK:       tensor.parallel_insert_slice %[[TC]] into %[[T]][%[[C]], 0] [1, 32]
//       CHECK:       tensor.parallel_insert_slice %[[PC]] into %[[P]][%[[C]], 0] [1, 8]
//       CHECK:   %[[WV:.+]] = tensor.collapse_shape %[[PASS]]#0 {{\[\[}}0, 1]] : tensor<2x32xf32> into tensor<64xf32>
//       CHECK:   %[[GRAM:.+]] = linalg.generic {indexing_maps = [#[[$TR]], #[[$D0]]], iterator_types = ["parallel", "reduction"]} ins(%[[PASS]]#1 : tensor<2x8xf32>)
//       CHECK:   linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[WV]] : tensor<64xf32>)
//       CHECK:   linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[GRAM]] : tensor<8xf32>)
//       CHECK:   %[[V2:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[GRAM]] : tensor<8xf32>)
//   CHECK-NOT:   scf.forall
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[W]], %[[V2]] : tensor<64x8xf32>, tensor<8xf32>)
//   CHECK-NOT:   scf.forall
//       CHECK:   return
func.func private @power_iteration_chunked(%w: tensor<64x8xf32>, %u: tensor<64xf32>) -> (tensor<64xf32>, f32) {
  %0, %1 = wl.power_iteration %w, %u {iterations = 2 : i64} : tensor<64x8xf32>, tensor<64xf32>
  return %0, %1 : tensor<64xf32>, f32
}

// W / max(1, σ/c) as W · c/max(σ, c): one scalar factor, one pass.
// CHECK-LABEL: func.func private @spectral_rescale(
//  CHECK-SAME:     %[[SIGMA:[a-zA-Z0-9_]+]]: f32
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[C:.+]] = arith.constant 2.000000e+00 : f32
//       CHECK:   %[[M:.+]] = arith.maximumf %[[SIGMA]], %[[C]] : f32
//       CHECK:   %[[F:.+]] = arith.divf %[[C]], %[[M]] : f32
//       CHECK:   %[[R:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[W]] : tensor<4x8xf32>)
//  CHECK-NEXT:   ^bb0(%[[X:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[Y:.+]] = arith.mulf %[[X]], %[[F]] : f32
//  CHECK-NEXT:     linalg.yield %[[Y]] : f32
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[R]]
func.func private @spectral_rescale(%w: tensor<4x8xf32>, %sigma: f32) -> tensor<4x8xf32> {
  %0 = wl.spectral_rescale %w, %sigma {bound = 2.0 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// W + (c − σ) u vᵀ, v = Wᵀu/‖Wᵀu‖: one matrix-vector product, its norm,
// then the rank-one update in one pass over W.
// CHECK-LABEL: func.func private @spectral_hammer(
//  CHECK-SAME:     %[[SIGMA:[a-zA-Z0-9_]+]]: f32, %[[OUT:[a-zA-Z0-9_]+]]: memref<4x8xf32>)
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[U:.+]] = bufferization.to_tensor
//       CHECK:   %[[WTU:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$D0]], #[[$D1]]], iterator_types = ["reduction", "parallel"]} ins(%[[W]], %[[U]] :
//       CHECK:   math.sqrt
//       CHECK:   %[[V:.+]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[WTU]] : tensor<8xf32>)
//       CHECK:   %[[C:.+]] = arith.constant 1.500000e+00 : f32
//       CHECK:   %[[GAP:.+]] = arith.subf %[[C]], %[[SIGMA]] : f32
//       CHECK:   %[[R:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$D0]], #[[$D1]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[W]], %[[U]], %[[V]] : tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>)
//  CHECK-NEXT:   ^bb0(%[[WIJ:[a-zA-Z0-9_]+]]: f32, %[[UI:[a-zA-Z0-9_]+]]: f32, %[[VJ:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[UV:.+]] = arith.mulf %[[UI]], %[[VJ]] : f32
//  CHECK-NEXT:     %[[T:.+]] = arith.mulf %[[GAP]], %[[UV]] : f32
//  CHECK-NEXT:     %[[S:.+]] = arith.addf %[[WIJ]], %[[T]] : f32
//  CHECK-NEXT:     linalg.yield %[[S]] : f32
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[R]] in restrict writable %[[OUT]]
func.func private @spectral_hammer(%w: tensor<4x8xf32>, %u: tensor<4xf32>, %sigma: f32) -> tensor<4x8xf32> {
  %0 = wl.spectral_hammer %w, %u, %sigma {bound = 1.5 : f64} : tensor<4x8xf32>, tensor<4xf32>
  return %0 : tensor<4x8xf32>
}

// M = W/s with s = max(c, ‖W‖_F/3.5) (‖W‖_F from a sum of squares), four steps M ← aM + (bA + c'A²)M with A = MMᵀ (W is wide: the
// short side is OUT = 4), W = c·M. Per step: the Gram matrix (`wl.upper`:
// no mirror here, wl-gemm-kernels mirrors it); B = bA + c'A·A (symmetric:
// `wl.upper`) and X = aX + B·X as products accumulated onto bA and aX.
// ALGORITHMS.md's coefficients (a, b, c'), in order: (0.805032, 0.206361,
// -0.019763), (0.649867, 0.162935, -0.011150), (1.810259, -0.200265,
// 0.008251), (1.004384, -0.183490, 0.014413).
// CHECK-LABEL: func.func private @spectral_hard_cap(
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[SQ:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[W]] : tensor<4x8xf32>) outs(%{{.+}} : tensor<f32>)
//       CHECK:     %[[X2:.+]] = arith.mulf %[[X:.+]], %[[X]] : f32
//  CHECK-NEXT:     arith.addf %{{.+}}, %[[X2]] : f32
//       CHECK:   %[[SQE:.+]] = tensor.extract %[[SQ]][]
//  CHECK-NEXT:   %[[FRO:.+]] = math.sqrt %[[SQE]] : f32
//  CHECK-NEXT:   %[[K:.+]] = arith.constant 3.500000e+00 : f32
//  CHECK-NEXT:   %[[FK:.+]] = arith.divf %[[FRO]], %[[K]] : f32
//  CHECK-NEXT:   %[[C:.+]] = arith.constant 2.000000e+00 : f32
//  CHECK-NEXT:   %[[S:.+]] = arith.maximumf %[[C]], %[[FK]] : f32
//  CHECK-NEXT:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//  CHECK-NEXT:   %[[INVS:.+]] = arith.divf %[[ONE]], %[[S]] : f32
//       CHECK:   %[[M0:.+]] = linalg.generic {{.*}} ins(%[[W]] : tensor<4x8xf32>) outs(%{{.+}} : tensor<4x8xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[INVS]]
// Step 1.
//       CHECK:   %[[A1:.+]] = linalg.generic {{.*}} ins(%[[M0]], %[[M0]] : tensor<4x8xf32>, tensor<4x8xf32>) outs(%{{.+}} : tensor<4x4xf32>) attrs = {wl.upper}
//   CHECK-NOT:   arith.cmpi uge
//       CHECK:   %[[BS1:.+]] = linalg.generic {{.*}} ins(%[[A1]] : tensor<4x4xf32>)
//       CHECK:     arith.constant 2.063610e-01 : f32
//       CHECK:   %[[B1:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[A1]], %[[A1]] : {{.*}} outs(%[[BS1]] : tensor<4x4xf32>) attrs = {wl.upper}
//       CHECK:     arith.constant -1.976300e-02 : f32
//       CHECK:   %[[MS1:.+]] = linalg.generic {{.*}} ins(%[[M0]] : tensor<4x8xf32>)
//       CHECK:     arith.constant 8.050320e-01 : f32
//       CHECK:   %[[M1:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[B1]], %[[M0]] : {{.*}} outs(%[[MS1]] : tensor<4x8xf32>)
// Step 2.
//       CHECK:   %[[A2:.+]] = linalg.generic {{.*}} ins(%[[M1]], %[[M1]] : tensor<4x8xf32>, tensor<4x8xf32>) outs(%{{.+}} : tensor<4x4xf32>) attrs = {wl.upper}
//   CHECK-NOT:   arith.cmpi uge
//       CHECK:   %[[BS2:.+]] = linalg.generic {{.*}} ins(%[[A2]] : tensor<4x4xf32>)
//       CHECK:     arith.constant 1.629350e-01 : f32
//       CHECK:   %[[B2:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[A2]], %[[A2]] : {{.*}} outs(%[[BS2]] : tensor<4x4xf32>) attrs = {wl.upper}
//       CHECK:     arith.constant -1.115000e-02 : f32
//       CHECK:   %[[MS2:.+]] = linalg.generic {{.*}} ins(%[[M1]] : tensor<4x8xf32>)
//       CHECK:     arith.constant 0.649866998 : f32
//       CHECK:   %[[M2:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[B2]], %[[M1]] : {{.*}} outs(%[[MS2]] : tensor<4x8xf32>)
// Step 3.
//       CHECK:   %[[A3:.+]] = linalg.generic {{.*}} ins(%[[M2]], %[[M2]] : tensor<4x8xf32>, tensor<4x8xf32>) outs(%{{.+}} : tensor<4x4xf32>) attrs = {wl.upper}
//   CHECK-NOT:   arith.cmpi uge
//       CHECK:   %[[BS3:.+]] = linalg.generic {{.*}} ins(%[[A3]] : tensor<4x4xf32>)
//       CHECK:     arith.constant -2.002650e-01 : f32
//       CHECK:   %[[B3:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[A3]], %[[A3]] : {{.*}} outs(%[[BS3]] : tensor<4x4xf32>) attrs = {wl.upper}
//       CHECK:     arith.constant 8.251000e-03 : f32
//       CHECK:   %[[MS3:.+]] = linalg.generic {{.*}} ins(%[[M2]] : tensor<4x8xf32>)
//       CHECK:     arith.constant 1.81025898 : f32
//       CHECK:   %[[M3:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[B3]], %[[M2]] : {{.*}} outs(%[[MS3]] : tensor<4x8xf32>)
// Step 4.
//       CHECK:   %[[A4:.+]] = linalg.generic {{.*}} ins(%[[M3]], %[[M3]] : tensor<4x8xf32>, tensor<4x8xf32>) outs(%{{.+}} : tensor<4x4xf32>) attrs = {wl.upper}
//   CHECK-NOT:   arith.cmpi uge
//       CHECK:   %[[BS4:.+]] = linalg.generic {{.*}} ins(%[[A4]] : tensor<4x4xf32>)
//       CHECK:     arith.constant -1.834900e-01 : f32
//       CHECK:   %[[B4:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[A4]], %[[A4]] : {{.*}} outs(%[[BS4]] : tensor<4x4xf32>) attrs = {wl.upper}
//       CHECK:     arith.constant 1.441300e-02 : f32
//       CHECK:   %[[MS4:.+]] = linalg.generic {{.*}} ins(%[[M3]] : tensor<4x8xf32>)
//       CHECK:     arith.constant 1.00438404 : f32
//       CHECK:   %[[M4:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[B4]], %[[M3]] : {{.*}} outs(%[[MS4]] : tensor<4x8xf32>)
//   CHECK-NOT:   wl.upper
// W = c·M (c is the constant of the max, shared by --cse).
//       CHECK:   %[[R:.+]] = linalg.generic {{.*}} ins(%[[M4]] : tensor<4x8xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[C]]
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[R]]
func.func private @spectral_hard_cap(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = wl.spectral_hard_cap %w {bound = 2.0 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Two steps, M ← M − αAM then M ← M + αAM (a = 1, b = ∓α, no A² term), on
// W itself (scale 1), for a run-time α. Each step is cubic: X = X + (b·A)·X
// is one product accumulated onto X (a = 1: no scaling pass) after b scales
// the small Gram matrix, with no A·A product. W is tall [8, 4]: the iteration
// runs on Wᵀ [4, 8] and transposes back.
// CHECK-LABEL: func.func private @spectral_soft_cap(
//  CHECK-SAME:     %[[ALPHA:[a-zA-Z0-9_]+]]: f32, %{{.+}}: memref<8x4xf32>)
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[X0:.+]] = linalg.generic {indexing_maps = [#[[$TR]], #[[$ID2]]], {{.*}} ins(%[[W]] : tensor<8x4xf32>) outs(%{{.+}} : tensor<4x8xf32>)
//       CHECK:   %[[NEG:.+]] = arith.negf %[[ALPHA]] : f32
//       CHECK:   %[[M1:.+]] = linalg.generic {{.*}} ins(%[[X0]], %[[X0]] : tensor<4x8xf32>, tensor<4x8xf32>) {{.*}} attrs = {wl.upper}
//   CHECK-NOT:   arith.cmpi uge
//       CHECK:   %[[A1:.+]] = linalg.generic {{.*}} ins(%[[M1]] : tensor<4x4xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[NEG]] : f32
//   CHECK-NOT:   ins(%[[A1]], %[[A1]]
//       CHECK:   %[[X1:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[A1]], %[[X0]] : tensor<4x4xf32>, tensor<4x8xf32>) outs(%[[X0]] : tensor<4x8xf32>)
//       CHECK:   %[[M2:.+]] = linalg.generic {{.*}} ins(%[[X1]], %[[X1]] : {{.*}} attrs = {wl.upper}
//   CHECK-NOT:   arith.cmpi uge
//       CHECK:   %[[A2:.+]] = linalg.generic {{.*}} ins(%[[M2]] : tensor<4x4xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[ALPHA]] : f32
//   CHECK-NOT:   ins(%[[A2]], %[[A2]]
//       CHECK:   %[[X2:.+]] = linalg.generic {{.*}} ins(%[[A2]], %[[X1]] : {{.*}} outs(%[[X1]] :
//   CHECK-NOT:   wl.upper
//       CHECK:   %[[R:.+]] = linalg.generic {indexing_maps = [#[[$TR]], #[[$ID2]]], {{.*}} ins(%[[X2]] : tensor<4x8xf32>) outs(%{{.+}} : tensor<8x4xf32>)
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[R]]
func.func private @spectral_soft_cap(%alpha: f32, %w: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %0 = wl.spectral_soft_cap %w, %alpha : tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// soft_cap's α from the lr of the step: k = c·(1 − lr·wd) + lr·B in f64,
// then 64 bisection steps on t (h(t) = (1 − t) + t(1 − t)³ ≤ c/k keeps the
// upper end), α = t/k², and 0 where k ≤ c.
// CHECK-LABEL: func.func private @soft_cap_strength(
//  CHECK-SAME:     %[[LR:[a-zA-Z0-9_]+]]: f32) -> f32
//       CHECK:   %[[C:.+]] = arith.constant 2.000000e+00 : f64
//       CHECK:   %[[LR64:.+]] = arith.extf %[[LR]] : f32 to f64
//       CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f64
//       CHECK:   %[[WD:.+]] = arith.constant 1.000000e-01 : f64
//       CHECK:   %[[DEC:.+]] = arith.mulf %[[LR64]], %[[WD]] : f64
//       CHECK:   %[[KEEP:.+]] = arith.subf %[[ONE]], %[[DEC]] : f64
//       CHECK:   %[[B:.+]] = arith.constant 1.500000e+00 : f64
//       CHECK:   %[[STEP:.+]] = arith.mulf %[[LR64]], %[[B]] : f64
//       CHECK:   %[[CK:.+]] = arith.mulf %[[C]], %[[KEEP]] : f64
//       CHECK:   %[[K:.+]] = arith.addf %[[CK]], %[[STEP]] : f64
//       CHECK:   %[[RATIO:.+]] = arith.divf %[[C]], %[[K]] : f64
//       CHECK:   %[[ZERO:.+]] = arith.constant 0.000000e+00 : f64
//       CHECK:   %[[T:.+]]:2 = scf.for %{{.+}} = %{{.+}} to %c64 step %{{.+}} iter_args(%[[LO:.+]] = %[[ZERO]], %[[HI:.+]] = %[[ONE]]) -> (f64, f64) {
//       CHECK:     %[[SUM:.+]] = arith.addf %[[LO]], %[[HI]] : f64
//       CHECK:     %[[MID:.+]] = arith.mulf %[[SUM]], %{{.+}} : f64
//       CHECK:     %[[REST:.+]] = arith.subf %[[ONE]], %[[MID]] : f64
//       CHECK:     %[[P1:.+]] = arith.mulf %[[MID]], %[[REST]] : f64
//       CHECK:     %[[P2:.+]] = arith.mulf %[[P1]], %[[REST]] : f64
//       CHECK:     %[[P3:.+]] = arith.mulf %[[P2]], %[[REST]] : f64
//       CHECK:     %[[H:.+]] = arith.addf %[[REST]], %[[P3]] : f64
//       CHECK:     %[[BELOW:.+]] = arith.cmpf ole, %[[H]], %[[RATIO]] : f64
//       CHECK:     %[[NLO:.+]] = arith.select %[[BELOW]], %[[LO]], %[[MID]] : f64
//       CHECK:     %[[NHI:.+]] = arith.select %[[BELOW]], %[[MID]], %[[HI]] : f64
//       CHECK:     scf.yield %[[NLO]], %[[NHI]] : f64, f64
//       CHECK:   %[[KK:.+]] = arith.mulf %[[K]], %[[K]] : f64
//       CHECK:   %[[A:.+]] = arith.divf %[[T]]#1, %[[KK]] : f64
//       CHECK:   %[[LEAVES:.+]] = arith.cmpf ogt, %[[K]], %[[C]] : f64
//       CHECK:   %[[SEL:.+]] = arith.select %[[LEAVES]], %[[A]], %[[ZERO]] : f64
//       CHECK:   %[[R:.+]] = arith.truncf %[[SEL]] : f64 to f32
//       CHECK:   return %[[R]] : f32
func.func private @soft_cap_strength(%lr: f32) -> f32 {
  %0 = wl.soft_cap_strength %lr {bound = 2.0 : f64, update_bound = 1.5 : f64, weight_decay = 0.1 : f64}
  return %0 : f32
}

// The polar iteration X ← 1.5X − 0.5·XXᵀX (cubic: one product onto 1.5X per
// step, no A·A) from X₀ = W/s. With a scale operand: 1/s, two steps.
// CHECK-LABEL: func.func private @polar_iteration_scale(
//  CHECK-SAME:     %[[S:[a-zA-Z0-9_]+]]: f32, %[[OUT:[a-zA-Z0-9_]+]]: memref<4x8xf32>)
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[INV:.+]] = arith.divf %{{.+}}, %[[S]] : f32
//       CHECK:   %[[X0:.+]] = linalg.generic {{.*}} ins(%[[W]] : tensor<4x8xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[INV]]
//       CHECK:   %[[A1:.+]] = linalg.generic {{.*}} ins(%[[X0]], %[[X0]] : {{.*}} attrs = {wl.upper}
//   CHECK-NOT:   arith.cmpi uge
//       CHECK:   %[[S1:.+]] = linalg.generic {{.*}} ins(%[[X0]] :
//       CHECK:     arith.constant 1.500000e+00 : f32
//       CHECK:   %[[X1:.+]] = linalg.generic {{.*}} ins(%[[A1]], %[[X0]] : {{.*}} outs(%[[S1]] :
//       CHECK:     arith.constant -5.000000e-01 : f32
//       CHECK:   %[[A2:.+]] = linalg.generic {{.*}} ins(%[[X1]], %[[X1]] : {{.*}} attrs = {wl.upper}
//   CHECK-NOT:   arith.cmpi uge
//       CHECK:   %[[X2:.+]] = linalg.generic {{.*}} ins(%[[A2]], %[[X1]] :
//   CHECK-NOT:   wl.upper
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[X2]] in restrict writable %[[OUT]]
func.func private @polar_iteration_scale(%w: tensor<4x8xf32>, %s: f32) -> tensor<4x8xf32> {
  %0 = wl.polar_iteration %w, %s {steps = 2 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Without: s = max(‖W‖_F, 1e-30) (≥ σ_max), one step.
// CHECK-LABEL: func.func private @polar_iteration_frobenius(
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[SQ:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[W]] : tensor<4x8xf32>)
//       CHECK:   %[[SQE:.+]] = tensor.extract %[[SQ]][]
//   CHECK-DAG:   %[[TINY:.+]] = arith.constant 1.000000e-30 : f32
//   CHECK-DAG:   %[[N:.+]] = math.sqrt %[[SQE]] : f32
//       CHECK:   %[[S:.+]] = arith.maximumf %[[N]], %[[TINY]] : f32
//       CHECK:   %[[INV:.+]] = arith.divf %{{.+}}, %[[S]] : f32
//       CHECK:   %[[X0:.+]] = linalg.generic {{.*}} ins(%[[W]] : tensor<4x8xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[INV]]
//       CHECK:   linalg.generic {{.*}} ins(%[[X0]], %[[X0]] : {{.*}} attrs = {wl.upper}
//       CHECK:   %[[X1:.+]] = linalg.generic {{.*}} ins(%{{.+}}, %[[X0]] :
//   CHECK-NOT:   wl.upper
//       CHECK:   bufferization.materialize_in_destination %[[X1]]
func.func private @polar_iteration_frobenius(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = wl.polar_iteration %w {steps = 1 : i64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// frobenius: one reduction over W to a scalar, factor c/max(‖W‖_F, c), one
// pass.
// CHECK-LABEL: func.func private @norm_bound_frobenius(
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[SQ:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[W]] : tensor<4x8xf32>) outs(%{{.+}} : tensor<f32>)
//       CHECK:   %[[SQE:.+]] = tensor.extract %[[SQ]][]
//       CHECK:   %[[N:.+]] = math.sqrt %[[SQE]] : f32
//       CHECK:   %[[C:.+]] = arith.constant 3.000000e+00 : f32
//       CHECK:   %[[M:.+]] = arith.maximumf %[[N]], %[[C]] : f32
//       CHECK:   %[[F:.+]] = arith.divf %[[C]], %[[M]] : f32
//       CHECK:   %[[R:.+]] = linalg.generic {{.*}} ins(%[[W]] : tensor<4x8xf32>)
//       CHECK:     arith.mulf %{{.+}}, %[[F]] : f32
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[R]]
func.func private @norm_bound_frobenius(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = wl.norm_bound %w, frobenius {bound = 3.0 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// row: squared norms per row [OUT], then each row scaled by its own factor.
// CHECK-LABEL: func.func private @norm_bound_row(
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[SQ:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$D0]]], iterator_types = ["parallel", "reduction"]} ins(%[[W]] : tensor<4x8xf32>) outs(%{{.+}} : tensor<4xf32>)
//       CHECK:   %[[R:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$D0]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[W]], %[[SQ]] : tensor<4x8xf32>, tensor<4xf32>)
//  CHECK-NEXT:   ^bb0(%[[X:[a-zA-Z0-9_]+]]: f32, %[[S:[a-zA-Z0-9_]+]]: f32, %{{[a-zA-Z0-9_]+}}: f32):
//  CHECK-NEXT:     %[[N:.+]] = math.sqrt %[[S]] : f32
//  CHECK-NEXT:     %[[C:.+]] = arith.constant 2.000000e+00 : f32
//  CHECK-NEXT:     %[[M:.+]] = arith.maximumf %[[N]], %[[C]] : f32
//  CHECK-NEXT:     %[[F:.+]] = arith.divf %[[C]], %[[M]] : f32
//  CHECK-NEXT:     %[[Y:.+]] = arith.mulf %[[X]], %[[F]] : f32
//  CHECK-NEXT:     linalg.yield %[[Y]] : f32
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[R]]
func.func private @norm_bound_row(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = wl.norm_bound %w, row {bound = 2.0 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// column: squared norms per column [IN].
// CHECK-LABEL: func.func private @norm_bound_column(
//       CHECK:   %[[W:.+]] = bufferization.to_tensor
//       CHECK:   %[[SQ:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$D1]]], iterator_types = ["reduction", "parallel"]} ins(%[[W]] : tensor<4x8xf32>) outs(%{{.+}} : tensor<8xf32>)
//       CHECK:   %[[R:.+]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$D1]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%[[W]], %[[SQ]] : tensor<4x8xf32>, tensor<8xf32>)
//       CHECK:     math.sqrt
//       CHECK:     arith.constant 5.000000e-01 : f32
//       CHECK:     arith.maximumf
//       CHECK:     arith.divf
//       CHECK:     arith.mulf
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[R]]
func.func private @norm_bound_column(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = wl.norm_bound %w, column {bound = 0.5 : f64} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
