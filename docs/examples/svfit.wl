// docs/examples/svfit.wl
// SVFit: W = W_res + U diag(s) Vᵀ from the base's top-8 SVD; only s trains.
model SVFit {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 32 {
    weight = frozen(init = orthogonal) + svfit(rank = 8)
                         // fc1.weight.s [8] trainable; .U [32, 8], .V [32, 8], .base frozen
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
