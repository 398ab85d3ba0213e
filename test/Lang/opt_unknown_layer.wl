// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}opt_unknown_layer.wl:12:5: error: unknown layer 'fc2' in optimizer group
// CHECK-NEXT: {{^[ \t]*}}fc2.weight: sgd(lr = 0.1)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    fc2.weight: sgd(lr = 0.1)
    default: adamw(lr = 1e-3)
  }
}
