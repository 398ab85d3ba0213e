// muon (ALGORITHMS.md: momentum, Nesterov, Newton-Schulz, sqrt(max(1, OUT/IN)) scale,
// decoupled weight decay) on tall [10, 6], wide [5, 10] and square [8, 8] hidden matrices,
// with defaults and explicit arguments, mixed in groups with adamw, adamp, lion and under
// schedules: every step's update and optimizer state (optim.<param>.momentum_buffer) against
// one float64 step from the library's own state, plus the whole run against a free-running
// float64 replica (Inputs/optim_steps.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model MuonDefault -o %t/MuonDefault.so
// RUN: %python %test_inputs/optim_steps.py %t/MuonDefault.so %t | FileCheck %s --check-prefix=MUONDEFAULT
// RUN: wlc %s --model MuonArgs -o %t/MuonArgs.so
// RUN: %python %test_inputs/optim_steps.py %t/MuonArgs.so %t | FileCheck %s --check-prefix=MUONARGS
// RUN: wlc %s --model MuonMixed -o %t/MuonMixed.so
// RUN: %python %test_inputs/optim_steps.py %t/MuonMixed.so %t | FileCheck %s --check-prefix=MUONMIXED
// MUONDEFAULT: OK train_step_loss
// MUONDEFAULT: OK MuonDefault_fc1.weight
// MUONDEFAULT: OK MuonDefault_fc1.bias
// MUONDEFAULT: OK MuonDefault_fc2.weight
// MUONDEFAULT: OK MuonDefault_fc2.bias
// MUONDEFAULT: OK MuonDefault_head.weight
// MUONDEFAULT: OK MuonDefault_head.bias
// MUONDEFAULT: OK MuonDefault_state
// MUONDEFAULT: OK MuonDefault_trajectory
// MUONDEFAULT: OK MuonDefault_step_count
// MUONARGS: OK train_step_loss
// MUONARGS: OK MuonArgs_fc1.weight
// MUONARGS: OK MuonArgs_fc1.bias
// MUONARGS: OK MuonArgs_fc2.weight
// MUONARGS: OK MuonArgs_fc2.bias
// MUONARGS: OK MuonArgs_head.weight
// MUONARGS: OK MuonArgs_head.bias
// MUONARGS: OK MuonArgs_state
// MUONARGS: OK MuonArgs_trajectory
// MUONARGS: OK MuonArgs_step_count
// MUONMIXED: OK train_step_loss
// MUONMIXED: OK MuonMixed_fc1.weight
// MUONMIXED: OK MuonMixed_fc1.bias
// MUONMIXED: OK MuonMixed_fc2.weight
// MUONMIXED: OK MuonMixed_fc2.bias
// MUONMIXED: OK MuonMixed_head.weight
// MUONMIXED: OK MuonMixed_head.bias
// MUONMIXED: OK MuonMixed_state
// MUONMIXED: OK MuonMixed_trajectory
// MUONMIXED: OK MuonMixed_step_count

// Muon's defaults (lr 0.02, momentum 0.95, nesterov, 5 steps, no decay) on a tall and a
// wide matrix; biases and the cross-entropy head under adamw.
model MuonDefault {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 10 { weight = dense; bias = zeros }
  linear fc2: 10 -> 5 { weight = dense; bias = zeros }
  linear head: 5 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(gelu(fc2(tanh(fc1(x)))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc2.weight: muon
    default:  adamw(lr = 0.01)
    schedule: warmup_linear(warmup = 2, total = 8)
  }
}

// Every argument: plain momentum with 3 NS steps and weight decay on fc1, Nesterov with 6
// steps on fc2; everything else under lion with weight decay.
model MuonArgs {
  input  x: f32[6]
  label  y: i32

  linear fc1: 6 -> 10 { weight = dense; bias = zeros }
  linear fc2: 10 -> 5 { weight = dense; bias = zeros }
  linear head: 5 -> 4 { weight = dense; bias = zeros }

  forward {
    return head(gelu(fc2(tanh(fc1(x)))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight: muon(lr = 0.05, momentum = 0.9, nesterov = false, ns_steps = 3, weight_decay = 0.1)
    fc2.weight: muon(lr = 0.03, momentum = 0.8, ns_steps = 6, weight_decay = 0.2)
    default:    lion(lr = 0.01, weight_decay = 0.1)
    schedule:   warmup_cosine(warmup = 3, total = 7)
  }
}

// One muon group over a tall and a square matrix; adamp, lion and adamw beside it.
model MuonMixed {
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
    fc1.weight, fc2.weight: muon(lr = 0.04, weight_decay = 0.05)
    head.weight: adamp(lr = 0.02, weight_decay = 0.1)
    head.bias:   lion(lr = 0.005)
    default:     adamw(lr = 0.01, weight_decay = 0.1)
    schedule:    warmup_linear(warmup = 3, total = 10)
  }
}
