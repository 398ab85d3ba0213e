// bone(mode = bat) with spectral_bound: the adapter term's row block i is M_i (I (x) B_i)
// with M = base + (1^T (x) I), so sigma(dW)^2 <= sum_i sigma(M_i)^2 sigma(B_i)^2 and every
// B_i is scaled against the frozen base after each step (wlrt_row_block_scale, Gram
// bounds: sound, whatever the method written). Inputs/bone_bat_bound.py checks sigma(dW)
// and that sum with numpy's float64 SVD after every one of 40 aggressive steps, that the
// scaling binds, the certificate, and an unconstrained control that outgrows the bound.
// RUN: wlc %s --model BoneBat -o %t.so
// RUN: %python %test_inputs/bone_bat_bound.py %t.so 0.5 | FileCheck %s
// RUN: wlc %s --model Control -o %t.control.so
// RUN: %python %test_inputs/bone_bat_bound.py --control %t.control.so 0.5 | FileCheck %s --check-prefix=CONTROL
// RUN: wlc --report %s --model BoneBat | FileCheck %s --check-prefix=REPORT
// CHECK: OK base
// CHECK: OK sigma
// CHECK: OK beta
// CHECK: OK active
// CHECK: OK certificate
// CHECK: OK loss
// CONTROL: OK control
// REPORT: l frozen+bone bone_B: spectral_bound(0.50, row_block_scale) exact 320 bat: row block i of the adapter term is M_i (I (x) B_i), M = base + (1 (x) I): sigma <= sqrt(sum_i sigma(M_i)^2 sigma(B_i)^2) <= c (sound); every B_i scaled after every step

model BoneBat {
  input  x: f32[16]
  target t: f32[16]
  linear l: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + bone(block = 4, mode = bat) with spectral_bound(0.5, method = hard_cap)
    bias = none
  }
  forward { return l(x) }
  loss = mse(forward, t)
  optimize { default: adamw(lr = 0.2) }
}

model Control {
  input  x: f32[16]
  target t: f32[16]
  linear l: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5)) + bone(block = 4, mode = bat)
    bias = none
  }
  forward { return l(x) }
  loss = mse(forward, t)
  optimize { default: adamw(lr = 0.2) }
}
