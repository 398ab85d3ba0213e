// Muon's Newton-Schulz quintic (ALGORITHMS.md; Keller Jordan's a, b, c = 3.4445, -4.7750,
// 2.0315) seen through one step of muon(lr = 1) on a tall [14, 6], a wide [6, 14] and a
// square [10, 10] layer: dW = -sqrt(max(1, OUT/IN)) NS5(g) entry by entry against a float64
// NS5 of the library's gradient, for a designed gradient with known singular values (NS5
// maps them through the scalar quintic; the result lies in [0.3, 1.3]) and for a random
// batch through wl_train_step (Inputs/muon_ns5.py).
// RUN: wlc %s --model Ns5Tall -o %t.Ns5Tall.so
// RUN: %python %test_inputs/muon_ns5.py %t.Ns5Tall.so | FileCheck %s --check-prefix=NS5TALL
// RUN: wlc %s --model Ns5Wide -o %t.Ns5Wide.so
// RUN: %python %test_inputs/muon_ns5.py %t.Ns5Wide.so | FileCheck %s --check-prefix=NS5WIDE
// RUN: wlc %s --model Ns5Square -o %t.Ns5Square.so
// RUN: %python %test_inputs/muon_ns5.py %t.Ns5Square.so | FileCheck %s --check-prefix=NS5SQUARE
// NS5TALL: OK reference_ns5_is_scalar_map
// NS5TALL: OK designed_grad
// NS5TALL: OK designed_update
// NS5TALL: OK designed_singular_values
// NS5TALL: OK designed_band
// NS5TALL: OK random_grad
// NS5TALL: OK random_update
// NS5TALL: OK random_band
// NS5TALL: OK huge_grad_update
// NS5WIDE: OK reference_ns5_is_scalar_map
// NS5WIDE: OK designed_grad
// NS5WIDE: OK designed_update
// NS5WIDE: OK designed_singular_values
// NS5WIDE: OK designed_band
// NS5WIDE: OK random_grad
// NS5WIDE: OK random_update
// NS5WIDE: OK random_band
// NS5WIDE: OK huge_grad_update
// NS5SQUARE: OK reference_ns5_is_scalar_map
// NS5SQUARE: OK designed_grad
// NS5SQUARE: OK designed_update
// NS5SQUARE: OK designed_singular_values
// NS5SQUARE: OK designed_band
// NS5SQUARE: OK random_grad
// NS5SQUARE: OK random_update
// NS5SQUARE: OK random_band
// NS5SQUARE: OK huge_grad_update

model Ns5Tall {
  input  x: f32[6]
  target y: f32[14]

  linear fc: 6 -> 14 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default:  muon(lr = 1.0, momentum = 0.9, weight_decay = 0.0)
    schedule: constant
  }
}

model Ns5Wide {
  input  x: f32[14]
  target y: f32[6]

  linear fc: 14 -> 6 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default:  muon(lr = 1.0, momentum = 0.9, weight_decay = 0.0)
    schedule: constant
  }
}

model Ns5Square {
  input  x: f32[10]
  target y: f32[10]

  linear fc: 10 -> 10 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default:  muon(lr = 1.0, momentum = 0.9, weight_decay = 0.0)
    schedule: constant
  }
}
