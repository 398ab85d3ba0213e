// sst(rank, every) (sparse spectral training) on bases from a safetensors file (a: OUT >= IN,
// b: OUT < IN): Inputs/sst.py checks the full SVD split at creation against numpy's float64
// SVD, `sampled`, the forward, the gradients (s true, U and V without the s factor) by
// finite differences, AdamW steps inside a round (masked U/V gradients, s >= 0, unit
// columns) and across a round's end (state zeroed, re-SVD keeps W, a new sample) against a
// float64 reference, the sampling frequencies against the exact inclusion probabilities,
// and that muon, sgd, lion and adamp train only the sampled columns.
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %python %test_inputs/sst.py --write-base %t.d/sst_base.safetensors
// RUN: cp %s %t.d/sst.wl
// RUN: wlc %t.d/sst.wl --model Sst -o %t.so
// RUN: %python %test_inputs/sst.py %t.so %t.d/sst_base.safetensors | FileCheck %s
// RUN: wlc %t.d/sst.wl --model SstSampling -o %t.sampling.so
// RUN: %python %test_inputs/sst.py --sampling %t.sampling.so %t.d/sst_base.safetensors | FileCheck %s --check-prefix=SAMPLING
// RUN: wlc %t.d/sst.wl --model SstMuon -o %t.muon.so
// RUN: %python %test_inputs/sst.py --optimizer muon %t.muon.so | FileCheck %s --check-prefix=OPT
// CHECK: OK init_a
// CHECK: OK init_b
// CHECK: OK forward
// CHECK: OK grad
// CHECK: OK dx
// CHECK: OK step
// CHECK: OK unit_columns
// CHECK: OK nonneg
// CHECK: OK state
// CHECK: OK round
// CHECK: OK next_round
// CHECK: OK export
// CHECK: OK certificate
// CHECK: OK resume
// SAMPLING: OK sampling
// SAMPLING: OK reproducible
// RUN: wlc %t.d/sst.wl --model SstSgd -o %t.sgd.so
// RUN: %python %test_inputs/sst.py --optimizer sgd %t.sgd.so | FileCheck %s --check-prefix=OPT
// RUN: wlc %t.d/sst.wl --model SstLion -o %t.lion.so
// RUN: %python %test_inputs/sst.py --optimizer lion %t.lion.so | FileCheck %s --check-prefix=OPT
// RUN: wlc %t.d/sst.wl --model SstAdamP -o %t.adamp.so
// RUN: %python %test_inputs/sst.py --optimizer adamp %t.adamp.so | FileCheck %s --check-prefix=OPT
// OPT: OK {{muon|sgd|lion|adamp}} (unsampled columns moved

model Sst {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 9 { weight = sst(rank = 2, every = 3, init = from("sst_base.safetensors", "a")); bias = none }
  linear b: 9 -> 5 { weight = sst(rank = 2, every = 3, init = from("sst_base.safetensors", "b")); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01, weight_decay = 0.1) }
}

// lr = 0: W, and so s, stays fixed; every = 1: every step ends a round and draws a sample.
model SstSampling {
  input x: f32[8]
  label y: i32
  linear c: 8 -> 6 { weight = sst(rank = 2, every = 1, init = from("sst_base.safetensors", "c")); bias = none }
  forward { return c(x) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0) }
}

model SstMuon {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 9 { weight = sst(rank = 2, every = 1000, init = from("sst_base.safetensors", "a")); bias = none }
  linear b: 9 -> 5 { weight = sst(rank = 2, every = 1000, init = from("sst_base.safetensors", "b")); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize {
    a.weight.U, a.weight.V, b.weight.U, b.weight.V: muon(lr = 0.02)
    default: adamw(lr = 0.01)
  }
}

model SstSgd {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 9 { weight = sst(rank = 2, every = 1000, init = from("sst_base.safetensors", "a")); bias = none }
  linear b: 9 -> 5 { weight = sst(rank = 2, every = 1000, init = from("sst_base.safetensors", "b")); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.05, momentum = 0.9, nesterov = true, weight_decay = 0.1) }
}

model SstLion {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 9 { weight = sst(rank = 2, every = 1000, init = from("sst_base.safetensors", "a")); bias = none }
  linear b: 9 -> 5 { weight = sst(rank = 2, every = 1000, init = from("sst_base.safetensors", "b")); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize { default: lion(lr = 0.003, weight_decay = 0.1) }
}

model SstAdamP {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 9 { weight = sst(rank = 2, every = 1000, init = from("sst_base.safetensors", "a")); bias = none }
  linear b: 9 -> 5 { weight = sst(rank = 2, every = 1000, init = from("sst_base.safetensors", "b")); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize { default: adamp(lr = 0.01, weight_decay = 0.1) }
}
