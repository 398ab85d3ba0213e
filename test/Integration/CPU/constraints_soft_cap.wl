// spectral_bound(c, method = soft_cap): M <- M(I - aA), M <- M(I + aA), A = M^T M, with
// alpha chosen at compile time from the optimizer (ALGORITHMS.md): k = c(1 - lr wd) + u_max
// maps to c. Exact (sigma_max <= c, 1e-3) when the update has a spectral-norm bound (muon:
// u_max = lr sqrt(max(1, OUT/IN)) 1.2025; lion: lr sqrt(OUT IN)) and the coupled map is
// monotone on [0, k]; otherwise the compiler warns that it is only a heuristic.
// SoftCapMuon: muon lr 0.1 (with weight decay and a warmup on fc3), tall/square/wide, 60
// steps: sigma_max <= c after every step, and sigma_max before the projection <= k (the
// bound the coupling relies on), no warning. SoftCapLion: fc3 exact; fc2 (k = 1.32) peaks at
// 1.0002 > c: warned. SoftCapAdamw: adamw has no bound: warned for each layer (training
// still works). SoftCapMap: zero-gradient steps, singular values spread over [0, k]: the
// library's map is f with alpha from the quartic (computed independently), <= c, f(k) = c.
// SoftCapNonMonotone: ALGORITHMS.md's case c = 0.5, u_max = 0.3 (muon lr 0.24948 on a
// square layer): the map peaks at 0.527 > c, in the library too, and the compiler warns
// (Inputs/constraints.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Init -o %t/Init.so
// RUN: wlc %s --model SoftCapMuon -o %t/SoftCapMuon.so 2>&1 | FileCheck %s --check-prefix=SOFT-CAP-MUON-WARN --allow-empty
// RUN: %python %test_inputs/constraints.py %t/SoftCapMuon.so %t %t/Init.so | FileCheck %s --check-prefix=SOFT-CAP-MUON
// RUN: wlc %s --model SoftCapLion -o %t/SoftCapLion.so 2>&1 | FileCheck %s --check-prefix=SOFT-CAP-LION-WARN --allow-empty
// RUN: %python %test_inputs/constraints.py %t/SoftCapLion.so %t %t/Init.so | FileCheck %s --check-prefix=SOFT-CAP-LION
// RUN: wlc %s --model SoftCapAdamw -o %t/SoftCapAdamw.so 2>&1 | FileCheck %s --check-prefix=SOFT-CAP-ADAMW-WARN --allow-empty
// RUN: %python %test_inputs/constraints.py %t/SoftCapAdamw.so %t %t/Init.so | FileCheck %s --check-prefix=SOFT-CAP-ADAMW
// RUN: wlc %s --model SoftCapMap -o %t/SoftCapMap.so 2>&1 | FileCheck %s --check-prefix=SOFT-CAP-MAP-WARN --allow-empty
// RUN: %python %test_inputs/constraints.py %t/SoftCapMap.so %t %t/Init.so | FileCheck %s --check-prefix=SOFT-CAP-MAP
// RUN: wlc %s --model SoftCapSchedule -o %t/SoftCapSchedule.so 2>&1 | FileCheck %s --check-prefix=SOFT-CAP-MAP-WARN --allow-empty
// RUN: %python %test_inputs/constraints.py %t/SoftCapSchedule.so %t %t/Init.so | FileCheck %s --check-prefix=SOFT-CAP-SCHEDULE
// RUN: wlc %s --model SoftCapNonMonotone -o %t/SoftCapNonMonotone.so 2>&1 | FileCheck %s --check-prefix=SOFT-CAP-NON-MONOTONE-WARN --allow-empty
// RUN: %python %test_inputs/constraints.py %t/SoftCapNonMonotone.so %t %t/Init.so | FileCheck %s --check-prefix=SOFT-CAP-NON-MONOTONE
// SOFT-CAP-MUON-WARN-NOT: warning
// SOFT-CAP-MUON: OK step0_same_init
// SOFT-CAP-MUON: OK fc1.weight_power_u_state
// SOFT-CAP-MUON: OK fc2.weight_power_u_state
// SOFT-CAP-MUON: OK fc3.weight_power_u_state
// SOFT-CAP-MUON: OK step_count
// SOFT-CAP-MUON: OK fc1.weight_step0_soft_cap
// SOFT-CAP-MUON: OK fc1.weight_step0_nearest_point
// SOFT-CAP-MUON: OK fc2.weight_step0_soft_cap
// SOFT-CAP-MUON: OK fc2.weight_step0_nearest_point
// SOFT-CAP-MUON: OK fc3.weight_step0_soft_cap
// SOFT-CAP-MUON: OK fc3.weight_step0_nearest_point
// SOFT-CAP-MUON: OK fc1.weight_soft_cap_bound
// SOFT-CAP-MUON: OK fc1.weight_soft_cap_reach
// SOFT-CAP-MUON: OK fc1.weight_replay
// SOFT-CAP-MUON: OK fc2.weight_soft_cap_bound
// SOFT-CAP-MUON: OK fc2.weight_soft_cap_reach
// SOFT-CAP-MUON: OK fc2.weight_replay
// SOFT-CAP-MUON: OK fc3.weight_soft_cap_bound
// SOFT-CAP-MUON: OK fc3.weight_soft_cap_reach
// SOFT-CAP-MUON: OK fc3.weight_replay
// SOFT-CAP-MUON: OK training_loss_decreases
// SOFT-CAP-LION-WARN: {{.*}}constraints_soft_cap.wl:{{[0-9]+}}:46: warning: spectral_bound(1, method = soft_cap) is only a heuristic for this configuration: the coupled map is not monotone on [0, 1.32{{[0-9]*}}] (it peaks at 1.000{{[0-9]*}} > 1); use strict = true, hard_cap or svd_clip for a guarantee
// SOFT-CAP-LION-WARN-NEXT: linear fc2: 32 -> 32
// SOFT-CAP-LION-WARN-NOT: warning
// SOFT-CAP-LION: OK step0_same_init
// SOFT-CAP-LION: OK fc2.weight_power_u_state
// SOFT-CAP-LION: OK fc3.weight_power_u_state
// SOFT-CAP-LION: OK step_count
// SOFT-CAP-LION: OK fc2.weight_step0_soft_cap
// SOFT-CAP-LION: OK fc2.weight_step0_nearest_point
// SOFT-CAP-LION: OK fc3.weight_step0_soft_cap
// SOFT-CAP-LION: OK fc3.weight_step0_nearest_point
// SOFT-CAP-LION: OK fc2.weight_replay
// SOFT-CAP-LION: OK fc3.weight_soft_cap_bound
// SOFT-CAP-LION: OK fc3.weight_soft_cap_reach
// SOFT-CAP-LION: OK fc3.weight_replay
// SOFT-CAP-LION: OK training_loss_decreases
// SOFT-CAP-ADAMW-WARN: {{.*}}constraints_soft_cap.wl:{{[0-9]+}}:46: warning: spectral_bound(1, method = soft_cap) is only a heuristic for this configuration: adamw's update has no spectral-norm bound; use strict = true, hard_cap or svd_clip for a guarantee
// SOFT-CAP-ADAMW-WARN-NEXT: linear fc1: 16 -> 32
// SOFT-CAP-ADAMW-WARN: {{.*}}constraints_soft_cap.wl:{{[0-9]+}}:46: warning: spectral_bound(1, method = soft_cap) is only a heuristic for this configuration: adamw's update has no spectral-norm bound
// SOFT-CAP-ADAMW-WARN-NEXT: linear fc2: 32 -> 32
// SOFT-CAP-ADAMW-WARN-NOT: warning
// SOFT-CAP-ADAMW: OK step0_same_init
// SOFT-CAP-ADAMW: OK fc1.weight_power_u_state
// SOFT-CAP-ADAMW: OK fc2.weight_power_u_state
// SOFT-CAP-ADAMW: OK step_count
// SOFT-CAP-ADAMW: OK fc1.weight_step0_soft_cap
// SOFT-CAP-ADAMW: OK fc1.weight_step0_nearest_point
// SOFT-CAP-ADAMW: OK fc2.weight_step0_soft_cap
// SOFT-CAP-ADAMW: OK fc2.weight_step0_nearest_point
// SOFT-CAP-ADAMW: OK training_loss_decreases
// SOFT-CAP-MAP-WARN-NOT: warning
// SOFT-CAP-MAP: OK fc1.weight_soft_cap_map
// SOFT-CAP-MAP: OK fc1.weight_soft_cap_map_bound
// SOFT-CAP-MAP: OK fc1.weight_soft_cap_map_tight
// SOFT-CAP-MAP: OK fc2.weight_soft_cap_map
// SOFT-CAP-MAP: OK fc2.weight_soft_cap_map_bound
// SOFT-CAP-MAP: OK fc2.weight_soft_cap_map_tight
// SOFT-CAP-MAP: OK fc3.weight_soft_cap_map
// SOFT-CAP-MAP: OK fc3.weight_soft_cap_map_bound
// SOFT-CAP-MAP: OK fc3.weight_soft_cap_map_tight
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_t1
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_bound_t1
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_tight_t1
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_t2
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_tight_t2
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_t4
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_tight_t4
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_t10
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_tight_t10
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_t19
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_tight_t19
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_t20
// SOFT-CAP-SCHEDULE-NOT: fc1.weight_soft_cap_map_tight_t20
// SOFT-CAP-SCHEDULE: OK fc1.weight_soft_cap_map_t23
// SOFT-CAP-SCHEDULE: OK fc3.weight_soft_cap_map_t1
// SOFT-CAP-SCHEDULE: OK fc3.weight_soft_cap_map_t10
// SOFT-CAP-SCHEDULE: OK fc3.weight_soft_cap_map_tight_t10
// SOFT-CAP-SCHEDULE: OK fc3.weight_soft_cap_map_t23
// SOFT-CAP-SCHEDULE-NOT: FAIL
// SOFT-CAP-NON-MONOTONE-WARN: {{.*}}constraints_soft_cap.wl:{{[0-9]+}}:46: warning: spectral_bound(0.5, method = soft_cap) is only a heuristic for this configuration: the coupled map is not monotone on [0, 0.80{{[0-9]*}}] (it peaks at 0.527{{[0-9]*}} > 0.5)
// SOFT-CAP-NON-MONOTONE-WARN-NEXT: linear fc2: 32 -> 32
// SOFT-CAP-NON-MONOTONE-WARN-NOT: warning
// SOFT-CAP-NON-MONOTONE: OK fc2.weight_soft_cap_map
// SOFT-CAP-NON-MONOTONE: OK fc2.weight_soft_cap_overshoots

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

model SoftCapMuon {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(0.8, method = soft_cap) }
  linear head: 24 -> 4 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc2.weight: muon(lr = 0.1)
    fc3.weight: muon(lr = 0.1, weight_decay = 0.5)
    default: adamw(lr = 0.05)
    schedule: warmup_linear(warmup = 5, total = 200)
  }
}

model SoftCapLion {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear head: 24 -> 4 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc2.weight: lion(lr = 0.01)
    fc3.weight: lion(lr = 0.01, weight_decay = 0.5)
    default: adamw(lr = 0.05)
  }
}

model SoftCapAdamw {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
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

model SoftCapMap {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(2.0, method = soft_cap) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(0.8, method = soft_cap) }
  linear head: 24 -> 4 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc2.weight: muon(lr = 0.1)
    fc3.weight: muon(lr = 0.05, weight_decay = 1.0)
    default: adamw(lr = 0.05)
  }
}

// SoftCapMap's fc1 and fc3 under a schedule: alpha is recomputed from the lr of each
// step inside the generated step, so the map is probed across warmup and decay (and is
// the identity once lr reaches 0 at step 20).
model SoftCapSchedule {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc2: 32 -> 32 { weight = dense }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(0.8, method = soft_cap) }
  linear head: 24 -> 4 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight: muon(lr = 0.1)
    fc3.weight: muon(lr = 0.05, weight_decay = 1.0)
    default: adamw(lr = 0.05)
    schedule: warmup_linear(warmup = 4, total = 20)
  }
}

model SoftCapNonMonotone {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.5, method = soft_cap) }
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
    fc2.weight: muon(lr = 0.24948)
    default: adamw(lr = 0.05)
  }
}
