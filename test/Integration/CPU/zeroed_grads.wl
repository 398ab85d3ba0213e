// wl_train_step starts from zero gradients, and wl_zero_grad zeroes them all
// (Inputs/zeroed_grads.py): a model whose gradients two wl_backward calls
// polluted takes the same step, bit for bit, as a fresh one. fc1's gradient
// (512 × 256 floats) is zeroed in chunks on libomp's team (runtime/src/Parallel.h),
// the others on the calling thread.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/zeroed_grads.py %t.so | FileCheck %s
// CHECK: OK train_step_starts_from_zero_grads
// CHECK: OK zero_grad_zeroes_every_gradient

model Zeroed {
  input  x: f32[256]
  label  y: i32
  linear fc1: 256 -> 512
  linear head: 512 -> 10
  forward {
    return head(relu(fc1(x)))
  }
  loss = cross_entropy(forward, y)
  optimize {
    default: adamw(lr = 1e-3)
  }
}
