// Training decreases the loss: Gaussian blobs, 200 adamw steps (Inputs/blobs.py).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/blobs.py %t.so | FileCheck %s
// CHECK: loss first {{[0-9.]+}} last20 {{[0-9.]+}} test accuracy {{[0-9.]+}}
// CHECK: OK loss_halved
// CHECK: OK accuracy_above_90

model Blobs {
  input  x: f32[8]
  label  y: i32

  linear fc1: 8 -> 32 { weight = dense; bias = zeros }
  linear head: 32 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.01)
  }
}
