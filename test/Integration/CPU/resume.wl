// Resuming from a checkpoint for every optimizer (sgd with momentum, adamw, muon, lion,
// adamp, and all of them in groups) under a warmup schedule: 6 steps straight against 3
// steps, wl_save, wl_load into a fresh model made with another seed, 3 more steps; the
// parameters, every optimizer state tensor and the step count must be bit-identical, and
// the controls (state zeroed, step count reset) must differ (Inputs/resume.py).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model ResumeSgd -o %t/ResumeSgd.so
// RUN: %python %test_inputs/resume.py %t/ResumeSgd.so %t | FileCheck %s --check-prefix=RESUMESGD
// RUN: wlc %s --model ResumeAdamw -o %t/ResumeAdamw.so
// RUN: %python %test_inputs/resume.py %t/ResumeAdamw.so %t | FileCheck %s --check-prefix=RESUMEADAMW
// RUN: wlc %s --model ResumeMuon -o %t/ResumeMuon.so
// RUN: %python %test_inputs/resume.py %t/ResumeMuon.so %t | FileCheck %s --check-prefix=RESUMEMUON
// RUN: wlc %s --model ResumeLion -o %t/ResumeLion.so
// RUN: %python %test_inputs/resume.py %t/ResumeLion.so %t | FileCheck %s --check-prefix=RESUMELION
// RUN: wlc %s --model ResumeAdamp -o %t/ResumeAdamp.so
// RUN: %python %test_inputs/resume.py %t/ResumeAdamp.so %t | FileCheck %s --check-prefix=RESUMEADAMP
// RUN: wlc %s --model ResumeMixed -o %t/ResumeMixed.so
// RUN: %python %test_inputs/resume.py %t/ResumeMixed.so %t | FileCheck %s --check-prefix=RESUMEMIXED
// RESUMESGD: OK checkpoint_state_names
// RESUMESGD: OK checkpoint_state_nonzero
// RESUMESGD: OK fresh_model_differs
// RESUMESGD: OK loaded_step_count
// RESUMESGD: OK load_resave_identical
// RESUMESGD: OK resumed_step_count
// RESUMESGD: OK resumed_params_bit_exact
// RESUMESGD: OK resumed_checkpoint_bit_exact
// RESUMESGD: OK control_without_state
// RESUMESGD: OK control_without_step
// RESUMEADAMW: OK checkpoint_state_names
// RESUMEADAMW: OK checkpoint_state_nonzero
// RESUMEADAMW: OK fresh_model_differs
// RESUMEADAMW: OK loaded_step_count
// RESUMEADAMW: OK load_resave_identical
// RESUMEADAMW: OK resumed_step_count
// RESUMEADAMW: OK resumed_params_bit_exact
// RESUMEADAMW: OK resumed_checkpoint_bit_exact
// RESUMEADAMW: OK control_without_state
// RESUMEADAMW: OK control_without_step
// RESUMEMUON: OK checkpoint_state_names
// RESUMEMUON: OK checkpoint_state_nonzero
// RESUMEMUON: OK fresh_model_differs
// RESUMEMUON: OK loaded_step_count
// RESUMEMUON: OK load_resave_identical
// RESUMEMUON: OK resumed_step_count
// RESUMEMUON: OK resumed_params_bit_exact
// RESUMEMUON: OK resumed_checkpoint_bit_exact
// RESUMEMUON: OK control_without_state
// RESUMEMUON: OK control_without_step
// RESUMELION: OK checkpoint_state_names
// RESUMELION: OK checkpoint_state_nonzero
// RESUMELION: OK fresh_model_differs
// RESUMELION: OK loaded_step_count
// RESUMELION: OK load_resave_identical
// RESUMELION: OK resumed_step_count
// RESUMELION: OK resumed_params_bit_exact
// RESUMELION: OK resumed_checkpoint_bit_exact
// RESUMELION: OK control_without_state
// RESUMELION: OK control_without_step
// RESUMEADAMP: OK checkpoint_state_names
// RESUMEADAMP: OK checkpoint_state_nonzero
// RESUMEADAMP: OK fresh_model_differs
// RESUMEADAMP: OK loaded_step_count
// RESUMEADAMP: OK load_resave_identical
// RESUMEADAMP: OK resumed_step_count
// RESUMEADAMP: OK resumed_params_bit_exact
// RESUMEADAMP: OK resumed_checkpoint_bit_exact
// RESUMEADAMP: OK control_without_state
// RESUMEADAMP: OK control_without_step
// RESUMEMIXED: OK checkpoint_state_names
// RESUMEMIXED: OK checkpoint_state_nonzero
// RESUMEMIXED: OK fresh_model_differs
// RESUMEMIXED: OK loaded_step_count
// RESUMEMIXED: OK load_resave_identical
// RESUMEMIXED: OK resumed_step_count
// RESUMEMIXED: OK resumed_params_bit_exact
// RESUMEMIXED: OK resumed_checkpoint_bit_exact
// RESUMEMIXED: OK control_without_state
// RESUMEMIXED: OK control_without_step

model ResumeSgd {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  sgd(lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 0.01)
    schedule: warmup_linear(warmup = 4, total = 10)
  }
}

model ResumeAdamw {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  adamw(lr = 0.01)
    schedule: warmup_linear(warmup = 4, total = 10)
  }
}

model ResumeMuon {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = none }
  linear head: 7 -> 3 { weight = dense; bias = none }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  muon(lr = 0.02, weight_decay = 0.1)
    schedule: warmup_linear(warmup = 4, total = 10)
  }
}

model ResumeLion {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  lion(lr = 0.003, weight_decay = 0.1)
    schedule: warmup_linear(warmup = 4, total = 10)
  }
}

model ResumeAdamp {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default:  adamp(lr = 0.01)
    schedule: warmup_linear(warmup = 4, total = 10)
  }
}

model ResumeMixed {
  input  x: f32[5]
  label  y: i32

  linear fc1: 5 -> 7 { weight = dense; bias = zeros }
  linear head: 7 -> 3 { weight = dense; bias = zeros }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight:  muon
    head.weight: adamp(lr = 0.01)
    fc1.bias:    lion(lr = 0.003)
    head.bias:   sgd(lr = 0.1, momentum = 0.9)
    default:     adamw(lr = 0.01)
    schedule: warmup_linear(warmup = 4, total = 10)
  }
}
