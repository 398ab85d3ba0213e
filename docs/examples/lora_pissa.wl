// docs/examples/lora_pissa.wl
// PiSSA: at creation the base is re-split into B A = its top-4 SVD part and a frozen
// residual, so W = W₀ still holds and training moves the principal directions.
model LoRAPiSSA {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 32 {
    weight = frozen(init = orthogonal) + lora(rank = 4, init = pissa)
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
