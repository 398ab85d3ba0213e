// docs/examples/norm_bound.wl
// Norm bounds, one per norm: the Frobenius norm, every row's and every column's l2 norm.
model NormBound {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = dense with norm_bound(4.0)                  // ‖W‖_F ≤ 4 (norm = frobenius)
  }
  linear fc2: 32 -> 32 {
    weight = dense with norm_bound(1.0, norm = row)      // every ‖W[i, :]‖₂ ≤ 1
  }
  linear head: 32 -> 4 {
    weight = dense with norm_bound(1.0, norm = column)   // every ‖W[:, j]‖₂ ≤ 1
  }

  forward {
    h = relu(fc1(x))
    h = relu(fc2(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
