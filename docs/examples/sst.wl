// docs/examples/sst.wl
// Sparse spectral training: W = U diag(s) Vᵀ, the full SVD of the initial weight; s
// trains every step, 8 of U's and V's 32 columns per round, re-SVD every 100 steps.
model SST {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 48 {
    weight = sst(rank = 8, every = 100)
                         // fc1.weight.U [48, 32], .s [32], .V [32, 32] trainable; .sampled [32] frozen
  }
  linear head: 48 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
