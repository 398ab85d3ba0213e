// Numerical faults are contained (issue 9, item 3): a step that would leave a NaN or
// an infinity (lr = 1e30, or non-finite gradients) returns WL_ERR_NONFINITE and leaves
// parameters, optimizer state and step count exactly as before (checkpoints compared
// byte for byte); non-finite inputs to forward, backward, loss and train_step are
// reported with the first bad element and change nothing; training goes on afterwards.
// WL_STEP_GUARD=0 turns the step guard (a copy of parameters and state per step) off.
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Huge -o %t/Huge.so
// RUN: wlc %s --model Sane -o %t/Sane.so
// RUN: wlc %s --model Wide -o %t/Wide.so
// RUN: %python %test_inputs/nonfinite.py %t/Huge.so %t/Sane.so %t %t/Wide.so | FileCheck %s
// CHECK: OK huge_sgd_step_nonfinite
// CHECK-SAME: the step made '{{.+}}' non-finite
// CHECK: OK huge_step_unchanged
// CHECK: OK huge_train_step_nonfinite
// CHECK: OK huge_train_step_unchanged
// CHECK: OK huge_loss_is_nan
// CHECK: OK forward_nan_input
// CHECK-SAME: wl_forward: x[1, 2] is NaN
// CHECK: OK forward_inf_input
// CHECK-SAME: wl_forward: x[0, 5] is infinite
// CHECK: OK forward_output_untouched
// CHECK: OK backward_nan_dy
// CHECK: OK loss_inf_input
// CHECK: OK train_step_nan_input
// CHECK: OK train_step_nan_input_unchanged
// CHECK: OK nan_param_step_rejected
// CHECK: OK nan_param_step_unchanged
// CHECK: OK training_continues
// CHECK: OK guard_off_steps_unchecked
// Wide: ~200k floats of parameters and state, so the guard's copy and check run on
// libomp's team (runtime/src/Parallel.cpp); the first bad tensor is still named.
// CHECK: OK wide_poisoned_step_rejected
// CHECK-SAME: the step made 'fc1.weight' non-finite
// CHECK: OK wide_poisoned_step_unchanged
// CHECK: OK wide_training_continues
// CHECK: {{^}}0 failed

// Every group's lr is absurd: the first step overflows to infinity.
model Huge {
  input  x: f32[8]
  label  y: i32
  linear fc1: 8 -> 16
  linear fc2: 16 -> 16 { weight = dense with spectral_bound(1.0, method = hard_cap) }
  linear head: 16 -> 3
  forward {
    return head(relu(fc2(relu(fc1(x)))))
  }
  loss = cross_entropy(forward, y)
  optimize {
    fc1.weight: sgd(lr = 1e30, momentum = 0.9)
    fc2.weight: muon(lr = 1e30)
    default:    adamw(lr = 1e30)
  }
}

model Sane {
  input  x: f32[8]
  label  y: i32
  linear fc1: 8 -> 16
  linear head: 16 -> 3
  forward {
    return head(tanh(fc1(x)))
  }
  loss = cross_entropy(forward, y)
  optimize {
    default: adamw(lr = 1e-2)
  }
}

// Large enough for the parallel guard: fc1's weight and its two AdamW states are
// 3 x 65536 floats, more than one thread's chunk each.
model Wide {
  input  x: f32[256]
  label  y: i32
  linear fc1: 256 -> 256
  linear head: 256 -> 3
  forward {
    return head(tanh(fc1(x)))
  }
  loss = cross_entropy(forward, y)
  optimize {
    default: adamw(lr = 1e-2)
  }
}
