// spectral_bound(c, method = hard_cap): M = W/s with s = max(c, |W|_F/3.5) (so sigma/s <= 3.5
// for any W), four odd polynomial steps on M (ALGORITHMS.md), W = c M. Guarantee:
// sigma_max <= 1.011 c for any input (checked within 1.2 %). HardCap: 60 adamw steps at lr 0.05
// (c = 0.8, 1, 1.5, 2 on tall, square, wide and head weights), numpy SVD after every step,
// float64 replay of the pre-scale and the polynomial. HardCapWild: adamw at lr 0.3, far out of
// the polynomial's range (sigma/c > 3.5 before the projection, checked to happen for every
// weight): every weight stays finite and <= 1.011 c. HardCapMap: zero-gradient steps on
// weights with singular values over [0, 3.5 c], [0, 50 c] and a single one at 3 c (s = c):
// the library's singular value map is c p(sigma/s) and stays <= 1.011 c
// (Inputs/constraints.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Init -o %t/Init.so
// RUN: wlc %s --model HardCap -o %t/HardCap.so
// RUN: %python %test_inputs/constraints.py %t/HardCap.so %t %t/Init.so | FileCheck %s --check-prefix=HARD-CAP
// RUN: wlc %s --model HardCapMap -o %t/HardCapMap.so
// RUN: %python %test_inputs/constraints.py %t/HardCapMap.so %t %t/Init.so | FileCheck %s --check-prefix=HARD-CAP-MAP
// RUN: wlc %s --model HardCapWild -o %t/HardCapWild.so
// RUN: %python %test_inputs/constraints.py %t/HardCapWild.so %t %t/Init.so | FileCheck %s --check-prefix=HARD-CAP-WILD
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
// HARD-CAP: OK fc1.weight_hard_cap_finite
// HARD-CAP: OK fc1.weight_replay
// HARD-CAP: OK fc2.weight_hard_cap_bound
// HARD-CAP: OK fc2.weight_hard_cap_finite
// HARD-CAP: OK fc2.weight_replay
// HARD-CAP: OK fc3.weight_hard_cap_bound
// HARD-CAP: OK fc3.weight_hard_cap_finite
// HARD-CAP: OK fc3.weight_replay
// HARD-CAP: OK head.weight_hard_cap_bound
// HARD-CAP: OK head.weight_hard_cap_finite
// HARD-CAP: OK head.weight_replay
// HARD-CAP: OK training_loss_decreases
// HARD-CAP-MAP: OK fc1.weight_hard_cap_map
// HARD-CAP-MAP: OK fc1.weight_hard_cap_map_bound
// HARD-CAP-MAP: OK fc1.weight_hard_cap_map_wide
// HARD-CAP-MAP: OK fc1.weight_hard_cap_map_bound_wide
// HARD-CAP-MAP: OK fc1.weight_hard_cap_map_rank1
// HARD-CAP-MAP: OK fc1.weight_hard_cap_map_bound_rank1
// HARD-CAP-MAP: OK fc1.weight_hard_cap_polynomial_bound
// HARD-CAP-MAP: OK fc2.weight_hard_cap_map
// HARD-CAP-MAP: OK fc2.weight_hard_cap_map_bound
// HARD-CAP-MAP: OK fc2.weight_hard_cap_map_wide
// HARD-CAP-MAP: OK fc2.weight_hard_cap_map_bound_wide
// HARD-CAP-MAP: OK fc2.weight_hard_cap_map_rank1
// HARD-CAP-MAP: OK fc2.weight_hard_cap_map_bound_rank1
// HARD-CAP-MAP: OK fc2.weight_hard_cap_polynomial_bound
// HARD-CAP-MAP: OK fc3.weight_hard_cap_map
// HARD-CAP-MAP: OK fc3.weight_hard_cap_map_bound
// HARD-CAP-MAP: OK fc3.weight_hard_cap_map_wide
// HARD-CAP-MAP: OK fc3.weight_hard_cap_map_bound_wide
// HARD-CAP-MAP: OK fc3.weight_hard_cap_map_rank1
// HARD-CAP-MAP: OK fc3.weight_hard_cap_map_bound_rank1
// HARD-CAP-MAP: OK fc3.weight_hard_cap_polynomial_bound
// HARD-CAP-WILD: OK step0_same_init
// HARD-CAP-WILD: OK fc1.weight_power_u_state
// HARD-CAP-WILD: OK fc2.weight_power_u_state
// HARD-CAP-WILD: OK fc3.weight_power_u_state
// HARD-CAP-WILD: OK head.weight_power_u_state
// HARD-CAP-WILD: OK step_count
// HARD-CAP-WILD: OK fc1.weight_step0_hard_cap
// HARD-CAP-WILD: OK fc1.weight_step0_nearest_point
// HARD-CAP-WILD: OK fc2.weight_step0_hard_cap
// HARD-CAP-WILD: OK fc2.weight_step0_nearest_point
// HARD-CAP-WILD: OK fc3.weight_step0_hard_cap
// HARD-CAP-WILD: OK fc3.weight_step0_nearest_point
// HARD-CAP-WILD: OK head.weight_step0_hard_cap
// HARD-CAP-WILD: OK head.weight_step0_nearest_point
// HARD-CAP-WILD: OK fc1.weight_hard_cap_bound
// HARD-CAP-WILD: OK fc1.weight_hard_cap_finite
// HARD-CAP-WILD: OK fc1.weight_replay
// HARD-CAP-WILD: OK fc2.weight_hard_cap_bound
// HARD-CAP-WILD: OK fc2.weight_hard_cap_finite
// HARD-CAP-WILD: OK fc2.weight_replay
// HARD-CAP-WILD: OK fc3.weight_hard_cap_bound
// HARD-CAP-WILD: OK fc3.weight_hard_cap_finite
// HARD-CAP-WILD: OK fc3.weight_replay
// HARD-CAP-WILD: OK head.weight_hard_cap_bound
// HARD-CAP-WILD: OK head.weight_hard_cap_finite
// HARD-CAP-WILD: OK head.weight_replay
// HARD-CAP-WILD: OK fc1.weight_hard_cap_out_of_range_reached
// HARD-CAP-WILD: OK fc2.weight_hard_cap_out_of_range_reached
// HARD-CAP-WILD: OK fc3.weight_hard_cap_out_of_range_reached
// HARD-CAP-WILD: OK head.weight_hard_cap_out_of_range_reached
// HARD-CAP-WILD: OK training_loss_decreases

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

model HardCapWild {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = hard_cap) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.8, method = hard_cap) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.0, method = hard_cap) }
  linear head: 24 -> 4 { weight = dense with spectral_bound(0.5, method = hard_cap) }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.3)
  }
}
