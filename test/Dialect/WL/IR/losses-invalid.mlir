// RUN: wl-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the losses and their gradients (LossOps.cpp).
// The MSG lines name messages of the verifiers, each contained in some
// expected-error of the *-invalid.mlir files of this directory; see
// params-invalid.mlir for the check.
// MSG expects one label per row:
// MSG needs at least one class

func.func @cross_entropy_labels(%z: tensor<8x10xf32>, %y: tensor<4xi32>) -> f32 {
  // expected-error @+1 {{'wl.cross_entropy' op expects one label per row: 4 labels for 8 rows}}
  %0 = wl.cross_entropy %z, %y : tensor<8x10xf32>, tensor<4xi32>
  return %0 : f32
}

// -----

func.func @cross_entropy_classes(%z: tensor<?x0xf32>, %y: tensor<?xi32>) -> f32 {
  // expected-error @+1 {{'wl.cross_entropy' op needs at least one class}}
  %0 = wl.cross_entropy %z, %y : tensor<?x0xf32>, tensor<?xi32>
  return %0 : f32
}

// -----

// Generated constraint: class labels are i32.
func.func @cross_entropy_label_type(%z: tensor<?x10xf32>, %y: tensor<?xi64>) -> f32 {
  // expected-error @+1 {{'wl.cross_entropy' op operand #1 must be 1D tensor of 32-bit signless integer values, but got 'tensor<?xi64>'}}
  %0 = wl.cross_entropy %z, %y : tensor<?x10xf32>, tensor<?xi64>
  return %0 : f32
}

// -----

func.func @cross_entropy_grad_labels(%z: tensor<8x10xf32>, %y: tensor<4xi32>, %dl: f32)
    -> tensor<8x10xf32> {
  // expected-error @+1 {{'wl.cross_entropy_grad' op expects one label per row: 4 labels for 8 rows}}
  %0 = wl.cross_entropy_grad %z, %y, %dl : tensor<8x10xf32>, tensor<4xi32>
  return %0 : tensor<8x10xf32>
}

// -----

func.func @cross_entropy_grad_classes(%z: tensor<?x0xf32>, %y: tensor<?xi32>, %dl: f32)
    -> tensor<?x0xf32> {
  // expected-error @+1 {{'wl.cross_entropy_grad' op needs at least one class}}
  %0 = wl.cross_entropy_grad %z, %y, %dl : tensor<?x0xf32>, tensor<?xi32>
  return %0 : tensor<?x0xf32>
}

// -----

// Generated constraint (AllTypesMatch): the gradient has the logits' type.
func.func @cross_entropy_grad_result(%z: tensor<?x10xf32>, %y: tensor<?xi32>, %dl: f32)
    -> tensor<4x10xf32> {
  // expected-error @+1 {{'wl.cross_entropy_grad' op failed to verify that all of {logits, result} have same type}}
  %0 = "wl.cross_entropy_grad"(%z, %y, %dl) : (tensor<?x10xf32>, tensor<?xi32>, f32) -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// Generated constraint (AllTypesMatch): prediction and target have one type.
func.func @mse_types(%z: tensor<?x3xf32>, %t: tensor<?x4xf32>) -> f32 {
  // expected-error @+1 {{'wl.mse' op failed to verify that all of {prediction, target} have same type}}
  %0 = "wl.mse"(%z, %t) : (tensor<?x3xf32>, tensor<?x4xf32>) -> f32
  return %0 : f32
}

// -----

func.func @mse_grad_types(%z: tensor<?x3xf32>, %t: tensor<?x3xf32>, %dl: f32) -> tensor<2x3xf32> {
  // expected-error @+1 {{'wl.mse_grad' op failed to verify that all of {prediction, target, result} have same type}}
  %0 = "wl.mse_grad"(%z, %t, %dl) : (tensor<?x3xf32>, tensor<?x3xf32>, f32) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
