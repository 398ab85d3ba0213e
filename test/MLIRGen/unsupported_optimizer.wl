// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// muon (and lion, adamp) are checked by the frontend but not generated yet.
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4 { bias = none }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
  optimize {
    // CHECK: {{.*}}unsupported_optimizer.wl:[[@LINE+3]]:14: error: optimizer 'muon' is not supported yet
    // CHECK-NEXT: {{^}}    default: muon(lr = 0.02)
    // CHECK-NEXT: {{^[ \t]*\^$}}
    default: muon(lr = 0.02)
  }
}
