// `wlc --report` prints, per layer, the structure, each constraint with its
// method, the guarantee it gives in this configuration and why, and the
// parameter count; soft_cap's guarantee depends on the layer's optimizer.
// RUN: wlc --report %s 2>/dev/null | FileCheck %s
// RUN: wlc --report %s 2>&1 >/dev/null | FileCheck %s --check-prefix=WARN

// CHECK: model Report
// CHECK-NEXT: layer        structure  constraint guarantee    params   why
// CHECK-NEXT: fc1          dense      spectral_bound(1.00, normalize) conditional  544      exact up to the power-iteration estimate
// CHECK-NEXT: fc2          dense      spectral_bound(1.00, soft_cap) exact        1056     coupled to muon's update-norm bound
// CHECK-NEXT: fc3          dense      spectral_bound(1.00, soft_cap) heuristic    1056     adamw's update has no spectral-norm bound
// CHECK-NEXT: fc4          dense      spectral_bound(0.50, hard_cap, strict) exact 1024     strict: sound Gram-iteration bound
// CHECK-NEXT: head         dense      norm_bound(2.00, frobenius) exact        132      scaling projection
// CHECK-NEXT: rank_at_most(2) exact truncated SVD
// CHECK-NEXT: total parameters: 3812 (trainable 3812)

// WARN: report.wl:[[@LINE+8]]:46: warning: spectral_bound(1, method = soft_cap) is only a heuristic for this configuration: adamw's update has no spectral-norm bound
// WARN-NOT: warning

model Report {
  input x: f32[16]
  label y: i32
  linear fc1: 16 -> 32 { weight = dense with spectral_bound(1.0) }
  linear fc2: 32 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc3: 32 -> 32 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc4: 32 -> 32 { weight = dense with spectral_bound(0.5, method = hard_cap, strict = true); bias = none }
  linear head: 32 -> 4 { weight = dense with norm_bound(2.0) with rank_at_most(2) }
  forward {
    h = groupsort(fc1(x), 2)
    h = groupsort(fc2(h), 2)
    h = groupsort(fc3(h), 2)
    return head(fc4(h))
  }
  loss = cross_entropy(forward, y)
  optimize {
    fc2.weight: muon(lr = 0.02)
    default: adamw(lr = 1e-3)
  }
}
