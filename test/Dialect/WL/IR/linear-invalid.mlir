// RUN: wl-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the linear maps, sums and reductions (LinearOps.cpp).
// The MSG lines name messages of the verifiers, each contained in some
// expected-error of the *-invalid.mlir files of this directory; see
// params-invalid.mlir for the check.
// MSG weight must have a static shape, got
// MSG does not match the weight's IN
// MSG does not match the weight's OUT
// MSG result batch dimension must equal the input's
// MSG contraction dimensions differ:
// MSG does not match the product's
// MSG bias of size
// MSG result type must equal the input type
// MSG result size must equal the input width

//===----------------------------------------------------------------------===//
// wl.linear
//===----------------------------------------------------------------------===//

func.func @linear_dynamic_weight(%x: tensor<?x8xf32>, %w: tensor<?x8xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.linear' op weight must have a static shape, got [?, 8]}}
  %0 = wl.linear %x, %w : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @linear_in(%x: tensor<?x7xf32>, %w: tensor<4x8xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.linear' op input width 7 does not match the weight's IN 8 (weight is [OUT, IN] = [4, 8])}}
  %0 = wl.linear %x, %w : (tensor<?x7xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @linear_out(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'wl.linear' op result width 8 does not match the weight's OUT 4}}
  %0 = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @linear_batch(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'wl.linear' op result batch dimension must equal the input's}}
  %0 = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Generated constraint: wrong rank.
func.func @linear_rank(%x: tensor<8xf32>, %w: tensor<4x8xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.linear' op operand #0 must be 2D tensor of 32-bit float values, but got 'tensor<8xf32>'}}
  %0 = wl.linear %x, %w : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Generated constraint: wrong element type.
func.func @linear_f16(%x: tensor<?x8xf32>, %w: tensor<4x8xf16>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.linear' op operand #1 must be 2D tensor of 32-bit float values, but got 'tensor<4x8xf16>'}}
  %0 = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf16>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// wl.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_contraction(%a: tensor<?x4xf32>, %b: tensor<5x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'wl.matmul' op contraction dimensions differ: 4 vs 5}}
  %0 = wl.matmul %a, %b : (tensor<?x4xf32>, tensor<5x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// With transpose_lhs the contraction runs over the rows of the lhs.
func.func @matmul_contraction_transposed(%a: tensor<3x4xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'wl.matmul' op contraction dimensions differ: 3 vs 4}}
  %0 = wl.matmul %a, %b {transpose_lhs} : (tensor<3x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @matmul_result(%a: tensor<?x4xf32>, %b: tensor<4x8xf32>) -> tensor<?x9xf32> {
  // expected-error @+1 {{'wl.matmul' op result shape [?, 9] does not match the product's [?, 8]}}
  %0 = wl.matmul %a, %b : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x9xf32>
  return %0 : tensor<?x9xf32>
}

// -----

func.func @matmul_result_transposed(%a: tensor<2x4xf32>, %b: tensor<8x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'wl.matmul' op result shape [2, 4] does not match the product's [2, 8]}}
  %0 = wl.matmul %a, %b {transpose_rhs} : (tensor<2x4xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// wl.bias_add, wl.reduce_batch, wl.add, wl.scale
//===----------------------------------------------------------------------===//

func.func @bias_add_size(%x: tensor<?x4xf32>, %b: tensor<5xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.bias_add' op bias of size 5 does not match width 4}}
  %0 = wl.bias_add %x, %b : (tensor<?x4xf32>, tensor<5xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @bias_add_result(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'wl.bias_add' op result type must equal the input type}}
  %0 = wl.bias_add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @reduce_batch_size(%x: tensor<?x4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'wl.reduce_batch' op result size must equal the input width}}
  %0 = wl.reduce_batch %x : (tensor<?x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Generated constraint (SameOperandsAndResultType).
func.func @add_types(%x: tensor<?x4xf32>, %y: tensor<?x5xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.add' op requires the same type for all operands and results}}
  %0 = "wl.add"(%x, %y) : (tensor<?x4xf32>, tensor<?x5xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Generated constraint: the factor is an f64 attribute.
func.func @scale_factor(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'wl.scale' op attribute 'factor' failed to satisfy constraint: 64-bit float attribute}}
  %0 = "wl.scale"(%x) <{factor = 2.0 : f32}> : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
