// The Lipschitz transformer of "Training Transformers with Enforced Lipschitz
// Constants" (Newhouse et al. 2025), character level: no LayerNorm, no biases,
// attention with scale 1/(D/H) and RoPE whose output is divided by 3, convex
// residuals h = (1 - 1/(2L)) h + 1/(2L) block(h) for L blocks, an MLP D -> 4D -> D
// with gelu/1.1289, an embedding whose rows have l2 norm <= sqrt(D), every matrix
// under spectral_bound(c, method = soft_cap) trained by Muon with a linearly
// decaying lr (soft_cap's strength follows it step by step).
//
// Bounds. The reference code (phess2/lipschitz-transformers, modula/) bounds each
// weight in the RMS -> RMS operator norm, sqrt(IN/OUT) sigma_max(W) <= w_max; with
// w_max = 1 that is spectral_bound(c) with c = w_max sqrt(OUT/IN): 1 for the D x D
// attention matrices, 2 for D -> 4D, 1/2 for 4D -> D, sqrt(V/D) for the head.
// The output projections (o, down) start at zero, as in the reference. The head
// alone gets w_max = 8: at w_max = 1 the logits' RMS is at most the features'
// (<= 1), and on fortunes the small configuration's validation loss stalled at
// 3.6 nats (2.6 at w_max = 8, 300 steps each); the certificate pays the factor.
//
// Step sizes. modula splits the lr by "mass": embedding 1, the blocks 5 together
// (each of the 6L matrices 5/(6L)), the head 1; an atom's update is its share of
// lr times an orthogonalised gradient scaled to RMS -> RMS norm 1, i.e. spectral
// norm sqrt(OUT/IN). wl's Muon scales by sqrt(max(1, OUT/IN)), so the 4D -> D and
// D -> V layers get their ratio sqrt(OUT/IN) folded into their lr. The reference
// updates embedding rows by the normalised gradient (row norm sqrt(D) times the
// share); Muon's orthogonal update has rows of norm <= 1, so tok's lr carries
// sqrt(D). Its Muon keeps momentum as an EMA (0.9, no Nesterov), as wl's Muon
// does (m <- 0.9 m + 0.1 g).
//
// The certificate: wl_lipschitz_bound (printed by wl-train) bounds the model in
// max_t ||x_t||_2 over the embedding's outputs and is sound by construction
// (ALGORITHMS.md, "Certificates of sequence models"); the reference code's own
// formula is not an upper bound (it divides the MLP term by 1.1289 twice).
//
// The README's configuration, small enough to train in about 3 minutes on 2
// cores (examples/lipschitz_gpt.wl is the reference one: 3 blocks, D = 256,
// context 256):
//   wl-train examples/lipschitz_gpt_small.wl --dataset fortunes --steps 2500
// 2 blocks, D = 128, 4 heads, context 64; the peak lr is 0.4, 4x the reference's
// 0.1 (of 1x, 4x, 16x and 50x, 4x learned fastest over 300 steps here), decaying
// to 0 at step 2500.
model LipschitzGPTSmall {
  input  tokens: i32[64]
  label  next: i32[64]

  // Token vectors of RMS norm <= 1: l2 norm <= sqrt(D) = 11.3137.
  embedding tok: 128 -> 128 { weight = dense with norm_bound(11.3137, norm = row) }

  // Block 1: attention (q, k, v, o: D -> D, c = 1) and MLP (D -> 4D: c = 2; 4D -> D: c = 1/2).
  linear q1: 128 -> 128 { weight = dense with spectral_bound(1, method = soft_cap); bias = none }
  linear k1: 128 -> 128 { weight = dense with spectral_bound(1, method = soft_cap); bias = none }
  linear v1: 128 -> 128 { weight = dense with spectral_bound(1, method = soft_cap); bias = none }
  linear o1: 128 -> 128 { weight = dense(init = zeros) with spectral_bound(1, method = soft_cap); bias = none }
  linear up1: 128 -> 512 { weight = dense with spectral_bound(2, method = soft_cap); bias = none }
  linear down1: 512 -> 128 { weight = dense(init = zeros) with spectral_bound(1/2, method = soft_cap); bias = none }

  // Block 2: attention (q, k, v, o: D -> D, c = 1) and MLP (D -> 4D: c = 2; 4D -> D: c = 1/2).
  linear q2: 128 -> 128 { weight = dense with spectral_bound(1, method = soft_cap); bias = none }
  linear k2: 128 -> 128 { weight = dense with spectral_bound(1, method = soft_cap); bias = none }
  linear v2: 128 -> 128 { weight = dense with spectral_bound(1, method = soft_cap); bias = none }
  linear o2: 128 -> 128 { weight = dense(init = zeros) with spectral_bound(1, method = soft_cap); bias = none }
  linear up2: 128 -> 512 { weight = dense with spectral_bound(2, method = soft_cap); bias = none }
  linear down2: 512 -> 128 { weight = dense(init = zeros) with spectral_bound(1/2, method = soft_cap); bias = none }

  // D -> V: w_max = 8 (see the header): c = 8 sqrt(V/D) = 8.
  linear head: 128 -> 128 { weight = dense with spectral_bound(8, method = soft_cap); bias = none }

  forward {
    h = tok(tokens)
    h = 3/4 * h + 1/4 * o1(1/3 * attention(q1(h), k1(h), v1(h), heads = 4, causal = true, scale = 1/32, rope = true))
    h = 3/4 * h + 1/4 * down1((1/1.1289) * gelu(up1(h)))
    h = 3/4 * h + 1/4 * o2(1/3 * attention(q2(h), k2(h), v2(h), heads = 4, causal = true, scale = 1/32, rope = true))
    h = 3/4 * h + 1/4 * down2((1/1.1289) * gelu(up2(h)))
    return head(h)
  }

  loss = cross_entropy(forward, next)

  // Muon (EMA momentum 0.9, no Nesterov) with the reference's per-layer step sizes:
  // peak lr 0.4 times each layer's share of the model's mass (embedding 1, the
  // 12 block matrices 5 together, head 1: 7), converted from its RMS -> RMS
  // update norm sqrt(OUT/IN) to Muon's sqrt(max(1, OUT/IN)) (see the header).
  optimize {
    q1.weight, k1.weight, v1.weight, o1.weight, q2.weight, k2.weight, v2.weight, o2.weight, up1.weight, up2.weight:
        muon(lr = 0.0238095, momentum = 0.9, nesterov = false)
    down1.weight, down2.weight:
        muon(lr = 0.0119048, momentum = 0.9, nesterov = false)
    head.weight: muon(lr = 0.0571429, momentum = 0.9, nesterov = false)
    tok.weight: muon(lr = 0.646498, momentum = 0.9, nesterov = false)
    schedule: warmup_linear(warmup = 0, total = 2500)
  }
}
