// RUN: wl-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the structure ops (StructureOps.cpp). The structured
// wl.layer is in params-invalid.mlir, wl.abs_clamp in constraints-invalid.mlir.
// The MSG lines name messages of the verifiers, each contained in some
// expected-error of the *-invalid.mlir files of this directory; see
// params-invalid.mlir for the check.
// MSG needs a static square generator, got
// MSG needs static shapes
// MSG does not fit in
// MSG needs static widths and reflectors
// MSG reflectors have length
// MSG needs at least one reflector
// MSG scale must have the input's width and the result its type
// MSG needs a static square type, got
// MSG result must be the input's transpose, got
// MSG needs x [B, IN], U [OUT, m], s [m], V [IN, m] and a [B, OUT] result
// MSG needs one indexing map per operand and one for the result, got
// MSG needs at least one operand
// MSG must be a projected permutation of the
// MSG results for a rank-
// MSG has extent
// MSG is indexed by no operand
// MSG must change the rank (split or merge dimensions)
// MSG cannot regroup

//===----------------------------------------------------------------------===//
// wl.cayley, wl.exp_skew, wl.leading_block, wl.embed_block
//===----------------------------------------------------------------------===//

func.func @cayley_rectangular(%s: tensor<4x3xf32>) {
  // expected-error @+1 {{'wl.cayley' op needs a static square generator, got 'tensor<4x3xf32>'}}
  %q = wl.cayley %s : tensor<4x3xf32>
  return
}

// -----

func.func @cayley_linear_grad_width(%s: tensor<4x4xf32>, %dy: tensor<?x3xf32>) {
  // expected-error @+1 {{'wl.cayley_linear_grad' op needs dy, x and xq of shape [B, 4], got 'tensor<?x3xf32>'}}
  %d = wl.cayley_linear_grad %s, %s, %dy, %dy, %dy : tensor<4x4xf32>, tensor<?x3xf32>
  return
}

// -----

func.func @exp_skew_rectangular(%s: tensor<4x3xf32>) {
  // expected-error @+1 {{'wl.exp_skew' op needs a static square generator, got 'tensor<4x3xf32>'}}
  %q = wl.exp_skew %s : tensor<4x3xf32>
  return
}

// -----

func.func @leading_block_dynamic(%q: tensor<?x4xf32>) {
  // expected-error @+1 {{'wl.leading_block' op needs static shapes}}
  %w = wl.leading_block %q : (tensor<?x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @leading_block_too_big(%q: tensor<4x4xf32>) {
  // expected-error @+1 {{'wl.leading_block' op block 'tensor<5x4xf32>' does not fit in 'tensor<4x4xf32>'}}
  %w = wl.leading_block %q : (tensor<4x4xf32>) -> tensor<5x4xf32>
  return
}

// -----

func.func @embed_block_too_big(%w: tensor<4x6xf32>) {
  // expected-error @+1 {{'wl.embed_block' op block 'tensor<4x6xf32>' does not fit in 'tensor<5x5xf32>'}}
  %q = wl.embed_block %w : (tensor<4x6xf32>) -> tensor<5x5xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// wl.householder, wl.scale_columns, wl.eye, wl.transpose
//===----------------------------------------------------------------------===//

func.func @householder_dynamic(%x: tensor<?x4xf32>, %v: tensor<?x4xf32>) {
  // expected-error @+1 {{'wl.householder' op needs static widths and reflectors}}
  %y = wl.householder %x, %v : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @householder_length(%x: tensor<?x4xf32>, %v: tensor<2x5xf32>) {
  // expected-error @+1 {{'wl.householder' op reflectors have length 5, expected max(IN, OUT) = 6}}
  %y = wl.householder %x, %v : (tensor<?x4xf32>, tensor<2x5xf32>) -> tensor<?x6xf32>
  return
}

// -----

func.func @householder_none(%x: tensor<?x4xf32>, %v: tensor<0x4xf32>) {
  // expected-error @+1 {{'wl.householder' op needs at least one reflector}}
  %y = wl.householder %x, %v : (tensor<?x4xf32>, tensor<0x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @householder_batch(%x: tensor<3x4xf32>, %v: tensor<2x4xf32>) {
  // expected-error @+1 {{'wl.householder' op result batch dimension must equal the input's}}
  %y = wl.householder %x, %v : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @scale_columns_width(%x: tensor<?x4xf32>, %d: tensor<3xf32>) {
  // expected-error @+1 {{'wl.scale_columns' op scale must have the input's width and the result its type}}
  %y = wl.scale_columns %x, %d : (tensor<?x4xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @eye_rectangular() {
  // expected-error @+1 {{'wl.eye' op needs a static square type, got 'tensor<2x3xf32>'}}
  %i = wl.eye : tensor<2x3xf32>
  return
}

// -----

func.func @transpose_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'wl.transpose' op result must be the input's transpose, got 'tensor<2x3xf32>' -> 'tensor<2x3xf32>'}}
  %y = wl.transpose %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// wl.contract, wl.reshape
//===----------------------------------------------------------------------===//

func.func @contract_map_count(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'wl.contract' op needs one indexing map per operand and one for the result, got 1 for 1 operands}}
  %c = wl.contract %a {indexing_maps = [affine_map<(i, j) -> (i, j)>]} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @contract_no_operands() {
  // expected-error @+1 {{'wl.contract' op needs at least one operand}}
  %c = wl.contract {indexing_maps = [affine_map<(i) -> (i)>]} : () -> tensor<2xf32>
  return
}

// -----

func.func @contract_not_projection(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'wl.contract' op indexing map #0 must be a projected permutation of the 2 loops, got affine_map<(d0, d1) -> (d0 + d1, d1)>}}
  %c = wl.contract %a {indexing_maps = [affine_map<(i, j) -> (i + j, j)>, affine_map<(i, j) -> (i)>]} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @contract_rank(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'wl.contract' op indexing map #1 has 1 results for a rank-2 tensor}}
  %c = wl.contract %a {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>]} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @contract_extent(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'wl.contract' op loop d1 has extent 3 in one operand and 4 in another}}
  %c = wl.contract %a, %b {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i)>]} : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @contract_unindexed(%a: tensor<2xf32>) {
  // expected-error @+1 {{'wl.contract' op loop d1 is indexed by no operand}}
  %c = wl.contract %a {indexing_maps = [affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i)>]} : (tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @reshape_same_rank(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.reshape' op must change the rank (split or merge dimensions)}}
  %y = wl.reshape %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @reshape_regroup(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.reshape' op cannot regroup 'tensor<?x8xf32>' into 'tensor<?x3x3xf32>'}}
  %y = wl.reshape %x : (tensor<?x8xf32>) -> tensor<?x3x3xf32>
  return
}

// -----

// Static dims merge into the batch only where they follow it, and the rest
// must still regroup ([B, 4, 6] has no [B·k, 5]).
func.func @reshape_rows_regroup(%x: tensor<?x4x6xf32>) {
  // expected-error @+1 {{'wl.reshape' op cannot regroup 'tensor<?x4x6xf32>' into 'tensor<?x5xf32>'}}
  %y = wl.reshape %x : (tensor<?x4x6xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @reshape_rows_static_first(%x: tensor<4x?x6xf32>) {
  // expected-error @+1 {{'wl.reshape' op cannot regroup 'tensor<4x?x6xf32>' into 'tensor<?x6xf32>'}}
  %y = wl.reshape %x : (tensor<4x?x6xf32>) -> tensor<?x6xf32>
  return
}

// -----

// sst's product: V must be [IN, m] for x [B, IN].
func.func @sst_product_shapes(%x: tensor<?x4xf32>, %u: tensor<6x3xf32>, %s: tensor<3xf32>, %v: tensor<5x3xf32>) {
  // expected-error @+1 {{'wl.sst_product' op needs x [B, IN], U [OUT, m], s [m], V [IN, m] and a [B, OUT] result}}
  %y = wl.sst_product %x, %u, %s, %v : (tensor<?x4xf32>, tensor<6x3xf32>, tensor<3xf32>, tensor<5x3xf32>) -> tensor<?x6xf32>
  return
}
