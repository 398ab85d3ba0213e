// docs/examples/optim_adamp.wl
// AdamP: AdamW whose update loses its radial part where the weight and the gradient
// are nearly orthogonal (scale-invariant weights), with weight decay scaled by wd_ratio there.
model OptimAdamP {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32
  linear head: 32 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamp(lr = 1e-3, weight_decay = 0.01, delta = 0.1, wd_ratio = 0.1)
  }
}
