// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// Constraints on factored structures are not enforced through the structure
// yet: the error points at the constraint.
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4 {
    // CHECK: {{.*}}unsupported_structure.wl:[[@LINE+3]]:37: error: constraint 'spectral_bound' on structure 'lowrank' is not supported yet
    // CHECK-NEXT: {{^}}    weight = lowrank(rank = 2) with spectral_bound(1.0)
    // CHECK-NEXT: {{^[ \t]*\^$}}
    weight = lowrank(rank = 2) with spectral_bound(1.0)
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
