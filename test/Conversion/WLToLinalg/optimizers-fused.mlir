// RUN: wl-opt --wl-assign-arena --convert-wl-to-linalg --cse %s | FileCheck %s

// The fused forms of Lion, Muon and AdamP: the fewest passes over memory the
// math allows.

// Lion: one elementwise pass reading (W, g, m) and writing (W, m) in place.
// CHECK-LABEL: func.func private @lion(
//       CHECK:   %[[W:.+]] = bufferization.to_tensor %{{.+}} restrict
//       CHECK:   %[[G:.+]] = bufferization.to_tensor
//       CHECK:   %[[M:.+]] = bufferization.to_tensor
//       CHECK:   %[[U:.+]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
//  CHECK-SAME:       ins(%[[W]], %[[G]], %[[M]] : {{.*}}) outs(%[[W]], %[[M]] : {{.*}})
//       CHECK:     arith.cmpf ogt
//       CHECK:     arith.cmpf olt
//       CHECK:     linalg.yield
//   CHECK-NOT:   linalg.generic
//       CHECK:   return
func.func @lion(%w: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %lr: f32) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0, %1 = wl.lion_update %w, %g, %m, %lr {beta1 = 0.9 : f64, beta2 = 0.99 : f64, weight_decay = 0.1 : f64} : tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// Muon on a tall 24x8 matrix, one Newton–Schulz step:
//  - momentum and the Nesterov direction in one pass (two outputs, m in place);
//  - the Frobenius norm, then the scaled transpose to the short side [8, 24];
//  - A = X Xᵀ as one product marked `wl.upper` (wl-gemm-kernels computes the
//    tiles meeting the upper triangle: half the products, then mirrors them);
//  - B = bA + cA·A (symmetric too: `wl.upper`) and X = aX + B·X as
//    products accumulated onto the scaled addends bA and aX;
//  - transpose back and W ← W(1 − lr·wd) − lr·sqrt(24/8)·O.
// CHECK-LABEL: func.func private @muon(
//       CHECK:   %[[MOM:.+]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
//       CHECK:     arith.constant 0.949999988 : f32
//       CHECK:   linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[MOM]]#1
//       CHECK:   math.sqrt
//       CHECK:   %[[X:.+]] = linalg.generic {{.*}} ins(%[[MOM]]#1 : tensor<24x8xf32>) outs(%{{.+}} : tensor<8x24xf32>)
//       CHECK:   %[[A:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]], %[[X]] : tensor<8x24xf32>, tensor<8x24xf32>) outs(%{{.+}} : tensor<8x8xf32>) attrs = {wl.upper}
//   CHECK-NOT:     arith.cmpi uge
//       CHECK:   %[[BA:.+]] = linalg.generic {{.*}} ins(%[[A]] : tensor<8x8xf32>)
//       CHECK:     arith.constant -4.775000e+00 : f32
//       CHECK:   %[[B:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[A]], %[[A]] : {{.*}} outs(%[[BA]] : tensor<8x8xf32>) attrs = {wl.upper}
//       CHECK:     arith.constant 2.031500e+00 : f32
//   CHECK-NOT:     arith.cmpi uge
//       CHECK:   %[[AX:.+]] = linalg.generic {{.*}} ins(%[[X]] : tensor<8x24xf32>)
//       CHECK:     arith.constant 3.444500e+00 : f32
//       CHECK:   %[[X1:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[B]], %[[X]] : {{.*}} outs(%[[AX]] : tensor<8x24xf32>)
//       CHECK:   %[[O:.+]] = linalg.generic {{.*}} ins(%[[X1]] : tensor<8x24xf32>) outs(%{{.+}} : tensor<24x8xf32>)
//       CHECK:   arith.constant 1.73205078 : f32
//       CHECK:   linalg.generic {{.*}} ins(%{{.+}}, %[[O]] : tensor<24x8xf32>, tensor<24x8xf32>)
//   CHECK-NOT:   linalg.generic
//       CHECK:   return
func.func @muon(%w: tensor<24x8xf32>, %g: tensor<24x8xf32>, %m: tensor<24x8xf32>, %lr: f32) -> (tensor<24x8xf32>, tensor<24x8xf32>) {
  %0, %1 = wl.muon_update %w, %g, %m, %lr {momentum = 0.95 : f64, nesterov = true, ns_steps = 1 : i64, weight_decay = 0.0 : f64} : tensor<24x8xf32>
  return %0, %1 : tensor<24x8xf32>, tensor<24x8xf32>
}

// AdamP on a matrix: (1) moments and Adam's direction p in one pass; (2) the
// row statistics w·g, w·w, g·g in one reduction pass (three outputs); cosines
// and the branch decided on [rows]-sized vectors and scalars; (3) w·p per row;
// (4) the update with the radial part removed, one pass.
// CHECK-LABEL: func.func private @adamp(
//       CHECK:   %[[ADAM:.+]]:3 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
//       CHECK:     math.sqrt
//       CHECK:   %[[STATS:.+]]:3 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]}
//       CHECK:   %[[WP:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.+}}, %[[ADAM]]#2 :
//       CHECK:   %[[NEW:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.+}}, %[[ADAM]]#2, %[[WP]], %[[STATS]]#1 :
//       CHECK:     arith.select
//       CHECK:     arith.select
//   CHECK-NOT:   linalg.generic
//       CHECK:   bufferization.materialize_in_destination %[[NEW]]
//       CHECK:   bufferization.materialize_in_destination %[[ADAM]]#0
//       CHECK:   bufferization.materialize_in_destination %[[ADAM]]#1
func.func @adamp(%w: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %v: tensor<4x8xf32>, %lr: f32, %t: i64) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0, %1, %2 = wl.adamp_update %w, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64, delta = 0.1 : f64, wd_ratio = 0.1 : f64} : tensor<4x8xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// AdamP on a vector: plain Adam with decoupled weight decay, no projection.
// CHECK-LABEL: func.func private @adamp_vector(
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel"]}
//       CHECK:   linalg.generic {{.*}} iterator_types = ["parallel"]}
//   CHECK-NOT:   linalg.generic
//       CHECK:   return
func.func @adamp_vector(%w: tensor<8xf32>, %g: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>, %lr: f32, %t: i64) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0, %1, %2 = wl.adamp_update %w, %g, %m, %v, %lr, %t {beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-8 : f64, weight_decay = 0.01 : f64, delta = 0.1 : f64, wd_ratio = 0.1 : f64} : tensor<8xf32>
  return %0, %1, %2 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}
