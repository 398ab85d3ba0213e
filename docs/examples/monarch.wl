// docs/examples/monarch.wl
// Monarch W = P L Pᵀ R on n = 32 = 4 blocks · 8.
model Monarch {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 32 {
    weight = monarch(blocks = 4)        // fc1.weight.R [4, 8, 8], fc1.weight.L [8, 4, 4]
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
