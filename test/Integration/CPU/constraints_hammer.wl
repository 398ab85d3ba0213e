// spectral_bound(c, method = hammer): 16 power iterations (persistent vector
// optim.<param>.power_u), then W <- W + (c - sigma_hat) u v^T (Newhouse et al. 2025).
// Guarantee (LANGUAGE.md): heuristic, it fixes only the largest singular value (sigma_2 and
// beyond are not capped; sigma_max/c reached is printed as a note). Hammer: 60 adamw steps at
// lr 0.05: after every step the library's singular values equal those of the float64 hammer
// of the same input (the float64 optimizer step from the checkpoint, power iteration from
// the checkpoint's power_u), and W and power_u match that replay. HammerMap: zero-gradient
// steps on weights with a clear gap, top singular value above and below c, starting from a
// stale power vector: the top value lands on c, the others stay (Inputs/constraints.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Init -o %t/Init.so
// RUN: wlc %s --model Hammer -o %t/Hammer.so
// RUN: %python %test_inputs/constraints.py %t/Hammer.so %t %t/Init.so | FileCheck %s --check-prefix=HAMMER
// RUN: wlc %s --model HammerMap -o %t/HammerMap.so
// RUN: %python %test_inputs/constraints.py %t/HammerMap.so %t %t/Init.so | FileCheck %s --check-prefix=HAMMER-MAP
// HAMMER: OK step0_same_init
// HAMMER: OK fc1.weight_power_u_state
// HAMMER: OK fc2.weight_power_u_state
// HAMMER: OK fc3.weight_power_u_state
// HAMMER: OK step_count
// HAMMER: OK fc1.weight_step0_hammer
// HAMMER: OK fc1.weight_step0_rescale
// HAMMER: OK fc1.weight_step0_power_u
// HAMMER: OK fc2.weight_step0_hammer
// HAMMER: OK fc2.weight_step0_rescale
// HAMMER: OK fc2.weight_step0_power_u
// HAMMER: OK fc3.weight_step0_hammer
// HAMMER: OK fc3.weight_step0_rescale
// HAMMER: OK fc3.weight_step0_power_u
// HAMMER: OK fc1.weight_hammer_replay
// HAMMER: OK fc1.weight_replay
// HAMMER: OK fc1.weight_power_u_replay
// HAMMER: OK fc2.weight_hammer_replay
// HAMMER: OK fc2.weight_replay
// HAMMER: OK fc2.weight_power_u_replay
// HAMMER: OK fc3.weight_hammer_replay
// HAMMER: OK fc3.weight_replay
// HAMMER: OK fc3.weight_power_u_replay
// HAMMER: OK training_loss_decreases
// HAMMER-MAP: OK fc1.weight_hammer_map_above
// HAMMER-MAP: OK fc1.weight_hammer_map_below
// HAMMER-MAP: OK fc2.weight_hammer_map_above
// HAMMER-MAP: OK fc2.weight_hammer_map_below
// HAMMER-MAP: OK fc3.weight_hammer_map_above
// HAMMER-MAP: OK fc3.weight_hammer_map_below

// The same layers without constraints: its weights at creation are every model's
// initial weights before the projection (the step-0 nearest-point checks).
model Init {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense }
  linear fc2: 32 -> 32 { weight = dense }
  linear fc3: 32 -> 24 { weight = dense }
  linear head: 24 -> 4 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.05)
  }
}

model Hammer {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = hammer) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.8, method = hammer) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.5, method = hammer) }
  linear head: 24 -> 4 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.05)
  }
}

model HammerMap {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = hammer) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.7, method = hammer) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(2.0, method = hammer) }
  linear head: 24 -> 4 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
