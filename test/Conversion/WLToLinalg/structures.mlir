// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// Lowering of the structure ops (Structures.cpp).

// (The Cayley VJP's QᵀG reads Q as [k, m].)
// CHECK-DAG: #[[$QT_MAP:.+]] = affine_map<(d0, d1, d2) -> (d1, d0)>

// Cayley: A = I − (S − Sᵀ)/2 from S and its transpose in one generic (the
// identity from linalg.index), the numerator 2I − A, then LAPACK's LU solve
// in the runtime on fresh buffers: no explicit inverse.
// CHECK-LABEL: func.func private @wlrt_solve(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i64) attributes {llvm.emit_c_interface}
// (wl.resplit_base's routine, declared during the arena binding; see @resplit.)
// CHECK: func.func private @wlrt_kpsvd_split(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func private @cayley(
//       CHECK:   %[[A:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #[[$TR:.+]], #{{.+}}], iterator_types = ["parallel", "parallel"]}
//       CHECK:     linalg.index 0
//       CHECK:     linalg.index 1
//       CHECK:   %[[NUM:.+]] = linalg.generic {{.*}} ins(%[[A]] : tensor<4x4xf32>)
//       CHECK:   %[[ABUF:.+]] = memref.alloc() : memref<4x4xf32>
//       CHECK:   bufferization.materialize_in_destination %[[A]] in writable %[[ABUF]]
//       CHECK:   %[[BBUF:.+]] = memref.alloc() : memref<4x4xf32>
//       CHECK:   bufferization.materialize_in_destination %[[NUM]] in writable %[[BBUF]]
//       CHECK:   %[[NOT:.+]] = arith.constant 0 : i64
//       CHECK:   call @wlrt_solve(%{{.+}}, %{{.+}}, %[[NOT]])
//       CHECK:   bufferization.to_tensor %[[BBUF]] restrict writable
func.func private @cayley(%s: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %q = wl.cayley %s : tensor<4x4xf32>
  return %q : tensor<4x4xf32>
}

// Its VJP: no second solve. A⁻¹ = ½(I + Q), so Z = A⁻ᵀG = ½G + ½QᵀG, one
// contraction reading Q transposed (init ½G); then ½Z + ½Z·Qᵀ as another
// (init ½Z), then dX − dXᵀ.
// CHECK-LABEL: func.func private @cayley_grad(
//  CHECK-SAME:     %{{.+}}: memref<?xf32>, %{{.+}}: memref<4x4xf32>, %[[Q:.+]]: memref<4x4xf32>, %[[G:.+]]: memref<4x4xf32>,
//   CHECK-NOT:   call @wlrt_solve
//       CHECK:   %[[QT:.+]] = bufferization.to_tensor %[[Q]]
//       CHECK:   %[[GT:.+]] = bufferization.to_tensor %[[G]]
//       CHECK:   %[[HALFG:.+]] = linalg.generic {{.*}} ins(%[[GT]] : tensor<4x4xf32>)
//       CHECK:   %[[Z:.+]] = linalg.generic {indexing_maps = [#[[$QT_MAP]], #{{.+}}, #{{.+}}], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[QT]], %[[GT]] : {{.*}}) outs(%[[HALFG]] : tensor<4x4xf32>)
//   CHECK-NOT:   call @wlrt_solve
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Z]], %[[QT]] :
//       CHECK:   linalg.generic {{.*}}[[$TR]]
//   CHECK-NOT:   call @wlrt_solve
func.func private @cayley_grad(%s: tensor<4x4xf32>, %q: tensor<4x4xf32>, %g: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %d = wl.cayley_grad %s, %q, %g : tensor<4x4xf32>
  return %d : tensor<4x4xf32>
}

// Through its linear layer: for a batch B < 2n = 8, u = ½dy + ½dy·Q (one
// contraction, init ½dy), v = ½(x + xq), dX = uᵀv, dX − dXᵀ; otherwise
// G = dyᵀx and cayley_grad's two products.
// CHECK-LABEL: func.func private @cayley_linear_grad(
//  CHECK-SAME:     %{{.+}}: memref<?xf32>, %{{.+}}: memref<4x4xf32>, %[[Q:.+]]: memref<4x4xf32>, %[[DY:.+]]: memref<?x4xf32>, %[[X:.+]]: memref<?x4xf32>, %[[XQ:.+]]: memref<?x4xf32>,
//       CHECK:   %[[QT:.+]] = bufferization.to_tensor %[[Q]]
//       CHECK:   %[[DYT:.+]] = bufferization.to_tensor %[[DY]]
//       CHECK:   %[[XT:.+]] = bufferization.to_tensor %[[X]]
//       CHECK:   %[[XQT:.+]] = bufferization.to_tensor %[[XQ]]
//       CHECK:   %[[B:.+]] = tensor.dim %[[DYT]], %{{.+}} : tensor<?x4xf32>
//       CHECK:   %[[TWO_N:.+]] = arith.constant 8 : index
//       CHECK:   %[[LOW:.+]] = arith.cmpi ult, %[[B]], %[[TWO_N]] : index
//       CHECK:   scf.if %[[LOW]] -> (tensor<4x4xf32>) {
//       CHECK:     %[[HALFDY:.+]] = linalg.generic {{.*}} ins(%[[DYT]] : tensor<?x4xf32>)
//       CHECK:     %[[U:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[DYT]], %[[QT]] : {{.*}}) outs(%[[HALFDY]] : tensor<?x4xf32>)
//       CHECK:     %[[V:.+]] = linalg.generic {{.*}} ins(%[[XT]], %[[XQT]] : tensor<?x4xf32>, tensor<?x4xf32>)
//       CHECK:     %[[DX:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[U]], %[[V]] : tensor<?x4xf32>, tensor<?x4xf32>) outs(%{{.+}} : tensor<4x4xf32>)
//       CHECK:     %[[DS:.+]] = linalg.generic {{.*}}[[$TR]]{{.*}} ins(%[[DX]], %[[DX]] :
//       CHECK:     scf.yield %[[DS]]
//       CHECK:   } else {
//       CHECK:     %[[G:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[DYT]], %[[XT]] : tensor<?x4xf32>, tensor<?x4xf32>) outs(%{{.+}} : tensor<4x4xf32>)
//       CHECK:     linalg.generic {indexing_maps = [#[[$QT_MAP]], #{{.+}}, #{{.+}}], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[QT]], %[[G]] :
//       CHECK:     linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
//       CHECK:     scf.yield
//   CHECK-NOT:   call @wlrt_solve
func.func private @cayley_linear_grad(%s: tensor<4x4xf32>, %q: tensor<4x4xf32>, %dy: tensor<?x4xf32>, %x: tensor<?x4xf32>, %xq: tensor<?x4xf32>) -> tensor<4x4xf32> {
  %d = wl.cayley_linear_grad %s, %q, %dy, %x, %xq : tensor<4x4xf32>, tensor<?x4xf32>
  return %d : tensor<4x4xf32>
}

// exp: s from a two-step Gram bound of ‖X‖₂ (ceil(log2(·)), clamped to
// [0, 64]), Horner's rule for the degree-12 Taylor polynomial (12 products,
// the last scaled by 1/1), then s squarings in an scf.for.
// CHECK-LABEL: func.func private @exp_skew(
//       CHECK:   math.sqrt
//       CHECK:   math.log2
//       CHECK:   math.ceil
//       CHECK:   math.exp2
//       CHECK:   %[[COUNT:.+]] = arith.index_cast
// CHECK-COUNT-11:   iterator_types = ["parallel", "reduction", "parallel"]
//       CHECK:   scf.for %{{.+}} = %{{.+}} to %[[COUNT]]
//       CHECK:     linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
//       CHECK:     scf.yield
func.func private @exp_skew(%s: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %q = wl.exp_skew %s : tensor<4x4xf32>
  return %q : tensor<4x4xf32>
}

// Its VJP squares (P, L) pairs: P², PL + LP.
// CHECK-LABEL: func.func private @exp_skew_grad(
//       CHECK:   scf.for
//  CHECK-SAME:     -> (tensor<4x4xf32>, tensor<4x4xf32>)
//       CHECK:     scf.yield %{{.+}}, %{{.+}} : tensor<4x4xf32>, tensor<4x4xf32>
func.func private @exp_skew_grad(%s: tensor<4x4xf32>, %g: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %d = wl.exp_skew_grad %s, %g : tensor<4x4xf32>
  return %d : tensor<4x4xf32>
}

// Householder: x padded to n columns, one scf.for over the reflectors from the
// last (index k − 1 − j), each a row-dot product and a rank-1 update of the
// batch -- Q is never formed (here OUT = n; when IN = n the result is the
// first OUT columns).
// CHECK-LABEL: func.func private @householder(
//       CHECK:   %[[PAD:.+]] = tensor.insert_slice %{{.+}} into %{{.+}}[0, 0] [%{{.+}}, 3] [1, 1] : tensor<?x3xf32> into tensor<?x4xf32>
//       CHECK:   %[[LOOP:.+]] = scf.for %[[J:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[Z:.+]] = %[[PAD]]) -> (tensor<?x4xf32>)
//       CHECK:     %[[I:.+]] = arith.subi %{{.+}}, %[[J]] : index
//       CHECK:     tensor.extract_slice %{{.+}}[%[[I]], 0] [1, 4] [1, 1] : tensor<2x4xf32> to tensor<4xf32>
//       CHECK:     %[[W:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[Z]], %{{.+}} : tensor<?x4xf32>, tensor<4xf32>)
//       CHECK:       arith.addf {{.*}} fastmath<reassoc>
//       CHECK:     %[[UPD:.+]] = linalg.generic {{.*}} ins(%[[Z]], %[[W]], %{{.+}} : tensor<?x4xf32>, tensor<?xf32>, tensor<4xf32>)
//       CHECK:     scf.yield %[[UPD]] : tensor<?x4xf32>
//       CHECK:   bufferization.materialize_in_destination %[[LOOP]]
func.func private @householder(%x: tensor<?x3xf32>, %v: tensor<2x4xf32>) -> tensor<?x4xf32> {
  %y = wl.householder %x, %v : (tensor<?x3xf32>, tensor<2x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// Its VJP recomputes the output, then walks H₁..H_k reflecting both the
// activation (back to each reflector's input) and its adjoint, writing one
// row of dV per reflector.
// CHECK-LABEL: func.func private @householder_grad(
//       CHECK:   scf.for
//       CHECK:   scf.for {{.*}} -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<2x4xf32>)
//       CHECK:     tensor.insert_slice %{{.+}} into %{{.+}}[%{{.+}}, 0] [1, 4] [1, 1] : tensor<4xf32> into tensor<2x4xf32>
//       CHECK:   tensor.extract_slice %{{.+}}[0, 0] [%{{.+}}, 3] [1, 1] : tensor<?x4xf32> to tensor<?x3xf32>
func.func private @householder_grad(%x: tensor<?x3xf32>, %v: tensor<2x4xf32>, %dy: tensor<?x4xf32>) -> (tensor<?x3xf32>, tensor<2x4xf32>) {
  %dx, %dv = wl.householder_grad %x, %v, %dy : (tensor<?x3xf32>, tensor<2x4xf32>, tensor<?x4xf32>) -> (tensor<?x3xf32>, tensor<2x4xf32>)
  return %dx, %dv : tensor<?x3xf32>, tensor<2x4xf32>
}

// Corner blocks are slices; per-column scaling and its adjoint are one
// generic each; the clamp is max(min) elementwise.
// CHECK-LABEL: func.func private @small(
//       CHECK:   tensor.extract_slice %{{.+}}[0, 0] [3, 4] [1, 1] : tensor<4x4xf32> to tensor<3x4xf32>
//       CHECK:   tensor.insert_slice %{{.+}} into %{{.+}}[0, 0] [3, 4] [1, 1] : tensor<3x4xf32> into tensor<4x4xf32>
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.+}}, %{{.+}} : tensor<?x4xf32>, tensor<4xf32>)
//       CHECK:   linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.+}}, %{{.+}} : tensor<?x4xf32>, tensor<?x4xf32>)
//       CHECK:   arith.maximumf
//       CHECK:   arith.minimumf
//       CHECK:   linalg.transpose
func.func private @small(%q: tensor<4x4xf32>, %x: tensor<?x4xf32>, %d: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x4xf32>) {
  %w = wl.leading_block %q : (tensor<4x4xf32>) -> tensor<3x4xf32>
  %p = wl.embed_block %w : (tensor<3x4xf32>) -> tensor<4x4xf32>
  %y = wl.scale_columns %x, %d : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %dd = wl.column_dot %x, %y : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<4xf32>
  %c = wl.abs_clamp %d {bound = 0.5 : f64} : tensor<4xf32>
  %t = wl.transpose %q : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %p, %y, %dd, %c, %t : tensor<4x4xf32>, tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x4xf32>
}

// wl.contract: one linalg.generic over the op's loops, the result indexed by
// the parallel ones, the product of the operands accumulated into zeros (its
// dynamic batch from the operand that indexes that loop); an innermost
// reduction is a dot product and may reassociate. wl.reshape: expand_shape
// (the batch size from the input) or collapse_shape.
// CHECK-LABEL: func.func private @contract(
//       CHECK:   %[[X3:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2]] output_shape [%{{.+}}, 4, 2] : tensor<?x8xf32> into tensor<?x4x2xf32>
//       CHECK:   %[[B:.+]] = tensor.dim %[[X3]], %{{.+}} : tensor<?x4x2xf32>
//       CHECK:   %[[E:.+]] = tensor.empty(%[[B]]) : tensor<?x3xf32>
//       CHECK:   %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?x3xf32>)
//       CHECK:   %[[C:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.+}}, %[[X3]] : tensor<3x4x2xf32>, tensor<?x4x2xf32>) outs(%[[Z]] : tensor<?x3xf32>)
//       CHECK:     arith.mulf
//       CHECK:     arith.addf {{.*}} fastmath<reassoc>
//       CHECK:   tensor.collapse_shape %[[X3]] {{\[\[}}0], [1, 2]] : tensor<?x4x2xf32> into tensor<?x8xf32>
func.func private @contract(%x: tensor<?x8xf32>, %w: tensor<3x4x2xf32>) -> (tensor<?x3xf32>, tensor<?x8xf32>) {
  %x3 = wl.reshape %x : (tensor<?x8xf32>) -> tensor<?x4x2xf32>
  %y = wl.contract %w, %x3 {indexing_maps = [affine_map<(b, o, j, q) -> (o, j, q)>,
                                             affine_map<(b, o, j, q) -> (b, j, q)>,
                                             affine_map<(b, o, j, q) -> (b, o)>]}
      : (tensor<3x4x2xf32>, tensor<?x4x2xf32>) -> tensor<?x3xf32>
  %back = wl.reshape %x3 : (tensor<?x4x2xf32>) -> tensor<?x8xf32>
  return %y, %back : tensor<?x3xf32>, tensor<?x8xf32>
}

// wl.reshape between a sequence's positions as rows [B·T, d] and [B, T, d]:
// the batch merges with T (collapse_shape), and splits back with B = B·T / T.
// CHECK-LABEL: func.func private @positions_as_rows(
//       CHECK:   %[[ROWS:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<?x4x8xf32> into tensor<?x8xf32>
//   CHECK-DAG:   %[[C4:.+]] = arith.constant 4 : index
//   CHECK-DAG:   %[[N:.+]] = tensor.dim %[[ROWS]], %{{.+}} : tensor<?x8xf32>
//       CHECK:   %[[B:.+]] = arith.divui %[[N]], %[[C4]] : index
//       CHECK:   tensor.expand_shape %[[ROWS]] {{\[\[}}0, 1], [2]] output_shape [%[[B]], 4, 8] : tensor<?x8xf32> into tensor<?x4x8xf32>
func.func private @positions_as_rows(%x: tensor<?x4x8xf32>) -> tensor<?x4x8xf32> {
  %rows = wl.reshape %x : (tensor<?x4x8xf32>) -> tensor<?x8xf32>
  %back = wl.reshape %rows : (tensor<?x8xf32>) -> tensor<?x4x8xf32>
  return %back : tensor<?x4x8xf32>
}

// wl.resplit_base: the runtime routine on fully strided views of the base and
// each factor, each of its own rank.
wl.param @k.weight.base : tensor<6x4xf32> {init = #wl.init<kind = zeros>}
wl.param @k.weight.A : tensor<2x3x2xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @k.weight.B : tensor<2x2x2xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK-LABEL: func.func private @resplit(
//       CHECK:   %[[BASE:.+]] = memref.cast %{{.+}} : memref<6x4xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
//       CHECK:   %[[A:.+]] = memref.cast %{{.+}} : memref<2x3x2xf32, strided<[6, 2, 1], offset: {{[0-9]+}}>> to memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>
//       CHECK:   %[[B:.+]] = memref.cast
//       CHECK:   call @wlrt_kpsvd_split(%[[BASE]], %[[A]], %[[B]])
func.func private @resplit() {
  wl.resplit_base kpsvd @k.weight.base into [@k.weight.A, @k.weight.B]
  return
}

// With a scale (the adapter's, when the residual depends on it), the routine
// takes it as a last f32 argument.
wl.param @p.weight.base : tensor<6x4xf32> {init = #wl.init<kind = zeros>}
wl.param @p.weight.A : tensor<2x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @p.weight.B : tensor<6x2xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK-LABEL: func.func private @resplit_scaled(
//       CHECK:   %[[S:.+]] = arith.constant 2.500000e-01 : f32
//       CHECK:   call @wlrt_pissa_split(%{{.+}}, %{{.+}}, %{{.+}}, %[[S]]) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, f32) -> ()
func.func private @resplit_scaled() {
  wl.resplit_base pissa @p.weight.base into [@p.weight.A, @p.weight.B] {scale = 0.25 : f64}
  return
}

// A contraction without reduction loops (here Monarch's transpose of the
// activation) writes every entry once: an empty init, the product yielded.
// CHECK-LABEL: func.func private @permute(
//       CHECK:   %[[E:.+]] = tensor.empty(%{{.+}}) : tensor<?x3x2xf32>
//   CHECK-NOT:   linalg.fill
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.+}} : tensor<?x2x3xf32>) outs(%[[E]] : tensor<?x3x2xf32>)
//  CHECK-NEXT:   ^bb0(%[[IN:.+]]: f32, %{{.+}}: f32):
//  CHECK-NEXT:     linalg.yield %[[IN]] : f32
func.func private @permute(%h: tensor<?x2x3xf32>) -> tensor<?x3x2xf32> {
  %t = wl.contract %h {indexing_maps = [affine_map<(b, c, g) -> (b, g, c)>, affine_map<(b, c, g) -> (b, c, g)>]}
      : (tensor<?x2x3xf32>) -> tensor<?x3x2xf32>
  return %t : tensor<?x3x2xf32>
}
