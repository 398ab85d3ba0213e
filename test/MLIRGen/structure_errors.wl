// RUN: not wlc -emit=wl --model=BelowOne %s 2>&1 | FileCheck %s --check-prefix=BELOW
// RUN: not wlc -emit=wl --model=NormOnSvd %s 2>&1 | FileCheck %s --check-prefix=NORM
// RUN: not wlc -emit=wl --model=RankOnOrthogonal %s 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not wlc -emit=wl --model=PolarBelowOne %s 2>&1 | FileCheck %s --check-prefix=POLAR
// Constraints a structure cannot satisfy or does not enforce yet: errors at
// the constraint.

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
