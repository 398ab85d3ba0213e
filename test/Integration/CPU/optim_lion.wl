// lion (ALGORITHMS.md: sign of the beta1 interpolation, decoupled weight decay, moment
// updated with beta2 after the step; sign(0) = 0) with defaults, explicit arguments and
// per-group settings beside muon and adamw, under schedules: every step's update and
// optim.<param>.exp_avg against one float64 step from the library's own state, plus the
// whole run against a free-running float64 replica (Inputs/optim_steps.py). LionDefault and
// LionArgs kill two relu units (fc1 bias -50): their fc1 rows, fc1 bias entries and head
// columns get exact-zero gradients, so only sign(0) = 0 leaves them in place.
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model LionDefault -o %t/LionDefault.so
// RUN: %python %test_inputs/optim_steps.py %t/LionDefault.so %t | FileCheck %s --check-prefix=LIONDEFAULT
// RUN: wlc %s --model LionArgs -o %t/LionArgs.so
// RUN: %python %test_inputs/optim_steps.py %t/LionArgs.so %t | FileCheck %s --check-prefix=LIONARGS
// RUN: wlc %s --model LionGroups -o %t/LionGroups.so
// RUN: %python %test_inputs/optim_steps.py %t/LionGroups.so %t | FileCheck %s --check-prefix=LIONGROUPS
// LIONDEFAULT: OK train_step_loss
// LIONDEFAULT: OK LionDefault_fc1.weight
// LIONDEFAULT: OK LionDefault_fc1.bias
// LIONDEFAULT: OK LionDefault_head.weight
// LIONDEFAULT: OK LionDefault_head.bias
// LIONDEFAULT: OK LionDefault_state
// LIONDEFAULT: OK LionDefault_trajectory
// LIONDEFAULT: OK LionDefault_step_count
// LIONARGS: OK train_step_loss
// LIONARGS: OK LionArgs_fc1.weight
// LIONARGS: OK LionArgs_fc1.bias
// LIONARGS: OK LionArgs_head.weight
// LIONARGS: OK LionArgs_head.bias
// LIONARGS: OK LionArgs_state
// LIONARGS: OK LionArgs_trajectory
// LIONARGS: OK LionArgs_step_count
// LIONGROUPS: OK train_step_loss
// LIONGROUPS: OK LionGroups_fc1.weight
// LIONGROUPS: OK LionGroups_fc1.bias
// LIONGROUPS: OK LionGroups_head.weight
// LIONGROUPS: OK LionGroups_head.bias
// LIONGROUPS: OK LionGroups_state
// LIONGROUPS: OK LionGroups_trajectory
// LIONGROUPS: OK LionGroups_step_count

model LionDefault {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 10 { weight = dense; bias = zeros }
  linear head: 10 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: lion(lr = 0.01)
  }
}

model LionArgs {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 10 { weight = dense; bias = zeros }
  linear head: 10 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  lion(lr = 0.02, betas = (0.8, 0.95), weight_decay = 0.3)
    schedule: warmup_linear(warmup = 3, total = 10)
  }
}

model LionGroups {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 10 { weight = dense; bias = zeros }
  linear head: 10 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(gelu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight: muon(lr = 0.02, momentum = 0.9)
    fc1.bias:   lion(lr = 0.01, betas = (0.95, 0.98), weight_decay = 0.1)
    head.bias:  lion(lr = 0.005)
    default:    adamw(lr = 0.01)
    schedule:   warmup_cosine(warmup = 2, total = 8)
  }
}
