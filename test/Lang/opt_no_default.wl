// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}opt_no_default.wl:11:3: error: trainable tensor 'fc1.bias' has no optimizer: name it in a group or add 'default: ...'
// CHECK-NEXT: {{^[ \t]*}}optimize {
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    fc1.weight: sgd(lr = 0.1)
  }
}
