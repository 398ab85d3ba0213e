// docs/examples/loldu.wl
// LoLDU: W = W_res + (PL)_8 diag(z) U_8 from the LU of the base; only z trains.
model LoLDU {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 32 {
    weight = frozen(init = orthogonal) + loldu(rank = 8)
                         // fc1.weight.loldu_z [8] trainable; .loldu_L, .loldu_U, .base frozen
  }
  linear head: 32 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
