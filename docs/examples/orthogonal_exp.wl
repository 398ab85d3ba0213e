// docs/examples/orthogonal_exp.wl
// An orthogonal weight Q = exp(X), X = S − Sᵀ: orthogonal by construction.
model OrthogonalExp {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = orthogonal(method = exp)      // fc1.weight.S [16, 16]
  }
  linear head: 16 -> 4

  forward {
    return head(groupsort(fc1(x), 2))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
