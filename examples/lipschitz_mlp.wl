// A 1-Lipschitz classifier for Fashion-MNIST: every layer has spectral norm <= 1
// and groupsort is 1-Lipschitz, so the logits are a 1-Lipschitz function of the
// image; train_fashion reports the certified bound and the certified robust
// accuracy at l2 radii 0.1 and 0.25.
//   wlc examples/lipschitz_mlp.wl -o liblipschitz.so
//   build/bin/train_fashion ./liblipschitz.so --epochs 1
model LipschitzMLP {
  input  x: f32[28, 28]
  label  y: i32

  linear fc1: 784 -> 256 {
    weight = dense with spectral_bound(1.0, method = soft_cap)
  }
  linear fc2: 256 -> 256 {
    weight = dense with spectral_bound(1.0, method = soft_cap)
  }
  linear head: 256 -> 10 {
    weight = dense with spectral_bound(1.0, method = svd_clip)
    bias   = none
  }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc2.weight: muon(lr = 0.02, momentum = 0.95)
    default:                adamw(lr = 1e-3, weight_decay = 0.0)
    schedule:               warmup_cosine(warmup = 50, total = 469)
  }
}
