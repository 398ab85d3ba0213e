// The GEMM kernels' parallel paths against float64 products (Inputs/
// gemm_shapes.py): one bias-free 300 → 1100 layer, so K = 300 and N = 1100 are
// not multiples of the 16-wide transposing packs, of the 32-column panels or
// of the 1024-column blocks. Batches of 1 (serial: under 2^21 multiply-adds),
// 37, 257 (each thread its columns of C, all of A packed; 257
// rows: a partial micro-tile), 801 (tall: y = x Wᵀ by columns with A in
// blocks under 1 and 2 threads (≥ 16 panels each), by rows under 3; dW's
// k = 801 is one 512-deep block and a 289-deep one whose 16-wide packs leave a
// tail of 1) under OMP_NUM_THREADS = 1, 2, 3: y = x Wᵀ, dx = dy W and
// dW = dyᵀ x within 2e-6 of the float64 products (relative to their largest
// entry), and every thread count bit-identical. y and dx are written into
// NaN-filled arrays: a product that overwrites its zero-filled output must
// write every element.
// GemmNarrow (1024 → 24): y = x Wᵀ has one 32-column B panel, fewer than the
// threads, so at 257 and 801 rows (past 2^21 multiply-adds) the threads share
// its rows; at 37 rows it runs on one thread.
// RUN: wlc %s --model=GemmShapes -o %t.so
// RUN: %python %test_inputs/gemm_shapes.py %t.so | FileCheck %s
// RUN: wlc %s --model=GemmNarrow -o %t.narrow.so
// RUN: %python %test_inputs/gemm_shapes.py %t.narrow.so | FileCheck %s
// CHECK: OK gemm_shapes_float64
// CHECK: OK gemm_shapes_threads_bitwise

model GemmShapes {
  input  x: f32[300]
  target y: f32[1100]

  linear fc: 300 -> 1100 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}

model GemmNarrow {
  input  x: f32[1024]
  target y: f32[24]

  linear fc: 1024 -> 24 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
