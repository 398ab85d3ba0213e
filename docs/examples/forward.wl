// docs/examples/forward.wl
// Forward expressions: a flattened 2-D input, residual sums, scalar products,
// and a layer applied twice (its weights are shared).
model Forward {
  input x: f32[4, 8]                    // 32 features per example, row-major
  label y: i32

  linear inp: 32 -> 16
  linear f1: 16 -> 16
  linear f2: 16 -> 16
  linear head: 16 -> 4

  forward {
    h = relu(inp(x))
    h = h + 0.5 * f2(relu(f1(h)))       // residual block
    h = h + f2(h) * 0.5                 // f2 again: the same parameters
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
