// Frozen bases and a bias read with from(...) from base.safetensors (written by
// frozen.py beside a copy of this file: the path is relative to the .wl file),
// plus LoRA adapters.
model PyFrozen {
  input  x: f32[6]
  label  y: i32

  linear a: 6 -> 8 {
    weight = frozen(init = from("base.safetensors", "a.base")) + lora(rank = 2)
    bias = from("base.safetensors", "a.bias")
  }
  linear b: 8 -> 3 { weight = frozen(init = from("base.safetensors", "b.base")) + lora(rank = 2) }

  forward {
    return b(relu(a(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
