// docs/examples/constraints_factors.wl
// Constraints through factored structures and adapter terms: each factor
// carries its share of the bound, W (or ΔW) is never formed.
model ConstraintsFactors {
  input x: f32[64]
  label y: i32

  linear fc1: 64 -> 64 {
    weight = kronecker(a = [8, 8], b = [8, 8]) with spectral_bound(1.0)  // A, B ≤ 1
  }
  linear fc2: 64 -> 64 {
    weight = blockdiag(blocks = 4) with orthonormal      // every 16×16 block orthogonal
  }
  linear fc3: 64 -> 64 {
    weight = monarch(blocks = 8) with spectral_bound(1.0, method = svd_clip)
  }
  linear fc4: 64 -> 64 {
    weight = frozen(init = orthogonal) + lora(rank = 4, alpha = 4) with spectral_bound(0.25)
                                         // ‖ΔW‖₂ = ‖B A‖₂ ≤ 0.25: the layer moves at most that far
  }
  linear head: 64 -> 10 {
    weight = lowrank(rank = 8) with spectral_bound(2.0, method = soft_cap)
  }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    h = groupsort(fc4(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    head.weight: muon(lr = 0.02)
    default: adamw(lr = 1e-3)
  }
}
