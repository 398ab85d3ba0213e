// docs/examples/spectral_strict.wl
// strict = true makes any method exact: a sound Gram-iteration bound of σ_max is
// computed after the method and W is rescaled when it exceeds c.
model SpectralStrict {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = dense with spectral_bound(1.0, method = hammer, strict = true)
  }
  linear head: 32 -> 4 {
    weight = dense with spectral_bound(1.0, strict = true)     // normalize + strict
  }

  forward {
    return head(groupsort(fc1(x), 2))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
