// One layer applied twice: both uses' gradients accumulate into fc.weight/fc.bias
// (two wl.grad_accumulate in one generated function), checked against float64
// finite differences of an independent numpy forward.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/weight_sharing.py %t.so | FileCheck %s
// CHECK: OK shared_grad_fc.weight
// CHECK: OK shared_grad_fc.bias

model Share {
  input  x: f32[6]
  target y: f32[6]
  linear fc: 6 -> 6
  forward {
    h = tanh(fc(x))
    return fc(h)
  }
  loss = mse(forward, y)
  optimize { default: sgd(lr = 0.1) }
}
