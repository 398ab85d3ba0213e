// Results do not depend on the thread count (Inputs/threads.py): four training
// steps (AdamW on dense layers and a block-diagonal one, Muon + soft_cap on a
// 256 × 256 weight) and a forward pass under OMP_NUM_THREADS = 1, 2, 3 give
// bit-identical losses, parameters and outputs. The products are large enough
// (batch 800 × 256 × 256 multiply-adds, Muon's 256³) to take the kernels'
// parallel branches: the batch-row products (800 rows ≥ 4 A blocks) share
// blocks of ceil(800 / threads) rows, the weight gradients (256 rows) the B
// panels. The batch's elementwise ops and row reductions (gelu, rms_norm and
// their gradients) are 7 row tiles of wl-parallel-rows (6 of 128 rows, 32).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/threads.py %t.so | FileCheck %s
// CHECK: OK threads_1_vs_2_bitwise
// CHECK: OK threads_1_vs_3_bitwise
// Nor on how the machine code was compiled: in one piece or split into 3
// partitions, each optimised and compiled on its own thread (wlc
// --codegen-threads, llvm::SplitModule before LLVM's optimiser), the same run
// gives the same digest.
// RUN: wlc %s --codegen-threads=1 -o %t.whole.so
// RUN: wlc %s --codegen-threads=3 -o %t.split.so
// RUN: %python %test_inputs/threads.py --same %t.whole.so %t.split.so | FileCheck %s --check-prefix=SPLIT
// SPLIT: OK codegen_partitions_bitwise
// libomp's block time on the calling thread (Inputs/omp_blocktime.py): 1 ms by default,
// WL_OMP_BLOCKTIME's value, KMP_BLOCKTIME's when the user set that; a bad value is an error.
// RUN: %python %test_inputs/omp_blocktime.py %t.so | FileCheck %s --check-prefix=BT-DEFAULT
// RUN: env WL_OMP_BLOCKTIME=0 %python %test_inputs/omp_blocktime.py %t.so | FileCheck %s --check-prefix=BT-ZERO
// RUN: env WL_OMP_BLOCKTIME=200 %python %test_inputs/omp_blocktime.py %t.so | FileCheck %s --check-prefix=BT-200
// RUN: env KMP_BLOCKTIME=7 WL_OMP_BLOCKTIME=5 %python %test_inputs/omp_blocktime.py %t.so | FileCheck %s --check-prefix=BT-KMP
// RUN: env WL_OMP_BLOCKTIME=soon %python %test_inputs/omp_blocktime.py %t.so | FileCheck %s --check-prefix=BT-BAD
// BT-DEFAULT: blocktime 1{{$}}
// BT-ZERO: blocktime 0{{$}}
// BT-200: blocktime 200{{$}}
// BT-KMP: blocktime 123{{$}}
// BT-BAD: create failed: wl_create failed: WL_OMP_BLOCKTIME must be a whole number of milliseconds in [0, 1000000], got 'soon'

model Threads {
  input  x: f32[256]
  label  y: i32

  linear fc1: 256 -> 256 { weight = dense; bias = zeros }
  linear fc2: 256 -> 256 { weight = dense with spectral_bound(1.0, method = soft_cap); bias = zeros }
  linear fc3: 256 -> 256 { weight = blockdiag(blocks = 4); bias = zeros }
  linear head: 256 -> 10 { weight = dense; bias = zeros }

  forward {
    h = gelu(fc1(x))
    h = relu(fc2(rms_norm(h)))
    h = relu(fc3(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:    adamw(lr = 1e-3)
    fc2.weight: muon(lr = 0.02, momentum = 0.95, nesterov = true, ns_steps = 5)
  }
}
