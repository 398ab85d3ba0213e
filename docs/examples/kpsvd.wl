// docs/examples/kpsvd.wl
// SoKA: the base's best 2-term Kronecker approximation (KPSVD) becomes trainable
// factors A, B; the residual stays frozen, so W = W₀ at creation.
model KronKPSVD {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 32 {
    weight = frozen(init = normal(std = 0.1))
           + kronecker(a = [4, 4], b = [8, 8], terms = 2, init = kpsvd)
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
