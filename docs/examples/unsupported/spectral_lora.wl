// docs/examples/unsupported/spectral_lora.wl
// NOT SUPPORTED YET: a constraint on a frozen base or an adapter term.
model SpectralLoRA {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 16 {
    weight = frozen(init = orthogonal) + lora(rank = 4) with spectral_bound(1.0)
  }

  forward {
    return fc1(x)
  }

  loss = cross_entropy(forward, y)
}
