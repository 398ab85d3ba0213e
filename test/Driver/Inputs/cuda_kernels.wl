// Models for the CUDA target's driver tests (emit-ptx.test, cuda-library.test).
model DenseAdamw {
  input  x: f32[64]
  label  y: i32
  linear fc1: 64 -> 128
  linear head: 128 -> 10
  forward {
    return head(relu(fc1(x)))
  }
  loss = cross_entropy(forward, y)
  optimize {
    default: adamw(lr = 1e-3, weight_decay = 0.01)
  }
}

model SoftCapMuon {
  input  x: f32[32]
  label  y: i32
  linear fc1: 32 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear head: 32 -> 4
  forward {
    return head(groupsort(fc1(x), 2))
  }
  loss = cross_entropy(forward, y)
  optimize {
    fc1.weight: muon(lr = 0.02)
    default: adamw(lr = 1e-3)
  }
}
