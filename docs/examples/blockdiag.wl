// docs/examples/blockdiag.wl
// Block-diagonal W = diag(W₁, ..., W₄), each block [16/4, 32/4].
model BlockDiag {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 16 {
    weight = blockdiag(blocks = 4)      // fc1.weight.blocks [4, 4, 8]
  }
  linear head: 16 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
