// docs/examples/bone_shared.wl
// Bone / MiSS (shared): ΔW[:, jr:(j+1)r] = Bᵀ for every column block j; B starts at zero.
model BoneShared {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 16 {
    weight = frozen(init = normal(std = 0.1))
           + bone(block = 8, mode = shared)      // fc1.weight.bone_B [8, 16]
  }
  linear head: 16 -> 4

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
