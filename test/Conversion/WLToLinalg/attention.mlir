// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s
// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s --check-prefix=TILES

// wl.attention and its VJP (Attention.cpp) with T = 80: tiles of 64 rows,
// the head layout padded to P = 128 (the second tile is partial), m = 8.

// No tensor is [T, T] (or [P, P]): the scores exist one [64, 64] tile at a
// time.
// TILES-NOT: x80x80x
// TILES-NOT: x128x128x
// TILES-NOT: tensor<80x80
// TILES-NOT: tensor<128x128

// Forward, causal with RoPE: cos/sin tables [T, m/2] in f64, the prologue
// into the transposed head layout [B, H, m, P] for q and k and [B, H, P, m]
// for v, then one scf.forall over (b, h, query tile) whose key loop stops at
// the diagonal tile (i + 1 tiles). Score tiles are Sᵀ [key, query].
// CHECK-LABEL: func.func private @causal(
//       CHECK:   math.cos %{{.+}} : f64
//       CHECK:   math.sin %{{.+}} : f64
//       CHECK:   %[[QH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x8x128xf32>)
//       CHECK:   %[[KH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x8x128xf32>)
//       CHECK:   %[[VH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x128x8xf32>)
//       CHECK:   scf.forall (%[[B:.+]], %[[H:.+]], %[[I:.+]]) in (%{{.+}}, 2, 2) shared_outs(%[[OUT:.+]] = %{{.+}}, %[[STATS:.+]] = %{{.+}}) -> (tensor<?x16xf32>, tensor<?x2xf32>)
//       CHECK:     %[[T0:.+]] = arith.muli %[[I]], %{{.+}} : index
//       CHECK:     %[[Q:.+]] = tensor.extract_slice %[[QH]][%[[B]], %[[H]], 0, %[[T0]]] [1, 1, 8, 64] [1, 1, 1, 1] : tensor<?x2x8x128xf32> to tensor<8x64xf32>
//       CHECK:     %[[END:.+]] = arith.addi %[[I]], %{{.+}} : index
//       CHECK:     scf.for %[[J:.+]] = %{{.+}} to %[[END]] step %{{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<64xf32>, tensor<64xf32>, tensor<64x8xf32>)
//       CHECK:       %[[S0:.+]] = arith.muli %[[J]], %{{.+}} : index
//       CHECK:       %[[K:.+]] = tensor.extract_slice %[[KH]][%[[B]], %[[H]], 0, %[[S0]]] [1, 1, 8, 64]
//       CHECK:       %[[V:.+]] = tensor.extract_slice %[[VH]][%[[B]], %[[H]], %[[S0]], 0] [1, 1, 64, 8]
// Sᵀ = K Qᵀ from the rows of Kᵀ and Qᵀ.
//       CHECK:       %[[S:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[K]], %[[Q]] : tensor<8x64xf32>, tensor<8x64xf32>) outs(%{{.+}} : tensor<64x64xf32>)
// The mask: s < T, t < T and s <= t.
//       CHECK:       linalg.generic {{.*}} outs(%[[S]] : tensor<64x64xf32>)
//       CHECK:         arith.cmpi sle
//       CHECK:         arith.select
// Online softmax: the running max (over the keys, dimension 0), the rescale
// exp(M_old − M_new), P; exp as a polynomial that vectorises.
//       CHECK:       linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
//       CHECK:         arith.maximumf
//       CHECK:       arith.maximumf
//   CHECK-NOT:       math.exp
//       CHECK:       math.floor
//   CHECK-NOT:       math.exp
//       CHECK:       math.floor
// O ← alpha·O + P V.
//       CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.+}}, %[[V]] : tensor<64x64xf32>, tensor<64x8xf32>) outs(%{{.+}} : tensor<64x8xf32>)
//       CHECK:       scf.yield
// O / L and the logsumexp M + log L; only the rows inside the sequence are
// written back.
//       CHECK:     arith.divf
//       CHECK:     math.log
//       CHECK:     %[[ROWS:.+]] = arith.minui
//       CHECK:     scf.forall.in_parallel
//       CHECK:       tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%{{.+}}, %{{.+}}] [%[[ROWS]], 8] [1, 1] : tensor<?x8xf32> into tensor<?x16xf32>
//       CHECK:       tensor.parallel_insert_slice %{{.+}} into %[[STATS]][%{{.+}}, %[[H]]] [%[[ROWS]], 1] [1, 1] : tensor<?xf32> into tensor<?x2xf32>
func.func private @causal(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>) {
  %o:2 = wl.attention %q, %k, %v {length = 80 : i64, heads = 2 : i64, causal = true, scale = 0.25 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>)
  return %o#0, %o#1 : tensor<?x16xf32>, tensor<?x2xf32>
}

// Not causal and without RoPE: every key tile, no tables, no s <= t.
// CHECK-LABEL: func.func private @full(
//   CHECK-NOT:   math.cos
//       CHECK:   scf.forall (%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}}, 2, 2)
//       CHECK:     %[[ALL:.+]] = arith.constant 2 : index
//       CHECK:     scf.for %{{.+}} = %{{.+}} to %[[ALL]] step
//   CHECK-NOT:       arith.cmpi sle
//       CHECK:       scf.yield
func.func private @full(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>) {
  %o:2 = wl.attention %q, %k, %v {length = 80 : i64, heads = 2 : i64, causal = false, scale = 0.25 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>)
  return %o#0, %o#1 : tensor<?x16xf32>, tensor<?x2xf32>
}

// The VJP: q, k and dout in both head layouts, v in the transposed one, the
// saved logsumexp and D = ⟨dout, out⟩ per row as [B, H, P]; then one forall
// over (b, h) whose loop over key tiles accumulates [dk | dv] over the query
// tiles from the diagonal on, while the same dS tiles add dS K to the
// head's dq [P, m], carried by both loops. P is recomputed from the
// logsumexp. The epilogues rotate back.
// CHECK-LABEL: func.func private @grad(
//       CHECK:   %[[QH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x128x8xf32>)
//       CHECK:   %[[QHT:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x8x128xf32>)
//       CHECK:   %[[KH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x128x8xf32>)
//       CHECK:   %[[KHT:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x8x128xf32>)
//       CHECK:   %[[VHT:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x8x128xf32>)
//       CHECK:   %[[DOH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x128x8xf32>)
//       CHECK:   %[[DOHT:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x8x128xf32>)
//       CHECK:   %[[LSE:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x128xf32>)
//       CHECK:   %[[DOT:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<?x2x8xf32>, tensor<?x2x8xf32>) outs(%{{.+}} : tensor<?x2xf32>)
//       CHECK:   %[[D:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x128xf32>)
//       CHECK:   %[[G:.+]]:2 = scf.forall (%[[B:.+]], %[[H:.+]]) in (%{{.+}}, 2) shared_outs(%[[KVOUT:.+]] = %{{.+}}, %[[DQOUT:.+]] = %{{.+}}) -> (tensor<?x2x128x16xf32>, tensor<?x2x128x8xf32>)
//       CHECK:     %[[HEAD:.+]]:2 = scf.for %[[J:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[KV:.+]] = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<128x16xf32>, tensor<128x8xf32>)
//       CHECK:       %[[K:.+]] = tensor.extract_slice %[[KH]][%[[B]], %[[H]], %[[S0:.+]], 0] [1, 1, 64, 8]
//       CHECK:       %[[KT:.+]] = tensor.extract_slice %[[KHT]][%[[B]], %[[H]], 0, %[[S0]]] [1, 1, 8, 64]
//       CHECK:       %[[KEY:.+]]:2 = scf.for %{{.+}} = %[[J]] to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}, %[[DQ:.+]] = %{{.+}}) -> (tensor<64x16xf32>, tensor<128x8xf32>)
//   CHECK-DAG:         %[[QT:.+]] = tensor.extract_slice %[[QHT]][%[[B]], %[[H]], 0, %{{.+}}] [1, 1, 8, 64]
//   CHECK-DAG:         tensor.extract_slice %[[LSE]][%[[B]], %[[H]], %{{.+}}] [1, 1, 64]
//   CHECK-DAG:         tensor.extract_slice %[[D]][%[[B]], %[[H]], %{{.+}}] [1, 1, 64]
// S = Q Kᵀ [query, key] from the rows of Qᵀ and Kᵀ.
//       CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[QT]], %[[KT]] : tensor<8x64xf32>, tensor<8x64xf32>) outs(%{{.+}} : tensor<64x64xf32>)
//       CHECK:         math.floor
//       CHECK:         %[[DK:.+]] = tensor.extract_slice %[[ACC]]{{\[}}0, 0] [64, 8] [1, 1] : tensor<64x16xf32> to tensor<64x8xf32>
//       CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} {{.*}} outs(%[[DK]] : tensor<64x8xf32>)
//       CHECK:         tensor.extract_slice %{{.+}}[0, 8] [64, 8] [1, 1] : tensor<64x16xf32> to tensor<64x8xf32>
//       CHECK:         %[[DQT:.+]] = tensor.extract_slice %[[DQ]][%{{.+}}, 0] [64, 8] [1, 1] : tensor<128x8xf32> to tensor<64x8xf32>
//       CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.+}}, %[[K]] : tensor<64x64xf32>, tensor<64x8xf32>) outs(%[[DQT]] : tensor<64x8xf32>)
//       CHECK:         scf.yield %{{.+}}, %{{.+}} : tensor<64x16xf32>, tensor<128x8xf32>
//       CHECK:       tensor.insert_slice %[[KEY]]#0 into %[[KV]][%[[S0]], 0] [64, 16] [1, 1]
//       CHECK:     scf.forall.in_parallel
//       CHECK:       tensor.parallel_insert_slice %[[HEAD]]#0 into %[[KVOUT]][%[[B]], %[[H]], 0, 0] [1, 1, 128, 16] [1, 1, 1, 1] : tensor<128x16xf32> into tensor<?x2x128x16xf32>
//       CHECK:       tensor.parallel_insert_slice %[[HEAD]]#1 into %[[DQOUT]][%[[B]], %[[H]], 0, 0] [1, 1, 128, 8] [1, 1, 1, 1] : tensor<128x8xf32> into tensor<?x2x128x8xf32>
//       CHECK:   linalg.generic {{.*}} outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:     tensor.extract %[[G]]#1
//       CHECK:   linalg.generic {{.*}} outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:     tensor.extract %[[G]]#0
//       CHECK:   linalg.generic {{.*}} outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:     tensor.extract %[[G]]#0
func.func private @grad(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %o: tensor<?x16xf32>, %s: tensor<?x2xf32>, %d: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  %g:3 = wl.attention_grad %q, %k, %v, %o, %s, %d {length = 80 : i64, heads = 2 : i64, causal = true, scale = 0.25 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
  return %g#0, %g#1, %g#2 : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}
