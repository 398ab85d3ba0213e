// spectral_bound(c, method = hammer): 16 power iterations (persistent vector
// optim.<param>.power_u), then W <- W + (c - sigma) u v^T (Newhouse et al. 2025). Guarantee
// (LANGUAGE.md): it fixes only the largest singular value: after each step the spectrum
// is {c} + the singular values sigma_2.. of W before the projection (within 1 % of c), so
// sigma_max = max(c, sigma_2 before). Hammer: 60 adamw steps at lr 0.05, numpy SVD of W
// before (float64 replay of the optimizer step) and after each projection. HammerMap:
// zero-gradient steps on weights with a clear gap, top singular value above and below c,
// starting from a stale power vector: the top value lands on c, the others stay
// (Inputs/constraints.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Init -o %t/Init.so
// RUN: wlc %s --model Hammer -o %t/Hammer.so
// RUN: %python %test_inputs/constraints.py %t/Hammer.so %t %t/Init.so | FileCheck %s --check-prefix=HAMMER
// RUN: wlc %s --model HammerMap -o %t/HammerMap.so
// RUN: %python %test_inputs/constraints.py %t/HammerMap.so %t %t/Init.so | FileCheck %s --check-prefix=HAMMER-MAP
// HAMMER: OK abi_version
// HAMMER: OK model_name
// HAMMER: OK sizes
// HAMMER: OK label_kind
// HAMMER: OK param_names_shapes
// HAMMER: OK params_trainable
// HAMMER: OK step0_same_init
// HAMMER: OK fc1.weight_power_u_state
// HAMMER: OK fc2.weight_power_u_state
// HAMMER: OK fc3.weight_power_u_state
// HAMMER: OK step_count
// HAMMER: OK fc1.weight_step0_hammer
// HAMMER: OK fc1.weight_step0_nearest_point
// HAMMER: OK fc1.weight_step0_power_u
// HAMMER: OK fc2.weight_step0_hammer
// HAMMER: OK fc2.weight_step0_nearest_point
// HAMMER: OK fc2.weight_step0_power_u
// HAMMER: OK fc3.weight_step0_hammer
// HAMMER: OK fc3.weight_step0_nearest_point
// HAMMER: OK fc3.weight_step0_power_u
// HAMMER: OK fc1.weight_hammer_spectrum
// HAMMER: OK fc1.weight_replay
// HAMMER: OK fc1.weight_power_u_replay
// HAMMER: OK fc2.weight_hammer_spectrum
// HAMMER: OK fc2.weight_replay
// HAMMER: OK fc2.weight_power_u_replay
// HAMMER: OK fc3.weight_hammer_spectrum
// HAMMER: OK fc3.weight_replay
// HAMMER: OK fc3.weight_power_u_replay
// HAMMER: OK training_loss_decreases
// HAMMER-MAP: OK abi_version
// HAMMER-MAP: OK model_name
// HAMMER-MAP: OK sizes
// HAMMER-MAP: OK label_kind
// HAMMER-MAP: OK param_names_shapes
// HAMMER-MAP: OK params_trainable
// HAMMER-MAP: OK fc1.weight_hammer_map_above
// HAMMER-MAP: OK fc1.weight_hammer_map_below
// HAMMER-MAP: OK fc2.weight_hammer_map_above
// HAMMER-MAP: OK fc2.weight_hammer_map_below
// HAMMER-MAP: OK fc3.weight_hammer_map_above
// HAMMER-MAP: OK fc3.weight_hammer_map_below

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
