// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// A constraint on a structure that has no form for it yet (sst: its rounds
// re-decompose the weight; a bound would have to survive them): the error
// points at the constraint.
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 8 {
    // CHECK: {{.*}}unsupported_structure.wl:[[@LINE+3]]:45: error: constraint 'spectral_bound' on structure 'sst' is not supported yet
    // CHECK-NEXT: {{^}}    weight = sst(rank = 2, every = 10) with spectral_bound(1.0)
    // CHECK-NEXT: {{^[ \t]*\^$}}
    weight = sst(rank = 2, every = 10) with spectral_bound(1.0)
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
