// docs/examples/orthogonal_householder.wl
// Q = H₁⋯H₈, a product of 8 Householder reflections of R³²; W = the first 16 rows of Q.
model OrthogonalHouseholder {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 16 {
    weight = orthogonal(method = householder, reflectors = 8)   // fc1.weight.v [8, 32]
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
