// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// muon named on a bias in an explicit group (muon_vector.wl: through default:).
// CHECK: {{.*}}muon_named_bias.wl:15:17: error: muon cannot train the vector 'fc1.bias' (muon orthogonalises matrices); give it another optimizer
// CHECK-NEXT: {{^[ \t]*}}fc1.weight, fc1.bias: muon(lr = 0.02)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  linear head: 10 -> 10 { bias = none }
  forward { return head(relu(fc1(x))) }
  loss = cross_entropy(forward, y)
  optimize {
    head.weight: muon
    fc1.weight, fc1.bias: muon(lr = 0.02)
    default: adamw(lr = 1e-3)
  }
}
