// docs/examples/orthonormal.wl
// A dense weight kept orthonormal: WᵀW = I (32 -> 16 is wide: W Wᵀ = I).
model Orthonormal {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 16 {
    weight = dense with orthonormal
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
