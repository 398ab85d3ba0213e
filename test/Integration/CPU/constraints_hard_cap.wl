// spectral_bound(c, method = hard_cap): four odd polynomial steps on W/c (ALGORITHMS.md).
// Guarantee: sigma_max <= 1.011 c while sigma/c <= 3.5 before the projection (checked:
// within 1.2 %, and the precondition itself). HardCap: 60 adamw steps at lr 0.05 (c = 0.8,
// 1, 1.5, 2 on tall, square, wide and head weights), numpy SVD after every step, float64
// replay of the polynomial. HardCapMap: zero-gradient steps on weights with singular
// values spread over [0, 3.5 c]: the library's singular value map is the polynomial and
// stays <= 1.011 c (Inputs/constraints.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Init -o %t/Init.so
// RUN: wlc %s --model HardCap -o %t/HardCap.so
// RUN: %python %test_inputs/constraints.py %t/HardCap.so %t %t/Init.so | FileCheck %s --check-prefix=HARD-CAP
// RUN: wlc %s --model HardCapMap -o %t/HardCapMap.so
// RUN: %python %test_inputs/constraints.py %t/HardCapMap.so %t %t/Init.so | FileCheck %s --check-prefix=HARD-CAP-MAP
// HARD-CAP: OK abi_version
// HARD-CAP: OK model_name
// HARD-CAP: OK sizes
// HARD-CAP: OK label_kind
// HARD-CAP: OK param_names_shapes
// HARD-CAP: OK params_trainable
// HARD-CAP: OK step0_same_init
// HARD-CAP: OK fc1.weight_power_u_state
// HARD-CAP: OK fc2.weight_power_u_state
// HARD-CAP: OK fc3.weight_power_u_state
// HARD-CAP: OK head.weight_power_u_state
// HARD-CAP: OK step_count
// HARD-CAP: OK fc1.weight_step0_hard_cap
// HARD-CAP: OK fc1.weight_step0_nearest_point
// HARD-CAP: OK fc2.weight_step0_hard_cap
// HARD-CAP: OK fc2.weight_step0_nearest_point
// HARD-CAP: OK fc3.weight_step0_hard_cap
// HARD-CAP: OK fc3.weight_step0_nearest_point
// HARD-CAP: OK head.weight_step0_hard_cap
// HARD-CAP: OK head.weight_step0_nearest_point
// HARD-CAP: OK fc1.weight_hard_cap_bound
// HARD-CAP: OK fc1.weight_hard_cap_precondition
// HARD-CAP: OK fc1.weight_replay
// HARD-CAP: OK fc2.weight_hard_cap_bound
// HARD-CAP: OK fc2.weight_hard_cap_precondition
// HARD-CAP: OK fc2.weight_replay
// HARD-CAP: OK fc3.weight_hard_cap_bound
// HARD-CAP: OK fc3.weight_hard_cap_precondition
// HARD-CAP: OK fc3.weight_replay
// HARD-CAP: OK head.weight_hard_cap_bound
// HARD-CAP: OK head.weight_hard_cap_precondition
// HARD-CAP: OK head.weight_replay
// HARD-CAP: OK training_loss_decreases
// HARD-CAP-MAP: OK abi_version
// HARD-CAP-MAP: OK model_name
// HARD-CAP-MAP: OK sizes
// HARD-CAP-MAP: OK label_kind
// HARD-CAP-MAP: OK param_names_shapes
// HARD-CAP-MAP: OK params_trainable
// HARD-CAP-MAP: OK fc1.weight_hard_cap_map
// HARD-CAP-MAP: OK fc1.weight_hard_cap_map_bound
// HARD-CAP-MAP: OK fc1.weight_hard_cap_polynomial_bound
// HARD-CAP-MAP: OK fc2.weight_hard_cap_map
// HARD-CAP-MAP: OK fc2.weight_hard_cap_map_bound
// HARD-CAP-MAP: OK fc2.weight_hard_cap_polynomial_bound
// HARD-CAP-MAP: OK fc3.weight_hard_cap_map
// HARD-CAP-MAP: OK fc3.weight_hard_cap_map_bound
// HARD-CAP-MAP: OK fc3.weight_hard_cap_polynomial_bound

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

model HardCap {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = hard_cap) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.8, method = hard_cap) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.5, method = hard_cap) }
  linear head: 24 -> 4 { weight = dense with spectral_bound(2.0, method = hard_cap) }

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

model HardCapMap {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = hard_cap) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.7, method = hard_cap) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(2.0, method = hard_cap) }
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
