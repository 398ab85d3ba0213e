// docs/examples/sum_terms.wl
// A weight may be any sum of terms: here a trainable diagonal plus a rank-2 correction.
model SumTerms {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = diagonal + lowrank(rank = 2)   // fc1.weight.d [16], .U [16, 2], .V [16, 2]
  }
  linear head: 16 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
