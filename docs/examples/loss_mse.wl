// docs/examples/loss_mse.wl
// Regression: f32 targets of the output's width, the mean squared error over all elements.
model LossMSE {
  input x: f32[16]
  target t: f32[8]

  linear fc1: 16 -> 32
  linear head: 32 -> 8

  forward {
    return head(tanh(fc1(x)))
  }

  loss = mse(forward, t)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
