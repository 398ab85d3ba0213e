// docs/examples/dense.wl
// Dense weights: W itself is the trainable tensor (the default structure).
model Dense {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32                  // weight = dense, bias = zeros
  linear head: 32 -> 4 {
    weight = dense(init = normal(std = 0.05))
    bias   = none
  }

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
