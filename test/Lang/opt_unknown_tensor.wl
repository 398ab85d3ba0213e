// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}opt_unknown_tensor.wl:12:5: error: layer 'fc1' has no tensor 'fc1.weight.U' (it has fc1.weight, fc1.bias)
// CHECK-NEXT: {{^[ \t]*}}fc1.weight.U: sgd(lr = 0.1)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    fc1.weight.U: sgd(lr = 0.1)
    default: adamw(lr = 1e-3)
  }
}
