// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
  optimize {
    fc.weight: sgd(lr = 0.1)
    // CHECK: {{.*}}unsupported_lion.wl:[[@LINE+3]]:14: error: optimizer 'lion' is not supported yet
    // CHECK-NEXT: {{^}}    default: lion(lr = 1e-4)
    // CHECK-NEXT: {{^[ \t]*\^$}}
    default: lion(lr = 1e-4)
  }
}
