// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}muon_vector.wl:12:5: error: muon cannot train the vector 'fc1.bias' (muon orthogonalises matrices); give it another optimizer
// CHECK-NEXT: {{^[ \t]*}}default: muon(lr = 0.02)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: muon(lr = 0.02)
  }
}
