// wl-train needs a classifier: this model has the right sizes but f32 targets.
model Regressor {
  input  x: f32[28, 28]
  target t: f32[10]
  linear fc: 784 -> 10 { weight = dense; bias = zeros }
  forward { return fc(x) }
  loss = mse(forward, t)
  optimize { default: sgd(lr = 0.1); schedule: constant }
}
