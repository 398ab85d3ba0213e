// Certificates of a dense model: each layer's bound against an independent SVD
// (sound: >= sigma_max, and tight), and the model's bound against the composition
// of those sigmas through sigmoid (1/4), a residual (1 + L) and a scalar product.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/certificate.py %t.so | FileCheck %s
// CHECK: OK layer_bound_fc1
// CHECK: OK layer_bound_fc2
// CHECK: OK layer_bound_head
// CHECK: OK lipschitz_composition
// CHECK: OK lipschitz_after_training
// CHECK: OK bad_layer_name

model CertNet {
  input  x: f32[24]
  label  y: i32

  linear fc1: 24 -> 32
  linear fc2: 32 -> 32
  linear head: 32 -> 5 { bias = none }

  forward {
    h = sigmoid(fc1(x))
    h = h + fc2(gelu(h))
    return head(0.5 * h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.5) }
}
