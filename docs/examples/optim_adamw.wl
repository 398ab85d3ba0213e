// docs/examples/optim_adamw.wl
// AdamW (PyTorch's): decoupled weight decay W ← W(1 − lr·wd) before the Adam update.
model OptimAdamW {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32
  linear head: 32 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 3e-4, betas = (0.9, 0.95), eps = 1e-8, weight_decay = 0.1)
  }
}
