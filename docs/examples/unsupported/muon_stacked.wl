// docs/examples/unsupported/muon_stacked.wl
// DOES NOT COMPILE YET: muon on a stacked factor ([k, m, n]: kronecker's A and B,
// monarch's R and L, blockdiag's blocks). LANGUAGE.md treats each as k matrices.
model MuonStacked {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = blockdiag(blocks = 4)
  }

  forward {
    return fc1(x)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight: muon(lr = 0.02)
    default:    adamw(lr = 1e-3)
  }
}
