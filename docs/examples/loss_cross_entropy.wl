// docs/examples/loss_cross_entropy.wl
// Classification: one i32 class index per example, the mean cross-entropy of the logits.
model LossCrossEntropy {
  input x: f32[16]
  label y: i32                          // in [0, 4): the output width

  linear fc1: 16 -> 32
  linear head: 32 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
