// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s
// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s --check-prefix=TILES

// wl.attention and its VJP (Attention.cpp) with T = 40: tiles of 32 rows,
// the head layout padded to P = 64 (the second tile is partial), m = 8.

// No tensor is [T, T] (or [P, P]): the scores exist one [32, 32] tile at a
// time.
// TILES-NOT: x40x40x
// TILES-NOT: x64x64x
// TILES-NOT: tensor<40x40
// TILES-NOT: tensor<64x64

// Forward, causal with RoPE: cos/sin tables [T, m/2] in f64, the prologue
// into the head layout [B, H, P, m], then one scf.forall over (b, h, query
// tile) whose key loop stops at the diagonal tile (i + 1 tiles).
// CHECK-LABEL: func.func private @causal(
//       CHECK:   math.cos %{{.+}} : f64
//       CHECK:   math.sin %{{.+}} : f64
//       CHECK:   %[[QH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64x8xf32>)
//       CHECK:   %[[KH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64x8xf32>)
//       CHECK:   %[[VH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64x8xf32>)
//       CHECK:   scf.forall (%[[B:.+]], %[[H:.+]], %[[I:.+]]) in (%{{.+}}, 2, 2) shared_outs(%[[OUT:.+]] = %{{.+}}, %[[STATS:.+]] = %{{.+}}) -> (tensor<?x16xf32>, tensor<?x2xf32>)
//       CHECK:     %[[T0:.+]] = arith.muli %[[I]], %{{.+}} : index
//       CHECK:     %[[Q:.+]] = tensor.extract_slice %[[QH]][%[[B]], %[[H]], %[[T0]], 0] [1, 1, 32, 8] [1, 1, 1, 1] : tensor<?x2x64x8xf32> to tensor<32x8xf32>
//       CHECK:     %[[END:.+]] = arith.addi %[[I]], %{{.+}} : index
//       CHECK:     scf.for %[[J:.+]] = %{{.+}} to %[[END]] step %{{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<32xf32>, tensor<32xf32>, tensor<32x8xf32>)
//       CHECK:       %[[S0:.+]] = arith.muli %[[J]], %{{.+}} : index
//       CHECK:       %[[K:.+]] = tensor.extract_slice %[[KH]][%[[B]], %[[H]], %[[S0]], 0] [1, 1, 32, 8]
//       CHECK:       %[[V:.+]] = tensor.extract_slice %[[VH]][%[[B]], %[[H]], %[[S0]], 0] [1, 1, 32, 8]
// S = Q Kᵀ over the contiguous head dimension.
//       CHECK:       %[[S:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Q]], %[[K]] : tensor<32x8xf32>, tensor<32x8xf32>) outs(%{{.+}} : tensor<32x32xf32>)
// The mask: s < T, t < T and s <= t.
//       CHECK:       linalg.generic {{.*}} outs(%[[S]] : tensor<32x32xf32>)
//       CHECK:         arith.cmpi sle
//       CHECK:         arith.select
// Online softmax: the running max, the rescale exp(M_old − M_new), P.
//       CHECK:       arith.maximumf
//       CHECK:       arith.maximumf
//       CHECK:       math.exp
//       CHECK:       math.exp
// O ← alpha·O + P V.
//       CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.+}}, %[[V]] : tensor<32x32xf32>, tensor<32x8xf32>) outs(%{{.+}} : tensor<32x8xf32>)
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
  %o:2 = wl.attention %q, %k, %v {length = 40 : i64, heads = 2 : i64, causal = true, scale = 0.25 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>)
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
  %o:2 = wl.attention %q, %k, %v {length = 40 : i64, heads = 2 : i64, causal = false, scale = 0.25 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>)
  return %o#0, %o#1 : tensor<?x16xf32>, tensor<?x2xf32>
}

// The VJP: q, k, v and dout in the head layout, the saved logsumexp and
// D = ⟨dout, out⟩ per row as [B, H, P]; then a forall over key tiles that
// accumulates [dk | dv] over the query tiles from the diagonal on, and one
// over query tiles that accumulates dq over the key tiles up to it; both
// recompute P from the logsumexp. The epilogues rotate back.
// CHECK-LABEL: func.func private @grad(
//       CHECK:   %[[QH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64x8xf32>)
//       CHECK:   %[[KH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64x8xf32>)
//       CHECK:   %[[VH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64x8xf32>)
//       CHECK:   %[[DOH:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64x8xf32>)
//       CHECK:   %[[LSE:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64xf32>)
//       CHECK:   %[[DOT:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<?x2x8xf32>, tensor<?x2x8xf32>) outs(%{{.+}} : tensor<?x2xf32>)
//       CHECK:   %[[D:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x2x64xf32>)
//       CHECK:   %[[KV:.+]] = scf.forall (%[[B:.+]], %[[H:.+]], %[[J:.+]]) in (%{{.+}}, 2, 2) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<?x2x64x16xf32>)
//       CHECK:     scf.for %[[I:.+]] = %[[J]] to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}) -> (tensor<32x16xf32>)
//   CHECK-DAG:       tensor.extract_slice %[[LSE]][%[[B]], %[[H]], %{{.+}}] [1, 1, 32]
//   CHECK-DAG:       tensor.extract_slice %[[D]][%[[B]], %[[H]], %{{.+}}] [1, 1, 32]
//       CHECK:       math.exp
//       CHECK:       %[[DK:.+]] = tensor.extract_slice %[[ACC]]{{\[}}0, 0] [32, 8] [1, 1] : tensor<32x16xf32> to tensor<32x8xf32>
//       CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} {{.*}} outs(%[[DK]] : tensor<32x8xf32>)
//       CHECK:       tensor.extract_slice %{{.+}}[0, 8] [32, 8] [1, 1] : tensor<32x16xf32> to tensor<32x8xf32>
//       CHECK:       scf.yield %{{.+}} : tensor<32x16xf32>
//       CHECK:     tensor.parallel_insert_slice %{{.+}} [1, 1, 32, 16] [1, 1, 1, 1] : tensor<32x16xf32> into tensor<?x2x64x16xf32>
//       CHECK:   %[[DQH:.+]] = scf.forall (%{{.+}}, %{{.+}}, %[[I:.+]]) in (%{{.+}}, 2, 2) shared_outs(%{{.+}} = %{{.+}}) -> (tensor<?x2x64x8xf32>)
//       CHECK:     %[[END:.+]] = arith.addi %[[I]], %{{.+}} : index
//       CHECK:     scf.for %{{.+}} = %{{.+}} to %[[END]] step %{{.+}} iter_args(%{{.+}} = %{{.+}}) -> (tensor<32x8xf32>)
//       CHECK:       math.exp
//       CHECK:       scf.yield %{{.+}} : tensor<32x8xf32>
//       CHECK:   linalg.generic {{.*}} outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:     tensor.extract %[[DQH]]
//       CHECK:   linalg.generic {{.*}} outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:     tensor.extract %[[KV]]
//       CHECK:   linalg.generic {{.*}} outs(%{{.+}} : tensor<?x16xf32>)
//       CHECK:     tensor.extract %[[KV]]
func.func private @grad(%q: tensor<?x16xf32>, %k: tensor<?x16xf32>, %v: tensor<?x16xf32>, %o: tensor<?x16xf32>, %s: tensor<?x2xf32>, %d: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  %g:3 = wl.attention_grad %q, %k, %v, %o, %s, %d {length = 40 : i64, heads = 2 : i64, causal = true, scale = 0.25 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x2xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
  return %g#0, %g#1, %g#2 : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}
