// gelu's erf is MLIR's rational approximation on CPU (wl-approximate-erf), not
// libm's erff: forward and input gradient over [-9, 9] against float64 erf,
// within 5e-7 of max(1, |x|) (the approximation's ~2.5e-7 on erf, halved,
// times x, plus float32 rounding).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/gelu_accuracy.py %t.so | FileCheck %s
// CHECK: OK gelu_forward
// CHECK: OK gelu_input_gradient
// CHECK: OK gelu_odd_symmetry

model GeluAccuracy {
  input  x: f32[64]
  target t: f32[64]

  forward {
    return gelu(x)
  }

  loss = mse(forward, t)

  optimize {
    default: sgd(lr = 0.1)
  }
}
