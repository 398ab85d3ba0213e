// wl_step runs the generated step's pieces (one per trainable tensor) side by side
// when none is big enough to keep every thread busy alone (runtime/src/Parallel.h's
// planPieces): here six 64 × 64 Muon + soft_cap updates and the AdamW ones, one thread
// each, their own parallel loops on that thread. Inputs/threads.py --lanes: four
// training steps and a forward give the same digest under OMP_NUM_THREADS = 1, 2, 3 as
// the whole wlgen_step (WL_STEP_LANES=0); the compiler marks the pieces independent.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/threads.py --lanes %t.so | FileCheck %s
// CHECK: OK lanes_threads_1_bitwise
// CHECK: OK lanes_threads_2_bitwise
// CHECK: OK lanes_threads_3_bitwise
// RUN: wlc %s --emit=so -o %t.lib.so && strings %t.lib.so | FileCheck %s --check-prefix=META
// META: "step_tensors_independent":true

model StepLanes {
  input  x: f32[64]
  label  y: i32

  linear l1: 64 -> 64 { weight = dense with spectral_bound(1.0, method = soft_cap); bias = zeros }
  linear l2: 64 -> 64 { weight = dense with spectral_bound(1.0, method = soft_cap); bias = zeros }
  linear l3: 64 -> 64 { weight = dense with spectral_bound(1.0, method = soft_cap); bias = zeros }
  linear l4: 64 -> 64 { weight = dense with spectral_bound(1.0, method = soft_cap); bias = zeros }
  linear l5: 64 -> 64 { weight = dense with spectral_bound(1.0, method = soft_cap); bias = zeros }
  linear l6: 64 -> 64 { weight = dense with spectral_bound(1.0, method = soft_cap); bias = zeros }
  linear head: 64 -> 10 { weight = dense; bias = zeros }

  forward {
    h = relu(l1(x))
    h = relu(l2(h))
    h = relu(l3(h))
    h = relu(l4(h))
    h = relu(l5(h))
    h = relu(l6(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
    l1.weight, l2.weight, l3.weight, l4.weight, l5.weight, l6.weight: muon(lr = 0.02)
  }
}
