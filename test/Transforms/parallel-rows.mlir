// RUN: wl-opt --wl-parallel-rows --canonicalize --cse %s | FileCheck %s
// RUN: wl-opt --wl-parallel-rows=min-elements=1024 --canonicalize --cse %s | FileCheck %s --check-prefix=SMALL

// Elementwise ops and row reductions over many rows become scf.forall tiles
// of rows (min-elements = 32768 iterations: 128 rows of 256), each tile the
// same generic on slices; column reductions, matrix products, ops of one
// tile and ops inside a parallel loop stay as they are.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>

// tile and ops inside a parallel loop stay as they are.

// CHECK-LABEL: func.func @elementwise(
//  CHECK-SAME:     %[[X:[a-z0-9]+]]: tensor<?x256xf32>, %[[Y:[a-z0-9]+]]: tensor<?x256xf32>
//       CHECK:   %[[N:.+]] = tensor.dim %[[X]]
//       CHECK:   scf.forall (%[[I:.+]]) = (0) to (%[[N]]) step (128) shared_outs(%[[O:.+]] = %[[Y]])
//       CHECK:     %[[R:.+]] = affine.min #{{.+}}(%[[I]])[%[[N]]]
//       CHECK:     %[[XS:.+]] = tensor.extract_slice %[[X]][%[[I]], 0] [%[[R]], 256] [1, 1]
//       CHECK:     %[[OS:.+]] = tensor.extract_slice %[[O]][%[[I]], 0] [%[[R]], 256] [1, 1]
//       CHECK:     %[[T:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]
//  CHECK-SAME:         ins(%[[XS]], %[[XS]] : {{.+}}) outs(%[[OS]] :
//       CHECK:       arith.addf
//       CHECK:     scf.forall.in_parallel
//       CHECK:       tensor.parallel_insert_slice %[[T]] into %[[O]][%[[I]], 0] [%[[R]], 256] [1, 1]
//       SMALL: scf.forall {{.+}} step (4)
func.func @elementwise(%x: tensor<?x256xf32>, %y: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %x : tensor<?x256xf32>, tensor<?x256xf32>) outs(%y : tensor<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?x256xf32>
  return %0 : tensor<?x256xf32>
}

// An operand read transposed (X = S − Sᵀ): 64 × 64 tiles, so that each tile
// reads 64 lines of S down its columns instead of a whole column per row.
// CHECK-LABEL: func.func @skew(
//  CHECK-SAME:     %[[S:[a-z0-9]+]]: tensor<1024x1024xf32>
//       CHECK:   scf.forall (%[[I:.+]], %[[J:.+]]) = (0, 0) to (1024, 1024) step (64, 64)
//   CHECK-DAG:     tensor.extract_slice %[[S]][%[[I]], %[[J]]] [64, 64] [1, 1]
//   CHECK-DAG:     tensor.extract_slice %[[S]][%[[J]], %[[I]]] [64, 64] [1, 1]
//       CHECK:     linalg.generic
//       CHECK:       arith.subf
//       CHECK:     tensor.parallel_insert_slice {{.+}}[%[[I]], %[[J]]] [64, 64] [1, 1]
#tr = affine_map<(d0, d1) -> (d1, d0)>
func.func @skew(%s: tensor<1024x1024xf32>, %y: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s, %s : tensor<1024x1024xf32>, tensor<1024x1024xf32>) outs(%y : tensor<1024x1024xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<1024x1024xf32>
  return %0 : tensor<1024x1024xf32>
}

// Row reductions (a norm's Σ x²): each tile reduces its own rows.
// CHECK-LABEL: func.func @row_sums(
//       CHECK:   scf.forall ({{.+}}) = (0) to ({{.+}}) step (128)
//       CHECK:     linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
//  CHECK-SAME:         outs({{.+}} : tensor<?xf32>)
//       CHECK:     tensor.parallel_insert_slice
func.func @row_sums(%x: tensor<?x256xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<?x256xf32>) outs(%y : tensor<?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// A bias gradient (Σ over rows) has its reduction outermost: unchanged.
// CHECK-LABEL: func.func @column_sums(
//   CHECK-NOT:   scf.forall
//       CHECK:   linalg.generic {{.+}} iterator_types = ["reduction", "parallel"]
func.func @column_sums(%x: tensor<?x256xf32>, %y: tensor<256xf32>) -> tensor<256xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<?x256xf32>) outs(%y : tensor<256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<256xf32>
  return %0 : tensor<256xf32>
}

// 64 × 256 iterations are one tile: unchanged, unless tiles are smaller.
// CHECK-LABEL: func.func @small(
//   CHECK-NOT:   scf.forall
//       CHECK:   linalg.generic
//  SMALL-LABEL: func.func @small(
//        SMALL:   scf.forall (%{{.+}}) = (0) to (64) step (4)
func.func @small(%x: tensor<64x256xf32>, %y: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x256xf32>) outs(%y : tensor<64x256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<64x256xf32>
  return %0 : tensor<64x256xf32>
}

// A matrix product is wl-gemm-kernels' work: unchanged.
// CHECK-LABEL: func.func @product(
//   CHECK-NOT:   scf.forall
//       CHECK:   linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
func.func @product(%x: tensor<?x256xf32>, %w: tensor<256x256xf32>, %y: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x256xf32>, tensor<256x256xf32>) outs(%y : tensor<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x256xf32>
  return %0 : tensor<?x256xf32>
}

// Inside a parallel loop (an attention tile): no nested forall.
// CHECK-LABEL: func.func @in_forall(
//       CHECK:   scf.forall (%{{.+}}) in (2)
//   CHECK-NOT:     scf.forall
//       CHECK:     linalg.generic
func.func @in_forall(%x: tensor<?x256xf32>, %y: tensor<?x256xf32>, %n: index) -> tensor<?x256xf32> {
  %r = scf.forall (%i) in (2) shared_outs(%o = %y) -> tensor<?x256xf32> {
    %t = tensor.extract_slice %o[0, 0] [%n, 256] [1, 1] : tensor<?x256xf32> to tensor<?x256xf32>
    %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%x : tensor<?x256xf32>) outs(%t : tensor<?x256xf32>) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.mulf %a, %a : f32
      linalg.yield %s : f32
    } -> tensor<?x256xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %0 into %o[0, 0] [%n, 256] [1, 1] : tensor<?x256xf32> into tensor<?x256xf32>
    }
  }
  return %r : tensor<?x256xf32>
}

// A product with a scale in its body is no linalg contraction, but each factor
// misses a parallel loop: unchanged.
// CHECK-LABEL: func.func @scaled_product(
//   CHECK-NOT:   scf.forall
//       CHECK:   linalg.generic
func.func @scaled_product(%x: tensor<?x256xf32>, %w: tensor<256x256xf32>, %y: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %s = arith.constant 0.5 : f32
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x256xf32>, tensor<256x256xf32>) outs(%y : tensor<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %q = arith.mulf %p, %s : f32
    %r = arith.addf %o, %q : f32
    linalg.yield %r : f32
  } -> tensor<?x256xf32>
  return %0 : tensor<?x256xf32>
}

// An activation right after a product, its result's only reader, stays whole:
// wl-gemm-kernels applies it as the kernel stores C (on every thread). Read
// by anything else too (relu's mask from the pre-activation), the product's
// result stays, and the activation is tiled like any elementwise op.
// CHECK-LABEL: func.func @epilogue(
//   CHECK-NOT:   scf.forall
//       CHECK:   linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
//   CHECK-NOT:   scf.forall
//       CHECK:   arith.maximumf
//       CHECK:   return
// CHECK-LABEL: func.func @product_read_twice(
//       CHECK:   linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
//       CHECK:   scf.forall
//       CHECK:     arith.maximumf
func.func @epilogue(%x: tensor<?x256xf32>, %w: tensor<256x256xf32>, %y: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x256xf32>, tensor<256x256xf32>) outs(%y : tensor<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x256xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<?x256xf32>) outs(%y : tensor<?x256xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x256xf32>
  return %1 : tensor<?x256xf32>
}
func.func @product_read_twice(%x: tensor<?x256xf32>, %w: tensor<256x256xf32>, %y: tensor<?x256xf32>)
    -> (tensor<?x256xf32>, tensor<?x256xf32>) {
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x256xf32>, tensor<256x256xf32>) outs(%y : tensor<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x256xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<?x256xf32>) outs(%y : tensor<?x256xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.maximumf %v, %zero : f32
    linalg.yield %r : f32
  } -> tensor<?x256xf32>
  return %0, %1 : tensor<?x256xf32>, tensor<?x256xf32>
}
