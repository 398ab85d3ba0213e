// A smooth MLP for the PyTorch interop test (torch_interop.test): tanh, so finite
// differences see no kinks; plain SGD, so one step is w - lr * grad.
model TorchMLP {
  input  x: f32[6]
  label  y: i32
  linear fc1: 6 -> 8
  linear fc2: 8 -> 4
  forward {
    return fc2(tanh(fc1(x)))
  }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(lr = 0.1)
  }
}
