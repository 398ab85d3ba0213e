// docs/examples/activations.wl
// Every activation; each has a Lipschitz constant that the certificate uses.
model Activations {
  input x: f32[16]
  label y: i32

  linear a: 16 -> 16
  linear b: 16 -> 16
  linear c: 16 -> 16
  linear d: 16 -> 16
  linear head: 16 -> 4

  forward {
    h = relu(a(x)) + gelu(b(x)) + gelu_tanh(c(x)) + tanh(d(x))
    h = sigmoid(h) + abs(h) + identity(h)
    h = groupsort(h, 4)                 // sort within groups of 4; groupsort(h) is k = 2
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
