// loldu(rank, alpha) on bases from a safetensors file (OUT < IN with the default
// alpha = r, OUT > IN with alpha = 8): Inputs/loldu.py checks the split against an
// independent float64 LU (exact at creation, factors, residual), that only z trains,
// dz against its formula, steps and the merged export; a base whose LU has a zero
// pivot among the first r makes wl_create fail with a message. (Its language rules:
// test/Lang/loldu_errors.wl.)
// RUN: rm -rf %t.d && mkdir -p %t.d
// RUN: %python %test_inputs/loldu.py --write-base %t.d/loldu_base.safetensors
// RUN: cp %s %t.d/loldu.wl
// RUN: wlc %t.d/loldu.wl --model LoLDU -o %t.so
// RUN: %python %test_inputs/loldu.py %t.so %t.d/loldu_base.safetensors | FileCheck %s
// RUN: wlc %t.d/loldu.wl --model ZeroPivot -o %t.zero.so
// RUN: %python %test_inputs/loldu.py --expect-error %t.zero.so | FileCheck %s --check-prefix=ZERO
// CHECK: OK exact_a
// CHECK: OK factors_a
// CHECK: OK residual_a
// CHECK: OK frozen_a
// CHECK: OK exact_b
// CHECK: OK factors_b
// CHECK: OK residual_b
// CHECK: OK frozen_b
// CHECK: OK grad_b
// CHECK: OK train_b
// CHECK: OK export_b
// ZERO: ERROR {{.*}}wl_create failed: loldu: pivot 1 of the LU of the 6x6 frozen base is zero: rank = 2 needs as many nonzero pivots; the base has fewer, use a smaller rank

model ZeroPivot {
  input x: f32[6]
  label y: i32
  linear l: 6 -> 6 { weight = frozen(init = from("loldu_base.safetensors", "zero")) + loldu(rank = 2) }
  forward { return l(x) }
  loss = cross_entropy(forward, y)
}

model LoLDU {
  input x: f32[12]
  label y: i32
  linear a: 12 -> 8 { weight = frozen(init = from("loldu_base.safetensors", "a")) + loldu(rank = 3); bias = none }
  linear b: 8 -> 10 { weight = frozen(init = from("loldu_base.safetensors", "b")) + loldu(rank = 4, alpha = 8); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}
