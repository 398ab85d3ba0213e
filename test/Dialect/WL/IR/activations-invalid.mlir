// RUN: wl-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the activations and their gradients (ActivationOps.cpp).
// The MSG lines name messages of the verifiers, each contained in some
// expected-error of the *-invalid.mlir files of this directory; see
// params-invalid.mlir for the check.
// MSG unknown activation '
// MSG group size must be >= 1, got
// MSG does not divide the width

func.func @activation_grad_unknown(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.activation_grad' op unknown activation 'softplus'}}
  %0 = wl.activation_grad "softplus" %x, %dy : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Generated constraint: activations are on f32 tensors.
func.func @relu_i32(%x: tensor<?x4xi32>) -> tensor<?x4xi32> {
  // expected-error @+1 {{'wl.relu' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<?x4xi32>'}}
  %0 = wl.relu %x : tensor<?x4xi32>
  return %0 : tensor<?x4xi32>
}

// -----

func.func @groupsort_zero(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.groupsort' op group size must be >= 1, got 0}}
  %0 = wl.groupsort %x, 0 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @groupsort_negative(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.groupsort' op group size must be >= 1, got -2}}
  %0 = wl.groupsort %x, -2 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @groupsort_divides(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  // expected-error @+1 {{'wl.groupsort' op group size 4 does not divide the width 6}}
  %0 = wl.groupsort %x, 4 : tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

func.func @groupsort_grad_zero(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.groupsort_grad' op group size must be >= 1, got 0}}
  %0 = wl.groupsort_grad %x, %dy, 0 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @groupsort_grad_divides(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.groupsort_grad' op group size 8 does not divide the width 4}}
  %0 = wl.groupsort_grad %x, %dy, 8 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @row_norm_eps(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.row_norm' op eps must be positive and finite, got 0}}
  %0 = wl.row_norm <rms> %x, 0.0 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @row_norm_grad_eps(%x: tensor<?x4xf32>, %dy: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.row_norm_grad' op eps must be positive and finite, got -1}}
  %0 = wl.row_norm_grad <layer> %x, %dy, -1.0 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @row_norm_kind(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+2 {{expected ::wl::RowNormKind to be one of: rms, layer}}
  // expected-error @+1 {{failed to parse WL_RowNormKindAttr parameter 'value'}}
  %0 = wl.row_norm <batch> %x, 1.0e-5 : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
