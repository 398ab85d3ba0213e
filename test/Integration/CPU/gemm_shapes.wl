// The GEMM kernels' parallel paths against float64 products (Inputs/
// gemm_shapes.py): one bias-free 300 → 200 layer, so K = 300 and N = 200 are
// not multiples of the 16-wide transposing packs or of the 32-column panels.
// Batches of 1, 37 (serial: under 2^22 multiply-adds), 257 (all of A packed
// at once, B panels shared; 257 rows: a partial micro-tile), 801 (tall: each
// thread its own rows; dW's k = 801 is one 512-deep block and a 289-deep one
// whose 16-wide packs leave a tail of 1) under OMP_NUM_THREADS = 1, 2, 3: y =
// x Wᵀ, dx = dy W and dW = dyᵀ x within 2e-6 of the float64 products
// (relative to their largest entry), and every thread count bit-identical.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/gemm_shapes.py %t.so | FileCheck %s
// CHECK: OK gemm_shapes_float64
// CHECK: OK gemm_shapes_threads_bitwise

model GemmShapes {
  input  x: f32[300]
  target y: f32[200]

  linear fc: 300 -> 200 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
