// docs/examples/lora.wl
// LoRA: a frozen base W₀ plus (alpha/rank)·B A; B starts at zero, so W = W₀ at creation.
model LoRA {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 32 {
    weight = frozen(init = normal(std = 0.1))     // fc1.weight.base [32, 32], not trainable
           + lora(rank = 4, alpha = 8)            // fc1.weight.lora_A [4, 32], .lora_B [32, 4]
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
