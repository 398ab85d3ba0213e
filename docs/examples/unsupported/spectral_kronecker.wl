// docs/examples/unsupported/spectral_kronecker.wl
// NOT SUPPORTED YET: a constraint on a factored structure (lowrank, kronecker,
// monarch, blockdiag). wlc stops with an error at the constraint.
model SpectralKronecker {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4]) with spectral_bound(1.0)
  }

  forward {
    return fc1(x)
  }

  loss = cross_entropy(forward, y)
}
