// f32 targets (mse) with SGD + momentum: label_kind "target", checked against torch.
model PyMse {
  input  x: f32[5]
  target y: f32[2]

  linear fc: 5 -> 4 { weight = dense; bias = zeros }
  linear out: 4 -> 2 { weight = dense; bias = none }

  forward {
    return out(tanh(fc(x)))
  }

  loss = mse(forward, y)

  optimize {
    default: sgd(lr = 0.05, momentum = 0.9)
  }
}
