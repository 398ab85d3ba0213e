// A small relu MLP with class labels and plain SGD, the model of the wl package tests
// (numpy reference in model_mlp.py: forward, backward, loss, step).
model PyMLP {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 8 { weight = dense; bias = zeros }
  linear fc2: 8 -> 3 { weight = dense; bias = zeros }

  forward {
    return fc2(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
