// docs/examples/unsupported/spectral_loldu.wl
// NOT SUPPORTED YET: a constraint on a loldu adapter term (its frozen factors
// (PL)_r and U_r are not orthonormal, so z has no exact share of the bound yet).
model SpectralLoLDU {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = frozen(init = orthogonal) + loldu(rank = 4) with spectral_bound(1.0)
  }

  forward {
    return fc1(x)
  }

  loss = cross_entropy(forward, y)
}
