// RUN: wl-opt --wl-fuse-elementwise %s | FileCheck %s

// wl-fuse-elementwise: G + Σ e, where the sum starts from a zero fill, becomes
// the sum started from G (a weight gradient's G += dyᵀ x accumulates straight
// into G). Anything else stays as it was.

#k_m = affine_map<(m, k, n) -> (k, m)>
#k_n = affine_map<(m, k, n) -> (k, n)>
#m_n = affine_map<(m, k, n) -> (m, n)>
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>

// CHECK-LABEL: func.func @weight_grad(
//  CHECK-SAME:     %[[DY:.+]]: tensor<32x16xf32>, %[[X:.+]]: tensor<32x8xf32>, %[[G:.+]]: tensor<16x8xf32>)
//   CHECK-NOT:   linalg.fill
//       CHECK:   %[[S:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[DY]], %[[X]] : tensor<32x16xf32>, tensor<32x8xf32>) outs(%[[G]] : tensor<16x8xf32>)
//  CHECK-NEXT:   ^bb0
//  CHECK-NEXT:     arith.mulf
//  CHECK-NEXT:     arith.addf
//  CHECK-NEXT:     linalg.yield
//   CHECK-NOT:   linalg.generic
//       CHECK:   return %[[S]]
func.func @weight_grad(%dy: tensor<32x16xf32>, %x: tensor<32x8xf32>, %g: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x8xf32>) -> tensor<16x8xf32>
  %p = linalg.generic {indexing_maps = [#k_m, #k_n, #m_n], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%dy, %x : tensor<32x16xf32>, tensor<32x8xf32>) outs(%z : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %g : tensor<16x8xf32>, tensor<16x8xf32>) outs(%e : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %b, %a : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  return %r : tensor<16x8xf32>
}

// A bias gradient: a column sum started from the gradient.
// CHECK-LABEL: func.func @bias_grad(
//  CHECK-SAME:     %[[DY:.+]]: tensor<32x16xf32>, %[[G:.+]]: tensor<16xf32>)
//       CHECK:   %[[S:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[DY]] : tensor<32x16xf32>) outs(%[[G]] : tensor<16xf32>)
//   CHECK-NOT:   linalg.generic
//       CHECK:   return %[[S]]
func.func @bias_grad(%dy: tensor<32x16xf32>, %g: tensor<16xf32>) -> tensor<16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %p = linalg.generic {indexing_maps = [#row, #col], iterator_types = ["reduction", "parallel"]}
      ins(%dy : tensor<32x16xf32>) outs(%z : tensor<16xf32>) {
  ^bb0(%a: f32, %c: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%g, %p : tensor<16xf32>, tensor<16xf32>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  return %r : tensor<16xf32>
}

// Not folded: the sum starts from 1 (G + 1 + Σ is not the sum started from G).
// CHECK-LABEL: func.func @nonzero_start(
//       CHECK:   linalg.fill
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]}
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
func.func @nonzero_start(%dy: tensor<32x16xf32>, %x: tensor<32x8xf32>, %g: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<16x8xf32>
  %z = linalg.fill ins(%one : f32) outs(%e : tensor<16x8xf32>) -> tensor<16x8xf32>
  %p = linalg.generic {indexing_maps = [#k_m, #k_n, #m_n], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%dy, %x : tensor<32x16xf32>, tensor<32x8xf32>) outs(%z : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %p : tensor<16x8xf32>, tensor<16x8xf32>) outs(%e : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  return %r : tensor<16x8xf32>
}

// Not folded: the sum is read again, so it must exist on its own.
// CHECK-LABEL: func.func @sum_read_twice(
//       CHECK:   linalg.fill
//       CHECK:   %[[P:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]}
//       CHECK:   %[[R:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
//       CHECK:   return %[[R]], %[[P]]
func.func @sum_read_twice(%dy: tensor<32x16xf32>, %x: tensor<32x8xf32>, %g: tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<16x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x8xf32>) -> tensor<16x8xf32>
  %p = linalg.generic {indexing_maps = [#k_m, #k_n, #m_n], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%dy, %x : tensor<32x16xf32>, tensor<32x8xf32>) outs(%z : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %p : tensor<16x8xf32>, tensor<16x8xf32>) outs(%e : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  return %r, %p : tensor<16x8xf32>, tensor<16x8xf32>
}

// Not folded: the consumer subtracts (G − Σ), and a max-reduction is no sum.
// CHECK-LABEL: func.func @not_a_sum(
//       CHECK:   linalg.fill
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]}
//       CHECK:   arith.subf
//       CHECK:   linalg.fill
//       CHECK:   linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
//       CHECK:     arith.maximumf
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel"]}
//       CHECK:     arith.addf
func.func @not_a_sum(%dy: tensor<32x16xf32>, %x: tensor<32x8xf32>, %g: tensor<16x8xf32>, %h: tensor<16xf32>) -> (tensor<16x8xf32>, tensor<16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<16x8xf32>) -> tensor<16x8xf32>
  %p = linalg.generic {indexing_maps = [#k_m, #k_n, #m_n], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%dy, %x : tensor<32x16xf32>, tensor<32x8xf32>) outs(%z : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %p : tensor<16x8xf32>, tensor<16x8xf32>) outs(%e : tensor<16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.subf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16x8xf32>
  %e1 = tensor.empty() : tensor<16xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<16xf32>) -> tensor<16xf32>
  %q = linalg.generic {indexing_maps = [#row, #col], iterator_types = ["reduction", "parallel"]}
      ins(%dy : tensor<32x16xf32>) outs(%z1 : tensor<16xf32>) {
  ^bb0(%a: f32, %c: f32):
    %s = arith.maximumf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%h, %q : tensor<16xf32>, tensor<16xf32>) outs(%e1 : tensor<16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  return %r, %t : tensor<16x8xf32>, tensor<16xf32>
}
