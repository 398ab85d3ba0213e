// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}opt_named_twice.wl:13:5: error: 'fc1.weight' is already in an optimizer group (at 12:5)
// CHECK-NEXT: {{^[ \t]*}}fc1.weight, fc1.bias: muon
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    fc1.weight: sgd(lr = 0.1)
    fc1.weight, fc1.bias: muon
    default: adamw(lr = 1e-3)
  }
}
