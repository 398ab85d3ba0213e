// docs/examples/optim_muon.wl
// Muon on matrices (Newton–Schulz-orthogonalised momentum): a dense weight and the two
// factors of a low-rank one. Vectors (the biases) need another optimizer.
model OptimMuon {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32
  linear fc2: 32 -> 32 {
    weight = lowrank(rank = 8)          // fc2.weight.U [32, 8], fc2.weight.V [32, 8]
  }
  linear head: 32 -> 4

  forward {
    h = relu(fc1(x))
    h = relu(fc2(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc2.weight: muon(lr = 0.02, momentum = 0.95, nesterov = true, ns_steps = 5)
    default:                adamw(lr = 1e-3)
  }
}
