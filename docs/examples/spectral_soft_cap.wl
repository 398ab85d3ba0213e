// docs/examples/spectral_soft_cap.wl
// soft_cap is coupled to the layer's optimizer: with Muon its update has a bounded
// spectral norm, so the cap is exact (wlc checks this at compile time).
model SpectralSoftCap {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = dense with spectral_bound(1.0, method = soft_cap)
  }
  linear head: 32 -> 4 {
    weight = dense with spectral_bound(1.0, method = soft_cap)
  }

  forward {
    return head(groupsort(fc1(x), 2))
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, head.weight: muon(lr = 0.02)
    default:                 adamw(lr = 1e-3)
  }
}
