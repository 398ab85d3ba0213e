// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_optimize_missing_colon.wl:12:16: error: unexpected identifier 'muon', expected ':' or ','
// CHECK-NEXT: {{^[ \t]*}}fc1.weight muon(lr = 0.02)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    fc1.weight muon(lr = 0.02)
  }
}
