// spectral_bound(c, method = normalize): W <- W / max(1, sigma_hat/c), sigma_hat from 3 power
// iterations per step (POWER_STEP in Inputs/constraints.py) on a persistent vector
// (optim.<param>.power_u; 15 iterations at creation, on the projected weight). Guarantee
// (LANGUAGE.md): conditional, exact up to the power-iteration estimate of sigma. Checked
// after every one of 60 aggressive steps (adamw lr 0.05; muon lr 0.1) on tall [32, 16],
// square [32, 32] and wide [24, 32] weights: along the estimate's own direction v_hat (the
// last iteration's, W_pre v_hat = sigma_hat power_u) |W v_hat| <= c (1e-4); a loose sanity
// bound sigma_max <= 1.5 c (numpy float64 SVD); the float64 replay of each step (power
// iteration from the checkpoint's power_u) matches the library's weight and power_u; training
// reduces the loss. Known limitation, printed and not checked: sigma_max itself exceeds c
// while the estimate lags (up to ~19 % here, still several % late in the run).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Init -o %t/Init.so
// RUN: wlc %s --model Normalize -o %t/Normalize.so
// RUN: %python %test_inputs/constraints.py %t/Normalize.so %t %t/Init.so | FileCheck %s --check-prefix=NORMALIZE
// RUN: wlc %s --model NormalizeMuon -o %t/NormalizeMuon.so
// RUN: %python %test_inputs/constraints.py %t/NormalizeMuon.so %t %t/Init.so | FileCheck %s --check-prefix=NORMALIZE-MUON
// NORMALIZE: OK step0_same_init
// NORMALIZE: OK fc1.weight_power_u_state
// NORMALIZE: OK fc2.weight_power_u_state
// NORMALIZE: OK fc3.weight_power_u_state
// NORMALIZE: OK step_count
// NORMALIZE: OK fc1.weight_step0_normalize
// NORMALIZE: OK fc1.weight_step0_rescale
// NORMALIZE: OK fc1.weight_step0_power_u
// NORMALIZE: OK fc2.weight_step0_normalize
// NORMALIZE: OK fc2.weight_step0_rescale
// NORMALIZE: OK fc2.weight_step0_power_u
// NORMALIZE: OK fc3.weight_step0_normalize
// NORMALIZE: OK fc3.weight_step0_rescale
// NORMALIZE: OK fc3.weight_step0_power_u
// NORMALIZE: OK fc1.weight_normalize_estimate
// NORMALIZE: OK fc1.weight_normalize_sanity
// NORMALIZE: OK fc1.weight_replay
// NORMALIZE: OK fc1.weight_power_u_replay
// NORMALIZE: OK fc2.weight_normalize_estimate
// NORMALIZE: OK fc2.weight_normalize_sanity
// NORMALIZE: OK fc2.weight_replay
// NORMALIZE: OK fc2.weight_power_u_replay
// NORMALIZE: OK fc3.weight_normalize_estimate
// NORMALIZE: OK fc3.weight_normalize_sanity
// NORMALIZE: OK fc3.weight_replay
// NORMALIZE: OK fc3.weight_power_u_replay
// NORMALIZE: OK training_loss_decreases
// NORMALIZE-MUON: OK step0_same_init
// NORMALIZE-MUON: OK fc1.weight_power_u_state
// NORMALIZE-MUON: OK fc2.weight_power_u_state
// NORMALIZE-MUON: OK fc3.weight_power_u_state
// NORMALIZE-MUON: OK step_count
// NORMALIZE-MUON: OK fc1.weight_step0_normalize
// NORMALIZE-MUON: OK fc1.weight_step0_rescale
// NORMALIZE-MUON: OK fc1.weight_step0_power_u
// NORMALIZE-MUON: OK fc2.weight_step0_normalize
// NORMALIZE-MUON: OK fc2.weight_step0_rescale
// NORMALIZE-MUON: OK fc2.weight_step0_power_u
// NORMALIZE-MUON: OK fc3.weight_step0_normalize
// NORMALIZE-MUON: OK fc3.weight_step0_rescale
// NORMALIZE-MUON: OK fc3.weight_step0_power_u
// NORMALIZE-MUON: OK fc1.weight_normalize_estimate
// NORMALIZE-MUON: OK fc1.weight_normalize_sanity
// NORMALIZE-MUON: OK fc1.weight_replay
// NORMALIZE-MUON: OK fc1.weight_power_u_replay
// NORMALIZE-MUON: OK fc2.weight_normalize_estimate
// NORMALIZE-MUON: OK fc2.weight_normalize_sanity
// NORMALIZE-MUON: OK fc2.weight_replay
// NORMALIZE-MUON: OK fc2.weight_power_u_replay
// NORMALIZE-MUON: OK fc3.weight_normalize_estimate
// NORMALIZE-MUON: OK fc3.weight_normalize_sanity
// NORMALIZE-MUON: OK fc3.weight_replay
// NORMALIZE-MUON: OK fc3.weight_power_u_replay
// NORMALIZE-MUON: OK training_loss_decreases

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

model Normalize {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = normalize) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.8, method = normalize) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.5, method = normalize) }
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

model NormalizeMuon {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = normalize) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(1.0, method = normalize) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.0, method = normalize) }
  linear head: 24 -> 4 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc2.weight, fc3.weight: muon(lr = 0.1)
    default: adamw(lr = 0.05)
  }
}
