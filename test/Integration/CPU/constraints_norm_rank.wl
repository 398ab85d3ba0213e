// norm_bound(c, norm = frobenius | row | column): scaling projections, exact (1e-5) at
// creation and after every step. rank_at_most(r): truncated SVD: singular values beyond r
// ~ 0 (1e-5 of sigma_max) and the result a best rank-r approximation (Eckart-Young).
// Chains apply in order; every constraint that the later projections provably keep is
// checked (scalings and singular value shrinking keep norm and spectral bounds, every
// projection keeps a rank bound). At creation W_0 is the nearest point of the set to the
// initial weight where that has a closed form (one constraint; spectral + rank: keep the
// r largest singular values, clipped). 60 adamw steps at lr 0.05-0.1, numpy SVD every
// step (Inputs/constraints.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Init -o %t/Init.so
// RUN: wlc %s --model NormBound -o %t/NormBound.so
// RUN: %python %test_inputs/constraints.py %t/NormBound.so %t %t/Init.so | FileCheck %s --check-prefix=NORM-BOUND
// RUN: wlc %s --model RankAtMost -o %t/RankAtMost.so
// RUN: %python %test_inputs/constraints.py %t/RankAtMost.so %t %t/Init.so | FileCheck %s --check-prefix=RANK-AT-MOST
// RUN: wlc %s --model Chains -o %t/Chains.so
// RUN: %python %test_inputs/constraints.py %t/Chains.so %t %t/Init.so | FileCheck %s --check-prefix=CHAINS
// NORM-BOUND: OK step0_same_init
// NORM-BOUND: OK fc1.weight_power_u_state
// NORM-BOUND: OK fc2.weight_power_u_state
// NORM-BOUND: OK fc3.weight_power_u_state
// NORM-BOUND: OK head.weight_power_u_state
// NORM-BOUND: OK step_count
// NORM-BOUND: OK fc1.weight_step0_norm_bound_frobenius
// NORM-BOUND: OK fc1.weight_step0_nearest_point
// NORM-BOUND: OK fc2.weight_step0_norm_bound_row
// NORM-BOUND: OK fc2.weight_step0_nearest_point
// NORM-BOUND: OK fc3.weight_step0_norm_bound_column
// NORM-BOUND: OK fc3.weight_step0_nearest_point
// NORM-BOUND: OK head.weight_step0_norm_bound_frobenius
// NORM-BOUND: OK head.weight_step0_nearest_point
// NORM-BOUND: OK fc1.weight_norm_bound_frobenius
// NORM-BOUND: OK fc1.weight_replay
// NORM-BOUND: OK fc2.weight_norm_bound_row
// NORM-BOUND: OK fc2.weight_replay
// NORM-BOUND: OK fc3.weight_norm_bound_column
// NORM-BOUND: OK fc3.weight_replay
// NORM-BOUND: OK head.weight_norm_bound_frobenius
// NORM-BOUND: OK head.weight_replay
// NORM-BOUND: OK training_loss_decreases
// RANK-AT-MOST: OK step0_same_init
// RANK-AT-MOST: OK fc1.weight_power_u_state
// RANK-AT-MOST: OK fc2.weight_power_u_state
// RANK-AT-MOST: OK fc3.weight_power_u_state
// RANK-AT-MOST: OK head.weight_power_u_state
// RANK-AT-MOST: OK step_count
// RANK-AT-MOST: OK fc1.weight_step0_rank_at_most
// RANK-AT-MOST: OK fc1.weight_step0_nearest_point
// RANK-AT-MOST: OK fc2.weight_step0_rank_at_most
// RANK-AT-MOST: OK fc2.weight_step0_nearest_point
// RANK-AT-MOST: OK fc3.weight_step0_rank_at_most
// RANK-AT-MOST: OK fc3.weight_step0_nearest_point
// RANK-AT-MOST: OK head.weight_step0_rank_at_most
// RANK-AT-MOST: OK head.weight_step0_nearest_point
// RANK-AT-MOST: OK fc1.weight_rank_at_most_tail
// RANK-AT-MOST: OK fc1.weight_rank_at_most_optimal
// RANK-AT-MOST: OK fc1.weight_replay
// RANK-AT-MOST: OK fc2.weight_rank_at_most_tail
// RANK-AT-MOST: OK fc2.weight_rank_at_most_optimal
// RANK-AT-MOST: OK fc2.weight_replay
// RANK-AT-MOST: OK fc3.weight_rank_at_most_tail
// RANK-AT-MOST: OK fc3.weight_rank_at_most_optimal
// RANK-AT-MOST: OK fc3.weight_replay
// RANK-AT-MOST: OK head.weight_rank_at_most_tail
// RANK-AT-MOST: OK head.weight_rank_at_most_optimal
// RANK-AT-MOST: OK head.weight_replay
// RANK-AT-MOST: OK training_loss_decreases
// CHAINS: OK step0_same_init
// CHAINS: OK fc1.weight_power_u_state
// CHAINS: OK fc2.weight_power_u_state
// CHAINS: OK fc3.weight_power_u_state
// CHAINS: OK head.weight_power_u_state
// CHAINS: OK step_count
// CHAINS: OK fc1.weight_step0_norm_bound_row
// CHAINS: OK fc1.weight_step0_normalize
// CHAINS: OK fc1.weight_step0_power_u
// CHAINS: OK fc2.weight_step0_normalize
// CHAINS: OK fc2.weight_step0_rank_at_most
// CHAINS: OK fc2.weight_step0_power_u
// CHAINS: OK fc3.weight_step0_hard_cap
// CHAINS: OK fc3.weight_step0_norm_bound_column
// CHAINS: OK fc3.weight_step0_rank_at_most
// CHAINS: OK head.weight_step0_norm_bound_frobenius
// CHAINS: OK head.weight_step0_svd_clip
// CHAINS: OK head.weight_step0_strict_factor
// CHAINS: OK fc1.weight_norm_bound_row
// CHAINS: OK fc1.weight_normalize_estimate
// CHAINS: OK fc1.weight_normalize_sanity
// CHAINS: OK fc1.weight_replay
// CHAINS: OK fc1.weight_power_u_replay
// CHAINS: OK fc2.weight_normalize_estimate
// CHAINS: OK fc2.weight_normalize_sanity
// CHAINS: OK fc2.weight_rank_at_most_tail
// CHAINS: OK fc2.weight_rank_at_most_optimal
// CHAINS: OK fc2.weight_replay
// CHAINS: OK fc2.weight_power_u_replay
// CHAINS: OK fc3.weight_hard_cap_bound
// CHAINS: OK fc3.weight_hard_cap_finite
// CHAINS: OK fc3.weight_norm_bound_column
// CHAINS: OK fc3.weight_rank_at_most_tail
// CHAINS: OK fc3.weight_rank_at_most_optimal
// CHAINS: OK fc3.weight_replay
// CHAINS: OK head.weight_norm_bound_frobenius
// CHAINS: OK head.weight_svd_clip_bound
// CHAINS: OK head.weight_strict_bound
// CHAINS: OK head.weight_strict_is_rescale
// CHAINS: OK head.weight_strict_factor
// CHAINS: OK training_loss_decreases

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

model NormBound {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with norm_bound(2, norm = frobenius) }
  linear fc2: 32 -> 32 { weight = dense with norm_bound(0.5, norm = row) }
  linear fc3: 32 -> 24 { weight = dense with norm_bound(0.7, norm = column) }
  linear head: 24 -> 4 { weight = dense with norm_bound(1, norm = frobenius) }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.1)
  }
}

model RankAtMost {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with rank_at_most(4) }
  linear fc2: 32 -> 32 { weight = dense with rank_at_most(8) }
  linear fc3: 32 -> 24 { weight = dense with rank_at_most(1) }
  linear head: 24 -> 4 { weight = dense with rank_at_most(2) }

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

model Chains {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with norm_bound(0.6, norm = row) with spectral_bound(1.0, method = normalize) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(1.0, method = normalize) with rank_at_most(6) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.0, method = hard_cap) with norm_bound(0.5, norm = column) with rank_at_most(3) }
  linear head: 24 -> 4 { weight = dense with norm_bound(1.5, norm = frobenius) with spectral_bound(1.0, method = svd_clip, strict = true) }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 0.1)
  }
}
