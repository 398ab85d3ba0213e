// docs/examples/optim_sgd.wl
// SGD with Nesterov momentum and L2 weight decay (g += wd·W before the momentum).
model OptimSGD {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32
  linear head: 32 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.05, momentum = 0.9, nesterov = true, weight_decay = 1e-4)
  }
}
