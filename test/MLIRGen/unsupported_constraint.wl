// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// Constraints are not generated yet: the error points at the constraint.
model m {
  input x: f32[8]
  label y: i32
  // CHECK: {{.*}}unsupported_constraint.wl:[[@LINE+3]]:43: error: constraint 'spectral_bound' is not supported yet
  // CHECK-NEXT: {{^}}  linear fc: 8 -> 4 { weight = dense with spectral_bound(1.0) }
  // CHECK-NEXT: {{^[ \t]*\^$}}
  linear fc: 8 -> 4 { weight = dense with spectral_bound(1.0) }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
