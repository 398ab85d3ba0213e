// docs/examples/optim_lion.wl
// Lion: the sign of an interpolated momentum; use a smaller lr than AdamW.
model OptimLion {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32
  linear head: 32 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: lion(lr = 1e-4, betas = (0.9, 0.99), weight_decay = 0.1)
  }
}
