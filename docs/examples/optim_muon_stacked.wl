// docs/examples/optim_muon_stacked.wl
// Muon on stacked factors ([k, m, n]: kronecker's A and B, monarch's R and L,
// blockdiag's blocks): each of the k matrices is orthogonalised and scaled on its own.
model OptimMuonStacked {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = blockdiag(blocks = 4)      // fc1.weight.blocks [4, 4, 4]: four 4x4 matrices
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
