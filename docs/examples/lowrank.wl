// docs/examples/lowrank.wl
// W = U Vᵀ of rank 4, applied as U (Vᵀ x): W is never formed.
model LowRank {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 24 {
    weight = lowrank(rank = 4)          // fc1.weight.U [24, 4], fc1.weight.V [32, 4]
  }
  linear head: 24 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
