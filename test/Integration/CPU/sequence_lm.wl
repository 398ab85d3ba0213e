// A 2-block causal transformer LM (token ids, learned position embeddings,
// RoPE in one block, rms_norm and layer_norm, per-position labels) against a
// float64 PyTorch reference: forward, every parameter gradient, the loss and
// one AdamW step (with the embeddings' row-norm and spectral constraints), causality, the exported weights loaded into the same
// model written with nn.Embedding/nn.Linear, a checkpoint round trip, and
// the runtime's refusal of an id outside [0, V). The reference itself is
// checked against finite differences.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/sequence_lm.py %t.so %t | FileCheck %s
// CHECK: OK reference_vs_fd64
// CHECK: OK forward_b3
// CHECK: OK grad_tok.weight
// CHECK: OK grad_pos.weight
// CHECK: OK grad_q1.weight
// CHECK: OK grad_o2.bias
// CHECK: OK grad_head.bias
// CHECK: OK no_dx
// CHECK: OK forward_b1
// CHECK: OK causal
// CHECK: OK loss
// CHECK: OK step_adamw
// CHECK: OK embedding_constraints
// CHECK: OK export_dense_module
// CHECK: OK checkpoint_round_trip
// CHECK: OK id_out_of_range
// CHECK: OK unchanged_after_error

model TinyLM {
  input  tokens: i32[8]
  label  next: i32[8]

  embedding tok: 11 -> 16 { weight = dense with norm_bound(1, norm = row) }
  embedding pos: 8 -> 16 { weight = dense with spectral_bound(2, method = svd_clip) }
  linear q1: 16 -> 16 { bias = none }
  linear k1: 16 -> 16 { bias = none }
  linear v1: 16 -> 16 { bias = none }
  linear o1: 16 -> 16
  linear m1: 16 -> 32
  linear m2: 32 -> 16
  linear q2: 16 -> 16 { bias = none }
  linear k2: 16 -> 16 { bias = none }
  linear v2: 16 -> 16 { bias = none }
  linear o2: 16 -> 16
  linear head: 16 -> 11

  forward {
    h = tok(tokens) + pos(positions)
    h = h + o1(attention(q1(h), k1(h), v1(h), heads = 2, causal = true, rope = true))
    h = h + m2(gelu(m1(rms_norm(h))))
    a = rms_norm(h)
    h = h + o2(attention(q2(a), k2(a), v2(a), heads = 4, causal = true, scale = 1/4))
    return head(layer_norm(h))
  }

  loss = cross_entropy(forward, next)
  optimize { default: adamw(lr = 1e-2) }
}
