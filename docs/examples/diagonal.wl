// docs/examples/diagonal.wl
// W = diag(d): a per-feature scale (IN = OUT).
model Diagonal {
  input x: f32[16]
  label y: i32

  linear scale: 16 -> 16 {
    weight = diagonal                   // scale.weight.d [16], initialised to ones
    bias   = none
  }
  linear head: 16 -> 4

  forward {
    return head(scale(x))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
