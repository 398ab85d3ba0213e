// RUN: wl-opt --wl-fill-per-use %s | FileCheck %s
// RUN: wl-opt --wl-fill-per-use --one-shot-bufferize="bufferize-function-boundaries" %s | FileCheck %s --check-prefix=BUF
// RUN: wl-opt --one-shot-bufferize="bufferize-function-boundaries" %s | FileCheck %s --check-prefix=SHARED

// CSE leaves one zero fill for every product of the same shape. Bufferized
// as it is, the products share one buffer, and the one that must not
// overwrite it gets a copy (SHARED). wl-fill-per-use gives every reader of
// the fill its own fill of its own tensor.empty, right before it (where
// wl-gemm-kernels folds it into the product): no copies (BUF).

#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d1, d2)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @shared_zero_fill(
//       CHECK:   %[[N:.+]] = tensor.dim
//   CHECK-NOT:   linalg.fill
//       CHECK:   math.exp
//       CHECK:   %[[E1:.+]] = tensor.empty(%[[N]]) : tensor<?x48xf32>
//  CHECK-NEXT:   %[[Z1:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E1]] : tensor<?x48xf32>)
//  CHECK-NEXT:   %[[P:.+]] = linalg.generic {{.+}} outs(%[[Z1]] : tensor<?x48xf32>)
//       CHECK:   %[[E2:.+]] = tensor.empty(%[[N]]) : tensor<?x48xf32>
//  CHECK-NEXT:   %[[Z2:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E2]] : tensor<?x48xf32>)
//  CHECK-NEXT:   %[[Q:.+]] = linalg.generic {{.+}} outs(%[[Z2]] : tensor<?x48xf32>)
//       CHECK:   return %[[P]], %[[Q]]
// BUF-LABEL: func.func @shared_zero_fill(
//   BUF-NOT:   memref.copy
//       BUF:   return
// SHARED-LABEL: func.func @shared_zero_fill(
//       SHARED:   memref.copy
func.func @shared_zero_fill(%x: tensor<?x64xf32>, %w: tensor<48x64xf32>, %v: tensor<48x64xf32>)
    -> (tensor<?x48xf32>, tensor<?x48xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%n) : tensor<?x48xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x48xf32>) -> tensor<?x48xf32>
  %ex = tensor.empty(%n) : tensor<?x64xf32>
  %xe = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x64xf32>) outs(%ex : tensor<?x64xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = math.exp %i : f32
    linalg.yield %r : f32
  } -> tensor<?x64xf32>
  %p = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xe, %w : tensor<?x64xf32>, tensor<48x64xf32>) outs(%z : tensor<?x48xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %m = arith.mulf %i, %j : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x48xf32>
  %q = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xe, %v : tensor<?x64xf32>, tensor<48x64xf32>) outs(%z : tensor<?x48xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %m = arith.mulf %i, %j : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x48xf32>
  return %p, %q : tensor<?x48xf32>, tensor<?x48xf32>
}
