// A small model shared by the driver tests.
model Tiny {
  input  x: f32[2, 4]
  label  y: i32
  linear fc1: 8 -> 16
  linear head: 16 -> 3 { bias = none }
  forward {
    h = relu(fc1(x))
    return head(h)
  }
  loss = cross_entropy(forward, y)
  optimize {
    head: sgd(lr = 0.1, momentum = 0.9)
    default: adamw(lr = 1e-3)
    schedule: warmup_cosine(warmup = 2, total = 20)
  }
}
