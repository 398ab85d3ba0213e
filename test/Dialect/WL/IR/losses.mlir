// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// Round trip of the losses and their gradients.

//===----------------------------------------------------------------------===//
// Losses.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @cross_entropy(
// CHECK-SAME: %[[Z:[a-zA-Z0-9_]+]]: tensor<?x10xf32>
// CHECK-SAME: %[[Y:[a-zA-Z0-9_]+]]: tensor<?xi32>
func.func @cross_entropy(%z: tensor<?x10xf32>, %y: tensor<?xi32>) -> f32 {
  // CHECK: wl.cross_entropy %[[Z]], %[[Y]] : tensor<?x10xf32>, tensor<?xi32>
  %0 = wl.cross_entropy %z, %y : tensor<?x10xf32>, tensor<?xi32>
  return %0 : f32
}

// CHECK-LABEL: func.func @cross_entropy_grad(
// CHECK-SAME: %[[Z:[a-zA-Z0-9_]+]]: tensor<?x10xf32>
// CHECK-SAME: %[[Y:[a-zA-Z0-9_]+]]: tensor<?xi32>
// CHECK-SAME: %[[DL:[a-zA-Z0-9_]+]]: f32
func.func @cross_entropy_grad(%z: tensor<?x10xf32>, %y: tensor<?xi32>, %dl: f32)
    -> tensor<?x10xf32> {
  // CHECK: wl.cross_entropy_grad %[[Z]], %[[Y]], %[[DL]] : tensor<?x10xf32>, tensor<?xi32>
  %0 = wl.cross_entropy_grad %z, %y, %dl : tensor<?x10xf32>, tensor<?xi32>
  return %0 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @mse(
// CHECK-SAME: %[[Z:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
// CHECK-SAME: %[[T:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
func.func @mse(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>) -> f32 {
  // CHECK: wl.mse %[[Z]], %[[T]] : tensor<?x3xf32>
  %0 = wl.mse %z, %t : tensor<?x3xf32>
  return %0 : f32
}

// CHECK-LABEL: func.func @mse_grad(
// CHECK-SAME: %[[Z:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
// CHECK-SAME: %[[T:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
// CHECK-SAME: %[[DL:[a-zA-Z0-9_]+]]: f32
func.func @mse_grad(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>, %dl: f32) -> tensor<?x3xf32> {
  // CHECK: wl.mse_grad %[[Z]], %[[T]], %[[DL]] : tensor<?x3xf32>
  %0 = wl.mse_grad %z, %t, %dl : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
