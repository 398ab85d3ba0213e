// RUN: wl-opt %s | FileCheck %s
// RUN: wl-opt %s | wl-opt | FileCheck %s
// RUN: wl-opt %s --mlir-print-op-generic | wl-opt | FileCheck %s

// Round trip of the activations and their gradients.

//===----------------------------------------------------------------------===//
// Activations.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @activations(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @activations(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: %[[R:.+]] = wl.relu %[[X]] : tensor<?x4xf32>
  %0 = wl.relu %x : tensor<?x4xf32>
  // CHECK: %[[G:.+]] = wl.gelu %[[R]] : tensor<?x4xf32>
  %1 = wl.gelu %0 : tensor<?x4xf32>
  // CHECK: %[[GT:.+]] = wl.gelu_tanh %[[G]] : tensor<?x4xf32>
  %2 = wl.gelu_tanh %1 : tensor<?x4xf32>
  // CHECK: %[[T:.+]] = wl.tanh %[[GT]] : tensor<?x4xf32>
  %3 = wl.tanh %2 : tensor<?x4xf32>
  // CHECK: %[[S:.+]] = wl.sigmoid %[[T]] : tensor<?x4xf32>
  %4 = wl.sigmoid %3 : tensor<?x4xf32>
  // CHECK: %[[A:.+]] = wl.abs %[[S]] : tensor<?x4xf32>
  %5 = wl.abs %4 : tensor<?x4xf32>
  // CHECK: %[[I:.+]] = wl.identity %[[A]] : tensor<?x4xf32>
  %6 = wl.identity %5 : tensor<?x4xf32>
  // CHECK: return %[[I]]
  return %6 : tensor<?x4xf32>
}

// Activations are elementwise on any ranked f32 tensor.
// CHECK-LABEL: func.func @activation_rank1(
func.func @activation_rank1(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: wl.tanh %{{.+}} : tensor<4xf32>
  %0 = wl.tanh %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @activation_grad(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @activation_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>)
    -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>,
        tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  // CHECK: wl.activation_grad "relu" %[[X]], %[[DY]] : tensor<?x4xf32>
  %0 = wl.activation_grad "relu" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "gelu" %[[X]], %[[DY]] : tensor<?x4xf32>
  %1 = wl.activation_grad "gelu" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "gelu_tanh" %[[X]], %[[DY]] : tensor<?x4xf32>
  %2 = wl.activation_grad "gelu_tanh" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "tanh" %[[X]], %[[DY]] : tensor<?x4xf32>
  %3 = wl.activation_grad "tanh" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "sigmoid" %[[X]], %[[DY]] : tensor<?x4xf32>
  %4 = wl.activation_grad "sigmoid" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "abs" %[[X]], %[[DY]] : tensor<?x4xf32>
  %5 = wl.activation_grad "abs" %x, %dy : tensor<?x4xf32>
  // CHECK: wl.activation_grad "identity" %[[X]], %[[DY]] : tensor<?x4xf32>
  %6 = wl.activation_grad "identity" %x, %dy : tensor<?x4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>,
      tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// CHECK-LABEL: func.func @groupsort(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @groupsort(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.groupsort %[[X]], 2 : tensor<?x4xf32>
  %0 = wl.groupsort %x, 2 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @groupsort_grad(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @groupsort_grad(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: wl.groupsort_grad %[[X]], %[[DY]], 4 : tensor<?x4xf32>
  %0 = wl.groupsort_grad %x, %dy, 4 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// wl.row_norm (rms_norm, layer_norm) and its VJP.
// CHECK-LABEL: func.func @row_norm(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
// CHECK-SAME: %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>
func.func @row_norm(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  // CHECK: wl.row_norm <rms> %[[X]], 9.9999999999999995E-7 : tensor<?x4xf32>
  %0 = wl.row_norm <rms> %x, 1.0e-6 : tensor<?x4xf32>
  // CHECK: wl.row_norm <layer> %[[X]], 1.000000e-05 : tensor<?x4xf32>
  %1 = wl.row_norm <layer> %x, 1.0e-5 : tensor<?x4xf32>
  // CHECK: wl.row_norm_grad <layer> %[[X]], %[[DY]], 1.000000e-05 : tensor<?x4xf32>
  %2 = wl.row_norm_grad <layer> %x, %dy, 1.0e-5 : tensor<?x4xf32>
  return %0, %1, %2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}
