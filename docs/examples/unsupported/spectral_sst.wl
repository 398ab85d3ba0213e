// docs/examples/unsupported/spectral_sst.wl
// NOT SUPPORTED YET: a constraint on an sst weight (its rounds re-decompose
// U diag(s) Vᵀ and train unnormalised columns, so no factor has a share yet).
model SpectralSST {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = sst(rank = 4, every = 10) with spectral_bound(1.0)
  }

  forward {
    return fc1(x)
  }

  loss = cross_entropy(forward, y)
}
