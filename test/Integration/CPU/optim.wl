// Optimizer updates (sgd: momentum, nesterov, weight decay; adamw: defaults and
// explicit arguments; per-group optimizers with a schedule) against the formulas of
// ALGORITHMS.md in a float64 replica (Inputs/optim.py). One model per optimizer.
// RUN: wlc %s --model OptSgdMomentum -o %t.OptSgdMomentum.so
// RUN: %python %test_inputs/optim.py %t.OptSgdMomentum.so | FileCheck %s --check-prefix=OPTSGDMOMENTUM
// RUN: wlc %s --model OptSgdNesterov -o %t.OptSgdNesterov.so
// RUN: %python %test_inputs/optim.py %t.OptSgdNesterov.so | FileCheck %s --check-prefix=OPTSGDNESTEROV
// RUN: wlc %s --model OptSgdWeightDecay -o %t.OptSgdWeightDecay.so
// RUN: %python %test_inputs/optim.py %t.OptSgdWeightDecay.so | FileCheck %s --check-prefix=OPTSGDWEIGHTDECAY
// RUN: wlc %s --model OptAdamw -o %t.OptAdamw.so
// RUN: %python %test_inputs/optim.py %t.OptAdamw.so | FileCheck %s --check-prefix=OPTADAMW
// RUN: wlc %s --model OptAdamwArgs -o %t.OptAdamwArgs.so
// RUN: %python %test_inputs/optim.py %t.OptAdamwArgs.so | FileCheck %s --check-prefix=OPTADAMWARGS
// RUN: wlc %s --model OptGroups -o %t.OptGroups.so
// RUN: %python %test_inputs/optim.py %t.OptGroups.so | FileCheck %s --check-prefix=OPTGROUPS
// OPTSGDMOMENTUM: OK train_step_loss
// OPTSGDMOMENTUM: OK OptSgdMomentum_fc1.weight
// OPTSGDMOMENTUM: OK OptSgdMomentum_fc1.bias
// OPTSGDMOMENTUM: OK OptSgdMomentum_head.weight
// OPTSGDMOMENTUM: OK OptSgdMomentum_head.bias
// OPTSGDNESTEROV: OK train_step_loss
// OPTSGDNESTEROV: OK OptSgdNesterov_fc1.weight
// OPTSGDNESTEROV: OK OptSgdNesterov_fc1.bias
// OPTSGDNESTEROV: OK OptSgdNesterov_head.weight
// OPTSGDNESTEROV: OK OptSgdNesterov_head.bias
// OPTSGDWEIGHTDECAY: OK train_step_loss
// OPTSGDWEIGHTDECAY: OK OptSgdWeightDecay_fc1.weight
// OPTSGDWEIGHTDECAY: OK OptSgdWeightDecay_fc1.bias
// OPTSGDWEIGHTDECAY: OK OptSgdWeightDecay_head.weight
// OPTSGDWEIGHTDECAY: OK OptSgdWeightDecay_head.bias
// OPTADAMW: OK train_step_loss
// OPTADAMW: OK OptAdamw_fc1.weight
// OPTADAMW: OK OptAdamw_fc1.bias
// OPTADAMW: OK OptAdamw_head.weight
// OPTADAMW: OK OptAdamw_head.bias
// OPTADAMWARGS: OK train_step_loss
// OPTADAMWARGS: OK OptAdamwArgs_fc1.weight
// OPTADAMWARGS: OK OptAdamwArgs_fc1.bias
// OPTADAMWARGS: OK OptAdamwArgs_head.weight
// OPTADAMWARGS: OK OptAdamwArgs_head.bias
// OPTGROUPS: OK train_step_loss
// OPTGROUPS: OK OptGroups_fc1.weight
// OPTGROUPS: OK OptGroups_fc1.bias
// OPTGROUPS: OK OptGroups_head.weight
// OPTGROUPS: OK OptGroups_head.bias

model OptSgdMomentum {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.5, momentum = 0.9)
  }
}

model OptSgdNesterov {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.3, momentum = 0.8, nesterov = true)
  }
}

model OptSgdWeightDecay {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.4, momentum = 0.5, weight_decay = 0.1)
  }
}

model OptAdamw {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.02)
  }
}

model OptAdamwArgs {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.05, betas = (0.8, 0.95), eps = 1e-4, weight_decay = 0.2)
  }
}

model OptGroups {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight: sgd(lr = 0.3, momentum = 0.9, nesterov = true, weight_decay = 0.05)
    head.bias:  sgd(lr = 0.2)
    default:    adamw(lr = 0.03, weight_decay = 0.1)
    schedule:   warmup_cosine(warmup = 2, total = 5)
  }
}
