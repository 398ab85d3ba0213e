// docs/examples/spectral_hammer.wl
// σ_max(W) ≤ 1 on every layer, kept by method = hammer after every step.
model SpectralHammer {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = dense with spectral_bound(1.0, method = hammer)
  }
  linear head: 32 -> 4 {
    weight = dense with spectral_bound(1.0, method = hammer)
  }

  forward {
    return head(groupsort(fc1(x), 2))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
