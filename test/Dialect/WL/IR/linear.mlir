// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// Round trip of the linear maps, sums and reductions.

//===----------------------------------------------------------------------===//
// Linear maps, sums, reductions.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @linear(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x8xf32>
// CHECK-SAME: %[[W:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
func.func @linear(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.linear %[[X]], %[[W]] : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  %0 = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: %[[A:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[B:[a-zA-Z0-9_]+]]: tensor<4x8xf32>
// CHECK-SAME: %[[C:[a-zA-Z0-9_]+]]: tensor<?x8xf32>
// CHECK-SAME: %[[D:[a-zA-Z0-9_]+]]: tensor<8x4xf32>
func.func @matmul(%a: tensor<?x4xf32>, %b: tensor<4x8xf32>, %c: tensor<?x8xf32>,
                  %d: tensor<8x4xf32>)
    -> (tensor<?x8xf32>, tensor<4x8xf32>, tensor<?x8xf32>, tensor<8x8xf32>) {
  // CHECK: wl.matmul %[[A]], %[[B]] : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %0 = wl.matmul %a, %b : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  // CHECK: wl.matmul %[[A]], %[[C]] {transpose_lhs} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<4x8xf32>
  %1 = wl.matmul %a, %c {transpose_lhs} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<4x8xf32>
  // CHECK: wl.matmul %[[A]], %[[D]] {transpose_rhs} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
  %2 = wl.matmul %a, %d {transpose_rhs} : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
  // CHECK: wl.matmul %[[B]], %[[D]] {transpose_lhs, transpose_rhs} : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<8x8xf32>
  %3 = wl.matmul %b, %d {transpose_lhs, transpose_rhs} : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<8x8xf32>
  return %0, %1, %2, %3 : tensor<?x8xf32>, tensor<4x8xf32>, tensor<?x8xf32>, tensor<8x8xf32>
}

// CHECK-LABEL: func.func @bias_add(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[B:[a-zA-Z0-9_]+]]: tensor<4xf32>
func.func @bias_add(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.bias_add %[[X]], %[[B]] : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %0 = wl.bias_add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @reduce_batch(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @reduce_batch(%x: tensor<?x4xf32>) -> tensor<4xf32> {
  // CHECK: wl.reduce_batch %[[X]] : (tensor<?x4xf32>) -> tensor<4xf32>
  %0 = wl.reduce_batch %x : (tensor<?x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @add(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[Y:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @add(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.add %[[X]], %[[Y]] : tensor<?x4xf32>
  %0 = wl.add %x, %y : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @scale(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.scale %[[X]], -5.000000e-01 : tensor<?x4xf32>
  %0 = wl.scale %x, -0.5 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
