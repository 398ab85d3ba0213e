// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown_optimizer.wl:12:14: error: unknown optimizer 'adam' (expected one of: sgd, adamw, muon, lion, adamp)
// CHECK-NEXT: {{^[ \t]*}}default: adam(lr = 1e-3)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: adam(lr = 1e-3)
  }
}
