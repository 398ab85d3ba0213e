// docs/examples/sorsa.wl
// SORSA: W = W_res + B diag(S) A from the base's top-8 SVD; A, S and B train,
// with the orthonormal regulariser (gamma) added to A's and B's gradients.
model SORSA {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 32 {
    weight = frozen(init = orthogonal) + sorsa(rank = 8, gamma = 4e-4)
                         // fc1.weight.sorsa_A [8, 32], .sorsa_S [8], .sorsa_B [32, 8] trainable; .base frozen
  }
  linear head: 32 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
