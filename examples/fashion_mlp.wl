// A plain MLP for Fashion-MNIST: reaches >= 80% test accuracy within one epoch.
//   wlc examples/fashion_mlp.wl -o libfashion_mlp.so
//   build/bin/train_fashion ./libfashion_mlp.so --epochs 1
model FashionMLP {
  input  x: f32[28, 28]       // flattened to 784, pixels in [0, 1]
  label  y: i32               // class index in [0, 10)

  linear fc1: 784 -> 256 {
    weight = dense
    bias   = zeros
  }
  linear head: 256 -> 10 {
    weight = dense
    bias   = zeros
  }

  forward {
    h = relu(fc1(x))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  adamw(lr = 2e-3, weight_decay = 0.01)
    schedule: warmup_cosine(warmup = 100, total = 469)
  }
}
