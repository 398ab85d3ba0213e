// docs/examples/inits.wl
// Initialisers of weights, factors and biases (all deterministic in wl_create's seed).
model Inits {
  input x: f32[16]
  label y: i32

  linear a: 16 -> 16 {
    weight = dense(init = normal(std = 0.1))   // N(0, 0.1²)
    bias   = uniform(0.01)                      // U(−0.01, 0.01)
  }
  linear b: 16 -> 16 {
    weight = dense(init = orthogonal)           // a random orthogonal matrix
    bias   = normal(std = 0.01)
  }
  linear c: 16 -> 16 {
    weight = lowrank(rank = 4, init = uniform(0.3))   // both factors
    bias   = zeros                              // the default
  }
  linear head: 16 -> 4 {
    weight = dense(init = zeros)
    bias   = none
  }

  forward {
    return head(relu(c(relu(b(relu(a(x)))))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
