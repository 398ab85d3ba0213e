// adamp (clovaai/AdamP without nesterov: Adam direction, per-row then whole-tensor
// cosine test, radial part removed and weight decay scaled by wd_ratio when projected;
// vectors never projected) with defaults, explicit arguments and in groups beside muon,
// lion and sgd, under schedules: every step's update and optim.<param>.exp_avg/exp_avg_sq
// against one float64 step from the library's own state, plus the whole run against a
// free-running float64 replica (Inputs/optim_steps.py). The script fails if a cosine is
// within 5% of its threshold (float32 and float64 could then take different branches),
// and requires the branches below: AdampProbe's batches are built from the current weight
// so that each step takes a chosen branch (per-row, whole-tensor, none); AdampGroups'
// delta = 4 always projects per row, delta = 1e-3 never projects.
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model AdampDefault -o %t/AdampDefault.so
// RUN: %python %test_inputs/optim_steps.py %t/AdampDefault.so %t | FileCheck %s --check-prefix=ADAMPDEFAULT
// RUN: wlc %s --model AdampArgs -o %t/AdampArgs.so
// RUN: %python %test_inputs/optim_steps.py %t/AdampArgs.so %t | FileCheck %s --check-prefix=ADAMPARGS
// RUN: wlc %s --model AdampProbe -o %t/AdampProbe.so
// RUN: %python %test_inputs/optim_steps.py %t/AdampProbe.so %t | FileCheck %s --check-prefix=ADAMPPROBE
// RUN: wlc %s --model AdampGroups -o %t/AdampGroups.so
// RUN: %python %test_inputs/optim_steps.py %t/AdampGroups.so %t | FileCheck %s --check-prefix=ADAMPGROUPS
// ADAMPDEFAULT: OK train_step_loss
// ADAMPDEFAULT: OK AdampDefault_fc1.weight
// ADAMPDEFAULT: OK AdampDefault_fc1.bias
// ADAMPDEFAULT: OK AdampDefault_head.weight
// ADAMPDEFAULT: OK AdampDefault_head.bias
// ADAMPDEFAULT: OK AdampDefault_state
// ADAMPDEFAULT: OK AdampDefault_trajectory
// ADAMPDEFAULT: OK AdampDefault_step_count
// ADAMPARGS: OK train_step_loss
// ADAMPARGS: OK AdampArgs_fc1.weight
// ADAMPARGS: OK AdampArgs_fc1.bias
// ADAMPARGS: OK AdampArgs_head.weight
// ADAMPARGS: OK AdampArgs_head.bias
// ADAMPARGS: OK AdampArgs_state
// ADAMPARGS: OK AdampArgs_trajectory
// ADAMPARGS: OK AdampArgs_step_count
// ADAMPPROBE: OK train_step_loss
// ADAMPPROBE: OK AdampProbe_fc.weight
// ADAMPPROBE: OK AdampProbe_state
// ADAMPPROBE: OK AdampProbe_trajectory
// ADAMPPROBE: OK AdampProbe_step_count
// ADAMPPROBE: adamp branches: fc.weight=channel+none+whole
// ADAMPPROBE: OK AdampProbe_branches_fc.weight
// ADAMPGROUPS: OK train_step_loss
// ADAMPGROUPS: OK AdampGroups_fc1.weight
// ADAMPGROUPS: OK AdampGroups_fc1.bias
// ADAMPGROUPS: OK AdampGroups_fc2.weight
// ADAMPGROUPS: OK AdampGroups_fc2.bias
// ADAMPGROUPS: OK AdampGroups_head.weight
// ADAMPGROUPS: OK AdampGroups_head.bias
// ADAMPGROUPS: OK AdampGroups_state
// ADAMPGROUPS: OK AdampGroups_trajectory
// ADAMPGROUPS: OK AdampGroups_step_count
// ADAMPGROUPS: OK AdampGroups_branches_fc1.weight
// ADAMPGROUPS: OK AdampGroups_branches_head.weight

model AdampDefault {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 10 { weight = dense; bias = zeros }
  linear head: 10 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamp(lr = 0.01)
  }
}

model AdampArgs {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 10 { weight = dense; bias = zeros }
  linear head: 10 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  adamp(lr = 0.02, betas = (0.8, 0.99), eps = 1e-6, weight_decay = 0.2, delta = 0.5, wd_ratio = 0.3)
    schedule: warmup_linear(warmup = 3, total = 10)
  }
}

// One linear map under mse: the script designs each batch from the current weight.
model AdampProbe {
  input  x: f32[6]
  target y: f32[8]

  linear fc: 6 -> 8 { weight = dense; bias = none }

  forward {
    return fc(x)
  }

  loss = mse(forward, y)

  optimize {
    default:  adamp(lr = 0.05, weight_decay = 0.2, wd_ratio = 0.25)
    schedule: warmup_cosine(warmup = 2, total = 9)
  }
}

model AdampGroups {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 8 { weight = dense; bias = zeros }
  linear fc2: 8 -> 8 { weight = dense; bias = zeros }
  linear head: 8 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(gelu(fc2(tanh(fc1(x)))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight:  adamp(lr = 0.02, delta = 4.0, wd_ratio = 0.5, weight_decay = 0.3)
    fc2.weight:  muon(lr = 0.03)
    head.weight: adamp(lr = 0.01, delta = 1e-3, weight_decay = 0.3)
    head.bias:   lion(lr = 0.005)
    default:     sgd(lr = 0.1, momentum = 0.9, weight_decay = 0.01)
    schedule:    warmup_cosine(warmup = 2, total = 9)
  }
}
