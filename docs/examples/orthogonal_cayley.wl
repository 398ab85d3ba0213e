// docs/examples/orthogonal_cayley.wl
// An orthogonal weight Q = (I − X/2)⁻¹(I + X/2), X = S − Sᵀ: orthogonal by construction.
model OrthogonalCayley {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = orthogonal(method = cayley)   // fc1.weight.S [16, 16]
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
