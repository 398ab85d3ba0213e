// Checkpoints of a model with power-iteration state (normalize, hammer, strict, svd_clip;
// muon and adamw under a warmup): 12 steps, wl_save, wl_load into a fresh model made with
// another seed, 12 more steps == 24 straight steps, bit for bit (every checkpoint tensor,
// optim.<param>.power_u [OUT] included); power_u only where a method needs it, a unit
// vector; control: the checkpoint with power_u replaced by the creation start vector
// resumes differently (Inputs/constraints.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model ResumePower -o %t/ResumePower.so
// RUN: %python %test_inputs/constraints.py %t/ResumePower.so %t | FileCheck %s --check-prefix=RESUME-POWER
// RESUME-POWER: OK checkpoint_power_u
// RESUME-POWER: OK checkpoint_power_u_unit
// RESUME-POWER: OK checkpoint_power_u_only_where_needed
// RESUME-POWER: OK fresh_model_differs
// RESUME-POWER: OK load_resave_identical
// RESUME-POWER: OK resumed_bit_exact
// RESUME-POWER: OK fc3.weight_resumed_bound
// RESUME-POWER: OK head.weight_resumed_bound
// RESUME-POWER: OK control_power_u_fc1.weight
// RESUME-POWER: OK control_power_u_fc2.weight
// RESUME-POWER: OK control_power_u_fc3.weight

model ResumePower {
  input  x: f32[16]
  label  y: i32

  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0, method = normalize) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(1.0, method = hammer) }
  linear fc3: 32 -> 24 { weight = dense with spectral_bound(0.8, method = normalize, strict = true) }
  linear head: 24 -> 4 { weight = dense with spectral_bound(1.0, method = svd_clip) }

  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc2.weight: muon(lr = 0.1)
    default: adamw(lr = 0.05)
    schedule: warmup_linear(warmup = 3, total = 40)
  }
}
