// docs/examples/spectral_svd_clip.wl
// σ_max(W) ≤ 1 on every layer, kept by method = svd_clip after every step.
model SpectralSvdClip {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = dense with spectral_bound(1.0, method = svd_clip)
  }
  linear head: 32 -> 4 {
    weight = dense with spectral_bound(1.0, method = svd_clip)
  }

  forward {
    return head(groupsort(fc1(x), 2))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
