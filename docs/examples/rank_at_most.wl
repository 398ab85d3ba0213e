// docs/examples/rank_at_most.wl
// rank W ≤ 4, by a truncated SVD after every step (W stays a dense [32, 32] tensor).
model RankAtMost {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 32 {
    weight = dense with rank_at_most(4)
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
