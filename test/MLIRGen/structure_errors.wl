// RUN: not wlc -emit=wl --model=BelowOne %s 2>&1 | FileCheck %s --check-prefix=BELOW
// RUN: not wlc -emit=wl --model=NormOnSvd %s 2>&1 | FileCheck %s --check-prefix=NORM
// RUN: not wlc -emit=wl --model=RankOnOrthogonal %s 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not wlc -emit=wl --model=PolarBelowOne %s 2>&1 | FileCheck %s --check-prefix=POLAR
// RUN: not wlc -emit=wl --model=ThroughRank %s 2>&1 | FileCheck %s --check-prefix=THROUGHRANK
// RUN: not wlc -emit=wl --model=ThroughNorm %s 2>&1 | FileCheck %s --check-prefix=THROUGHNORM
// RUN: not wlc -emit=wl --model=ThroughOrthLowrank %s 2>&1 | FileCheck %s --check-prefix=THROUGHORTHLOWRANK
// RUN: not wlc -emit=wl --model=ThroughOrthTerms %s 2>&1 | FileCheck %s --check-prefix=THROUGHORTHTERMS
// RUN: not wlc -emit=wl --model=ThroughBat %s 2>&1 | FileCheck %s --check-prefix=THROUGHBAT
// RUN: not wlc -emit=wl --model=ThroughLoraNorm %s 2>&1 | FileCheck %s --check-prefix=THROUGHLORANORM
// RUN: not wlc -emit=wl --model=ThroughOrthMixed %s 2>&1 | FileCheck %s --check-prefix=THROUGHORTHMIXED
// Constraints a structure cannot satisfy or does not enforce yet: errors at
// the constraint. Through a factored structure, the ones with no exact or
// sound form on its factors (every error of a model is reported).

model BelowOne {
  input x: f32[4]
  label y: i32
  // BELOW: {{.*}}structure_errors.wl:[[@LINE+2]]:61: error: spectral_bound(0.5) cannot hold for orthogonal(exp): every singular value of an orthogonal weight is 1
  // BELOW-NEXT: {{^}}  linear a: 4 -> 4 { weight = orthogonal(method = exp) with spectral_bound(0.5) }
  linear a: 4 -> 4 { weight = orthogonal(method = exp) with spectral_bound(0.5) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

model NormOnSvd {
  input x: f32[4]
  label y: i32
  // NORM: {{.*}}structure_errors.wl:[[@LINE+1]]:50: error: constraint 'norm_bound' on structure 'svd' is not supported yet
  linear a: 4 -> 4 { weight = svd(rank = 2) with norm_bound(1.0) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

model RankOnOrthogonal {
  input x: f32[4]
  label y: i32
  // RANK: {{.*}}structure_errors.wl:[[@LINE+1]]:64: error: constraint 'rank_at_most' on structure 'orthogonal' is not supported yet
  linear a: 4 -> 4 { weight = orthogonal(method = cayley) with rank_at_most(2) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

model PolarBelowOne {
  input x: f32[4]
  label y: i32
  // POLAR: {{.*}}structure_errors.wl:[[@LINE+1]]:63: error: spectral_bound(0.9) cannot hold for orthogonal(polar): every singular value of an orthogonal weight is 1
  linear a: 4 -> 6 { weight = orthogonal(method = polar) with spectral_bound(0.9, method = hard_cap) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}


model ThroughRank {
  input x: f32[16]
  label y: i32
  // THROUGHRANK: {{.*}}structure_errors.wl:[[@LINE+1]]:72: error: constraint 'rank_at_most' on structure 'kronecker' has no exact or sound form through its factors (rank_at_most needs the dense weight) (docs/language.md, "Constraints through structures", lists which have one)
  linear a: 16 -> 16 { weight = kronecker(a = [4, 4], b = [4, 4]) with rank_at_most(2) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

model ThroughNorm {
  input x: f32[16]
  label y: i32
  // THROUGHNORM: {{.*}}structure_errors.wl:[[@LINE+1]]:58: error: constraint 'norm_bound' on structure 'monarch' has no exact or sound form through its factors (docs/language.md
  linear a: 16 -> 16 { weight = monarch(blocks = 4) with norm_bound(1.0) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

model ThroughOrthLowrank {
  input x: f32[16]
  label y: i32
  // THROUGHORTHLOWRANK: {{.*}}structure_errors.wl:[[@LINE+1]]:56: error: constraint 'orthonormal' on structure 'lowrank' has no exact or sound form through its factors
  linear a: 16 -> 16 { weight = lowrank(rank = 4) with orthonormal }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

model ThroughOrthTerms {
  input x: f32[16]
  label y: i32
  // THROUGHORTHTERMS: {{.*}}structure_errors.wl:[[@LINE+1]]:83: error: constraint 'orthonormal' on structure 'kronecker' has no exact or sound form through its factors
  linear a: 16 -> 16 { weight = kronecker(a = [4, 4], b = [4, 4], terms = 2) with orthonormal }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

model ThroughBat {
  input x: f32[16]
  label y: i32
  // bone(mode = bat) takes a spectral bound (row_block_scale), not a norm bound.
  // THROUGHBAT: {{.*}}structure_errors.wl:[[@LINE+1]]:89: error: constraint 'norm_bound' on structure 'bone' has no exact or sound form through its factors
  linear a: 16 -> 16 { weight = frozen(init = zeros) + bone(block = 4, mode = bat) with norm_bound(1.0) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

model ThroughLoraNorm {
  input x: f32[16]
  label y: i32
  // THROUGHLORANORM: {{.*}}structure_errors.wl:[[@LINE+1]]:76: error: constraint 'norm_bound' on structure 'lora' has no exact or sound form through its factors
  linear a: 16 -> 16 { weight = frozen(init = zeros) + lora(rank = 2) with norm_bound(1.0) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}

// A tall A with a wide B: orthonormal factors do not make A (x) B orthonormal.
model ThroughOrthMixed {
  input x: f32[16]
  label y: i32
  // THROUGHORTHMIXED: {{.*}}structure_errors.wl:[[@LINE+1]]:71: error: constraint 'orthonormal' on structure 'kronecker' has no exact or sound form through its factors
  linear a: 16 -> 8 { weight = kronecker(a = [4, 2], b = [2, 8]) with orthonormal }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}
