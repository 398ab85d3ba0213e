// docs/examples/init_from.wl
// Weights read from a safetensors file (the path is relative to this .wl file):
// a frozen pretrained base with a LoRA adapter, and a head initialised from the file.
model InitFrom {
  input x: f32[16]
  label y: i32

  linear fc1: 16 -> 32 {
    weight = frozen(init = from("pretrained.safetensors", "fc1.weight"))
           + lora(rank = 4)
    bias   = from("pretrained.safetensors", "fc1.bias")
  }
  linear head: 32 -> 4 {
    weight = dense(init = from("pretrained.safetensors", "head.weight"))
  }

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
