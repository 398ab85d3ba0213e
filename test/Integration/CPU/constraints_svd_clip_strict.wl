// spectral_bound(c, method = svd_clip): W = U min(S, c) V^T (LAPACK), exact: sigma_max <= c
// (1e-5 relative) after every step and the singular values below c untouched.
// strict = true with every method (normalize, hard_cap, hammer, soft_cap under adamw;
// svd_clip, soft_cap, normalize, hammer under muon): after the method, a sound Gram bound
// beta of sigma_max and W <- W c/max(beta, c): sigma_max <= c (1e-5) at creation and after
// every one of 60 aggressive steps (adamw lr 0.1, muon lr 0.1), W a multiple of the
// method's (float64-replayed) output with a factor in [min(1, c/sigma)/1.03, 1]
// (Inputs/constraints.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Init -o %t/Init.so
// RUN: wlc %s --model SvdClip -o %t/SvdClip.so
// RUN: %python %test_inputs/constraints.py %t/SvdClip.so %t %t/Init.so | FileCheck %s --check-prefix=SVD-CLIP
// RUN: wlc %s --model Strict -o %t/Strict.so
// RUN: %python %test_inputs/constraints.py %t/Strict.so %t %t/Init.so | FileCheck %s --check-prefix=STRICT
// RUN: wlc %s --model StrictMuon -o %t/StrictMuon.so
// RUN: %python %test_inputs/constraints.py %t/StrictMuon.so %t %t/Init.so | FileCheck %s --check-prefix=STRICT-MUON
// SVD-CLIP: OK step0_same_init
// SVD-CLIP: OK fc1.weight_power_u_state
// SVD-CLIP: OK fc2.weight_power_u_state
// SVD-CLIP: OK fc3.weight_power_u_state
// SVD-CLIP: OK head.weight_power_u_state
// SVD-CLIP: OK step_count
// SVD-CLIP: OK fc1.weight_step0_svd_clip
// SVD-CLIP: OK fc1.weight_step0_nearest_point
// SVD-CLIP: OK fc2.weight_step0_svd_clip
// SVD-CLIP: OK fc2.weight_step0_nearest_point
// SVD-CLIP: OK fc3.weight_step0_svd_clip
// SVD-CLIP: OK fc3.weight_step0_nearest_point
// SVD-CLIP: OK head.weight_step0_svd_clip
// SVD-CLIP: OK head.weight_step0_nearest_point
// SVD-CLIP: OK fc1.weight_svd_clip_bound
// SVD-CLIP: OK fc1.weight_svd_clip_spectrum
// SVD-CLIP: OK fc1.weight_replay
// SVD-CLIP: OK fc2.weight_svd_clip_bound
// SVD-CLIP: OK fc2.weight_svd_clip_spectrum
// SVD-CLIP: OK fc2.weight_replay
// SVD-CLIP: OK fc3.weight_svd_clip_bound
// SVD-CLIP: OK fc3.weight_svd_clip_spectrum
// SVD-CLIP: OK fc3.weight_replay
// SVD-CLIP: OK head.weight_svd_clip_bound
// SVD-CLIP: OK head.weight_svd_clip_spectrum
// SVD-CLIP: OK head.weight_replay
// SVD-CLIP: OK training_loss_decreases
// STRICT: OK step0_same_init
// STRICT: OK fc1.weight_power_u_state
// STRICT: OK fc2.weight_power_u_state
// STRICT: OK fc3.weight_power_u_state
// STRICT: OK head.weight_power_u_state
// STRICT: OK step_count
// STRICT: OK fc1.weight_step0_normalize
// STRICT: OK fc1.weight_step0_strict_factor
// STRICT: OK fc1.weight_step0_power_u
// STRICT: OK fc2.weight_step0_hard_cap
// STRICT: OK fc2.weight_step0_strict_factor
// STRICT: OK fc3.weight_step0_hammer
// STRICT: OK fc3.weight_step0_strict_factor
// STRICT: OK fc3.weight_step0_power_u
// STRICT: OK head.weight_step0_soft_cap
// STRICT: OK head.weight_step0_strict_factor
// STRICT: OK fc1.weight_normalize_estimate
// STRICT: OK fc1.weight_normalize_sanity
// STRICT: OK fc1.weight_strict_bound
// STRICT: OK fc1.weight_strict_is_rescale
// STRICT: OK fc1.weight_strict_factor
// STRICT: OK fc1.weight_power_u_replay
// STRICT: OK fc2.weight_hard_cap_bound
// STRICT: OK fc2.weight_hard_cap_finite
// STRICT: OK fc2.weight_strict_bound
// STRICT: OK fc2.weight_strict_is_rescale
// STRICT: OK fc2.weight_strict_factor
// STRICT: OK fc3.weight_strict_bound
// STRICT: OK fc3.weight_strict_is_rescale
// STRICT: OK fc3.weight_strict_factor
// STRICT: OK fc3.weight_power_u_replay
// STRICT: OK head.weight_strict_bound
// STRICT: OK training_loss_decreases
// STRICT-MUON: OK step0_same_init
// STRICT-MUON: OK fc1.weight_power_u_state
// STRICT-MUON: OK fc2.weight_power_u_state
// STRICT-MUON: OK fc3.weight_power_u_state
// STRICT-MUON: OK head.weight_power_u_state
// STRICT-MUON: OK step_count
// STRICT-MUON: OK fc1.weight_step0_svd_clip
// STRICT-MUON: OK fc1.weight_step0_strict_factor
// STRICT-MUON: OK fc2.weight_step0_soft_cap
// STRICT-MUON: OK fc2.weight_step0_strict_factor
// STRICT-MUON: OK fc3.weight_step0_normalize
// STRICT-MUON: OK fc3.weight_step0_strict_factor
// STRICT-MUON: OK fc3.weight_step0_power_u
// STRICT-MUON: OK head.weight_step0_hammer
// STRICT-MUON: OK head.weight_step0_strict_factor
// STRICT-MUON: OK head.weight_step0_power_u
// STRICT-MUON: OK fc1.weight_svd_clip_bound
// STRICT-MUON: OK fc1.weight_strict_bound
// STRICT-MUON: OK fc1.weight_strict_is_rescale
// STRICT-MUON: OK fc1.weight_strict_factor
// STRICT-MUON: OK fc2.weight_soft_cap_bound
// STRICT-MUON: OK fc2.weight_soft_cap_reach
// STRICT-MUON: OK fc2.weight_strict_bound
// STRICT-MUON: OK fc2.weight_strict_is_rescale
// STRICT-MUON: OK fc2.weight_strict_factor
// STRICT-MUON: OK fc3.weight_normalize_estimate
// STRICT-MUON: OK fc3.weight_normalize_sanity
// STRICT-MUON: OK fc3.weight_strict_bound
// STRICT-MUON: OK fc3.weight_strict_is_rescale
// STRICT-MUON: OK fc3.weight_strict_factor
// STRICT-MUON: OK fc3.weight_power_u_replay
// STRICT-MUON: OK head.weight_strict_bound
// STRICT-MUON: OK head.weight_strict_is_rescale
// STRICT-MUON: OK head.weight_strict_factor
// STRICT-MUON: OK head.weight_power_u_replay
// STRICT-MUON: OK training_loss_decreases

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

model SvdClip {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = svd_clip) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.8, method = svd_clip) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.5, method = svd_clip) }
  linear head: 24 -> 4 { weight = dense with spectral_bound(2.0, method = svd_clip) }

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

model Strict {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = normalize, strict = true) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.8, method = hard_cap, strict = true) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.0, method = hammer, strict = true) }
  linear head: 24 -> 4 { weight = dense with spectral_bound(1.0, method = soft_cap, strict = true) }

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

model StrictMuon {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = svd_clip, strict = true) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(0.8, method = soft_cap, strict = true) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(1.0, method = normalize, strict = true) }
  linear head: 24 -> 4 { weight = dense with spectral_bound(1.0, method = hammer, strict = true) }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc2.weight, fc3.weight: muon(lr = 0.1)
    default: adamw(lr = 0.1)
  }
}
