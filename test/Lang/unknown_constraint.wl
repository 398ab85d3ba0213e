// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown_constraint.wl:8:47: error: unknown constraint 'lipschitz' in layer 'fc1' (expected one of: spectral_bound, orthonormal, rank_at_most, norm_bound)
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense with lipschitz(1.0) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense with lipschitz(1.0) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
