// wl-train needs 784 inputs and 10 classes: this classifier takes 100 inputs.
model WrongInput {
  input  x: f32[10, 10]
  label  y: i32
  linear fc: 100 -> 10 { weight = dense; bias = zeros }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1); schedule: constant }
}
