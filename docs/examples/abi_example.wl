// docs/examples/abi_example.wl
// The model that docs/examples/abi_example.c trains through the C ABI.
model AbiExample {
  input x: f32[8]
  label y: i32

  linear fc1: 8 -> 16 {
    weight = dense with spectral_bound(1.0, method = svd_clip)
  }
  linear head: 16 -> 3

  forward {
    return head(groupsort(fc1(x), 2))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.01)
  }
}
