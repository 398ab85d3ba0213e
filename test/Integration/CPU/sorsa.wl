// sorsa(rank, alpha, gamma) on bases from a safetensors file (OUT < IN with the
// default alpha = r, OUT > IN with alpha = 8): Inputs/sorsa.py checks the split
// against numpy's float64 SVD (exact at creation, A, S, B up to sign, residual), the
// forward, every gradient of A, S, B by finite differences, two AdamW steps with the
// orthonormal regulariser (gamma = 0.05) and without it (gamma = 0) against a float64
// reference, and that muon on A and B trains.
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %python %test_inputs/sorsa.py --write-base %t.d/sorsa_base.safetensors
// RUN: cp %s %t.d/sorsa.wl
// RUN: wlc %t.d/sorsa.wl --model Sorsa -o %t.so
// RUN: %python %test_inputs/sorsa.py %t.so %t.d/sorsa_base.safetensors 0.05 | FileCheck %s
// RUN: wlc %t.d/sorsa.wl --model SorsaNoGamma -o %t.plain.so
// RUN: %python %test_inputs/sorsa.py %t.plain.so %t.d/sorsa_base.safetensors 0 | FileCheck %s
// RUN: wlc %t.d/sorsa.wl --model SorsaMuon -o %t.muon.so
// RUN: %python %test_inputs/sorsa.py --muon %t.muon.so %t.d/sorsa_base.safetensors | FileCheck %s --check-prefix=MUON
// CHECK: OK exact_a
// CHECK: OK factors_a
// CHECK: OK residual_a
// CHECK: OK trainable_a
// CHECK: OK exact_b
// CHECK: OK factors_b
// CHECK: OK residual_b
// CHECK: OK trainable_b
// CHECK: OK forward
// CHECK: OK grad
// CHECK: OK step
// CHECK: OK penalty
// MUON: OK muon

model Sorsa {
  input x: f32[12]
  label y: i32
  linear a: 12 -> 8 { weight = frozen(init = from("sorsa_base.safetensors", "a")) + sorsa(rank = 3, gamma = 0.05); bias = none }
  linear b: 8 -> 10 { weight = frozen(init = from("sorsa_base.safetensors", "b")) + sorsa(rank = 4, alpha = 8, gamma = 0.05); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01, weight_decay = 0.1) }
}

model SorsaNoGamma {
  input x: f32[12]
  label y: i32
  linear a: 12 -> 8 { weight = frozen(init = from("sorsa_base.safetensors", "a")) + sorsa(rank = 3); bias = none }
  linear b: 8 -> 10 { weight = frozen(init = from("sorsa_base.safetensors", "b")) + sorsa(rank = 4, alpha = 8); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01, weight_decay = 0.1) }
}

model SorsaMuon {
  input x: f32[12]
  label y: i32
  linear a: 12 -> 8 { weight = frozen(init = from("sorsa_base.safetensors", "a")) + sorsa(rank = 3, gamma = 0.05); bias = none }
  linear b: 8 -> 10 { weight = frozen(init = from("sorsa_base.safetensors", "b")) + sorsa(rank = 4, alpha = 8, gamma = 0.05); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize {
    a.weight.sorsa_A, a.weight.sorsa_B, b.weight.sorsa_A, b.weight.sorsa_B: muon(lr = 0.02)
    default: adamw(lr = 0.01)
  }
}
