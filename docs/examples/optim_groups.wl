// docs/examples/optim_groups.wl
// Parameter groups: a layer, a weight (all its factors), one factor, a bias;
// `default:` takes every trainable tensor that no group names.
model OptimGroups {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = lowrank(rank = 4)
  }
  linear fc2: 32 -> 32 {
    weight = svd(rank = 8)
  }
  linear head: 32 -> 4

  forward {
    h = relu(fc1(x))
    h = relu(fc2(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight:               muon(lr = 0.02)         // fc1.weight.U and fc1.weight.V
    fc2.weight.U, fc2.weight.V: muon(lr = 0.01)
    fc2.weight.s, fc2.bias:   sgd(lr = 0.01)
    head:                     adamw(lr = 3e-4)        // head.weight and head.bias
    default:                  adamw(lr = 1e-3)        // what is left: fc1.bias
  }
}
