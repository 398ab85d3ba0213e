// docs/examples/bone_bat.wl
// Bone (bat, block-affine): ΔW(i,j) = W₀(i,j) Bᵢ + Bᵢ on 8 × 8 blocks; B starts at zero.
model BoneBat {
  input x: f32[32]
  label y: i32

  linear fc1: 32 -> 16 {
    weight = frozen(init = normal(std = 0.1))
           + bone(block = 8, mode = bat)         // fc1.weight.bone_B [2, 8, 8]
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
