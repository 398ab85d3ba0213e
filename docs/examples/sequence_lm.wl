// docs/examples/sequence_lm.wl
// A small causal transformer language model: token ids, a learned position
// embedding, pre-norm blocks with RoPE attention and an MLP, one class per
// position (the next token).
model SequenceLM {
  input  tokens: i32[32]
  label  next: i32[32]                  // one class per position

  embedding tok: 65 -> 64 { weight = dense with norm_bound(1, norm = row) }
  embedding pos: 32 -> 64               // applied to `positions`, the ids 0..31
  linear q: 64 -> 64 { bias = none }
  linear k: 64 -> 64 { bias = none }
  linear v: 64 -> 64 { bias = none }
  linear o: 64 -> 64
  linear up: 64 -> 256
  linear down: 256 -> 64
  linear head: 64 -> 65

  forward {
    h = tok(tokens) + pos(positions)    // [32, 64]: every layer below applies per position
    a = rms_norm(h)
    h = h + o(attention(q(a), k(a), v(a), heads = 4, causal = true, rope = true))
    h = h + down(gelu(up(rms_norm(h))))
    return head(layer_norm(h))          // [32, 65]: logits per position
  }

  loss = cross_entropy(forward, next)   // mean over batch and positions

  optimize {
    default: adamw(lr = 3e-3)
  }
}
