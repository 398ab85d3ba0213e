// docs/examples/kronecker.wl
// W = A₁ ⊗ B₁ + A₂ ⊗ B₂ with OUT = 4·8 = 32 and IN = 4·4 = 16.
model Kronecker {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = kronecker(a = [4, 4], b = [8, 4], terms = 2)
                                        // fc1.weight.A [2, 4, 4], fc1.weight.B [2, 8, 4]
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
