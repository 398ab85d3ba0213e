// docs/examples/constraints_structures.wl
// Constraints enforced through the structure: exact, with no projection of W.
model ConstraintsStructures {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 16 {
    weight = svd(rank = 8) with spectral_bound(1.0)         // clamps |s| ≤ 1
  }
  linear fc2: 16 -> 16 {
    weight = diagonal with spectral_bound(2.0)              // clamps |d| ≤ 2
  }
  linear fc3: 16 -> 16 {
    weight = orthogonal(method = cayley) with orthonormal with spectral_bound(1.0)
  }
  linear head: 16 -> 4 {
    weight = orthogonal(method = polar) with spectral_bound(1.0)
  }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
