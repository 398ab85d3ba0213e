// A tiny causal character-level LM for wl-train's text datasets and wl-sample
// (train_text.test, sample_text.test): context T = 16, width D = 32,
// vocabulary V = 64, one Lipschitz transformer block (1/d attention, convex
// residuals), every matrix spectrally bounded so the certificate is finite.
model TextLM {
  input  tokens: i32[16]
  label  next: i32[16]

  embedding tok: 64 -> 32 { weight = dense with norm_bound(1, norm = row) }
  embedding pos: 16 -> 32 { weight = dense with norm_bound(1, norm = row) }
  linear q: 32 -> 32 { weight = dense with spectral_bound(1, method = svd_clip); bias = none }
  linear k: 32 -> 32 { weight = dense with spectral_bound(1, method = svd_clip); bias = none }
  linear v: 32 -> 32 { weight = dense with spectral_bound(1, method = svd_clip); bias = none }
  linear o: 32 -> 32 { weight = dense with spectral_bound(1, method = svd_clip) }
  linear m1: 32 -> 64 { weight = dense with spectral_bound(1, method = svd_clip) }
  linear m2: 64 -> 32 { weight = dense with spectral_bound(1, method = svd_clip) }
  linear head: 32 -> 64 { weight = dense with spectral_bound(4, method = svd_clip) }

  forward {
    h = tok(tokens) + pos(positions)
    h = 5/6 * h + 1/6 * o(1/3 * attention(q(h), k(h), v(h), heads = 4, causal = true, scale = 1/8, rope = true))
    h = 5/6 * h + 1/6 * m2((1/1.1289) * gelu(m1(h)))
    return head(h)
  }

  loss = cross_entropy(forward, next)
  optimize { default: adamw(lr = 1e-2) }
}
