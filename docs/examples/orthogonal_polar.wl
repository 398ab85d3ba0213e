// docs/examples/orthogonal_polar.wl
// W itself, projected back onto WᵀW = I (polar Newton–Schulz) after every update.
model OrthogonalPolar {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = orthogonal(method = polar) // fc1.weight [32, 16]
  }
  linear head: 32 -> 4

  forward {
    return head(groupsort(fc1(x), 2))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
