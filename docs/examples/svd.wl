// docs/examples/svd.wl
// W = U diag(s) Vᵀ with U, V kept orthonormal: the singular values are parameters.
model Svd {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 16 {
    weight = svd(rank = 8)              // fc1.weight.U [16, 8], .s [8], .V [32, 8]
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
