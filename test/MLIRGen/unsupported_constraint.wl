// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// orthonormal is checked by the frontend but not generated yet: the error points at it.
model m {
  input x: f32[8]
  label y: i32
  // CHECK: {{.*}}unsupported_constraint.wl:[[@LINE+3]]:43: error: constraint 'orthonormal' is not supported yet
  // CHECK-NEXT: {{^}}  linear fc: 8 -> 8 { weight = dense with orthonormal }
  // CHECK-NEXT: {{^[ \t]*\^$}}
  linear fc: 8 -> 8 { weight = dense with orthonormal }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
