// RUN: wl-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the sequence ops (SequenceOps.cpp); see params-invalid.mlir
// for the MSG convention.
// MSG length must be >= 1, got
// MSG needs a static sequence length, got
// MSG do not match length
// MSG needs a static width for
// MSG needs a batch dimension in its operand
// MSG needs a static table, got
// MSG do not match the table's width
// MSG heads must be >= 1, got
// MSG scale must be finite, got
// MSG rope_base must be positive and finite, got
// MSG needs q, k, v and out of one type, got
// MSG do not divide the width
// MSG rope needs an even head width, got
// MSG needs stats of type tensor<?x
// MSG needs one width for positions and examples, got

func.func @positions_length(%x: tensor<?x8xi32>) {
  // expected-error @+1 {{'wl.positions' op length must be >= 1, got 0}}
  %p = wl.positions %x {length = 0 : i64} : tensor<?x8xi32> -> tensor<?x0xi32>
  return
}

// -----

func.func @positions_mismatch(%x: tensor<?x8xi32>) {
  // expected-error @+1 {{'wl.positions' op ids of length 8 do not match length 4}}
  %p = wl.positions %x {length = 4 : i64} : tensor<?x8xi32> -> tensor<?x8xi32>
  return
}

// -----

func.func @positions_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'wl.positions' op needs a batch dimension in its operand}}
  %p = wl.positions %x {length = 4 : i64} : tensor<f32> -> tensor<?x4xi32>
  return
}

// -----

func.func @embedding_dynamic_length(%e: tensor<10x4xf32>, %ids: tensor<?x?xi32>) {
  // expected-error @+1 {{'wl.embedding' op needs a static sequence length, got 'tensor<?x?xi32>'}}
  %x = wl.embedding %e, %ids : (tensor<10x4xf32>, tensor<?x?xi32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @embedding_dynamic_table(%e: tensor<?x4xf32>, %ids: tensor<?x8xi32>) {
  // expected-error @+1 {{'wl.embedding' op needs a static table, got 'tensor<?x4xf32>'}}
  %x = wl.embedding %e, %ids : (tensor<?x4xf32>, tensor<?x8xi32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @embedding_width(%e: tensor<10x4xf32>, %ids: tensor<?x8xi32>) {
  // expected-error @+1 {{'wl.embedding' op rows of width 5 do not match the table's width 4}}
  %x = wl.embedding %e, %ids : (tensor<10x4xf32>, tensor<?x8xi32>) -> tensor<?x5xf32>
  return
}

// -----

// Generated constraint: ids are i32.
func.func @embedding_float_ids(%e: tensor<10x4xf32>, %ids: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.embedding' op operand #1 must be 2D tensor of 32-bit signless integer values, but got 'tensor<?x8xf32>'}}
  %x = wl.embedding %e, %ids : (tensor<10x4xf32>, tensor<?x8xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @embedding_grad_width(%ids: tensor<?x8xi32>, %dy: tensor<?x5xf32>) {
  // expected-error @+1 {{'wl.embedding_grad' op rows of width 5 do not match the table's width 4}}
  %g = wl.embedding_grad %ids, %dy : (tensor<?x8xi32>, tensor<?x5xf32>) -> tensor<10x4xf32>
  return
}

// -----

func.func @attention_length(%q: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.attention' op length must be >= 1, got 0}}
  %o:2 = wl.attention %q, %q, %q {length = 0 : i64, heads = 2 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x2xf32>)
  return
}

// -----

func.func @attention_heads(%q: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.attention' op heads must be >= 1, got 0}}
  %o:2 = wl.attention %q, %q, %q {length = 4 : i64, heads = 0 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x0xf32>)
  return
}

// -----

func.func @attention_scale(%q: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.attention' op scale must be finite, got}}
  %o:2 = wl.attention %q, %q, %q {length = 4 : i64, heads = 2 : i64, causal = false, scale = 0x7FF0000000000000 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x2xf32>)
  return
}

// -----

func.func @attention_rope_base(%q: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.attention' op rope_base must be positive and finite, got 0}}
  %o:2 = wl.attention %q, %q, %q {length = 4 : i64, heads = 2 : i64, causal = false, scale = 0.5 : f64, rope = true, rope_base = 0.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x2xf32>)
  return
}

// -----

func.func @attention_types(%q: tensor<?x8xf32>, %k: tensor<?x4xf32>) {
  // expected-error @+1 {{'wl.attention' op needs q, k, v and out of one type, got 'tensor<?x8xf32>' and 'tensor<?x4xf32>'}}
  %o:2 = wl.attention %q, %k, %q {length = 4 : i64, heads = 2 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x4xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x2xf32>)
  return
}

// -----

func.func @attention_dynamic_width(%q: tensor<?x?xf32>) {
  // expected-error @+1 {{'wl.attention' op needs a static width for q, k and v, got 'tensor<?x?xf32>'}}
  %o:2 = wl.attention %q, %q, %q {length = 4 : i64, heads = 2 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x2xf32>)
  return
}

// -----

func.func @attention_divide(%q: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.attention' op heads (3) do not divide the width 8}}
  %o:2 = wl.attention %q, %q, %q {length = 4 : i64, heads = 3 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x3xf32>)
  return
}

// -----

func.func @attention_rope_odd(%q: tensor<?x6xf32>) {
  // expected-error @+1 {{'wl.attention' op rope needs an even head width, got 3}}
  %o:2 = wl.attention %q, %q, %q {length = 4 : i64, heads = 2 : i64, causal = false, scale = 0.5 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x6xf32>, tensor<?x6xf32>, tensor<?x6xf32>) -> (tensor<?x6xf32>, tensor<?x2xf32>)
  return
}

// -----

func.func @attention_stats(%q: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.attention' op needs stats of type tensor<?x2xf32>, got 'tensor<?x4xf32>'}}
  %o:2 = wl.attention %q, %q, %q {length = 4 : i64, heads = 2 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x4xf32>)
  return
}

// -----

func.func @attention_grad_types(%q: tensor<?x8xf32>, %s: tensor<?x2xf32>, %d: tensor<?x4xf32>) {
  // expected-error @+1 {{'wl.attention_grad' op needs q, k, v and out of one type, got 'tensor<?x8xf32>' and 'tensor<?x4xf32>'}}
  %g:3 = wl.attention_grad %q, %q, %q, %q, %s, %d {length = 4 : i64, heads = 2 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x2xf32>, tensor<?x4xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
  return
}

// -----

func.func @attention_grad_stats(%q: tensor<?x8xf32>, %s: tensor<?x1xf32>) {
  // expected-error @+1 {{'wl.attention_grad' op needs stats of type tensor<?x2xf32>, got 'tensor<?x1xf32>'}}
  %g:3 = wl.attention_grad %q, %q, %q, %q, %s, %q {length = 4 : i64, heads = 2 : i64, causal = true, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x1xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
  return
}

// -----

func.func @mean_pool_length(%h: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.mean_pool' op length must be >= 1, got -1}}
  %y = wl.mean_pool %h {length = -1 : i64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @mean_pool_width(%h: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.mean_pool' op needs one width for positions and examples, got 'tensor<?x8xf32>' and 'tensor<?x4xf32>'}}
  %y = wl.mean_pool %h {length = 2 : i64} : (tensor<?x8xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @mean_pool_grad_width(%dy: tensor<?x8xf32>) {
  // expected-error @+1 {{'wl.mean_pool_grad' op needs one width for positions and examples, got 'tensor<?x4xf32>' and 'tensor<?x8xf32>'}}
  %d = wl.mean_pool_grad %dy {length = 2 : i64} : (tensor<?x8xf32>) -> tensor<?x4xf32>
  return
}
