// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// A constraint on an adapter term whose algebra gives no factor its share of
// the bound yet (loldu: ΔW = s·(PL)_r diag(z) U_r with non-orthonormal frozen
// factors): the error points at the constraint.
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 8 {
    // CHECK: {{.*}}unsupported_structure.wl:[[@LINE+3]]:63: error: constraint 'spectral_bound' on structure 'loldu' is not supported yet
    // CHECK-NEXT: {{^}}    weight = frozen(init = orthogonal) + loldu(rank = 2) with spectral_bound(1.0)
    // CHECK-NEXT: {{^[ \t]*\^$}}
    weight = frozen(init = orthogonal) + loldu(rank = 2) with spectral_bound(1.0)
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
