// docs/examples/unsupported/norm_bound_svd.wl
// NOT SUPPORTED YET: norm_bound, rank_at_most (and orthonormal on svd or diagonal)
// through a structure; only spectral_bound (and orthonormal on orthogonal) are.
model NormBoundSvd {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = svd(rank = 4) with norm_bound(1.0)
  }

  forward {
    return fc1(x)
  }

  loss = cross_entropy(forward, y)
}
