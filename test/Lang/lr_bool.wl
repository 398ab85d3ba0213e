// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}lr_bool.wl:12:18: error: argument 'lr' of 'sgd' must be a number, got boolean true
// CHECK-NEXT: {{^[ \t]*}}default: sgd(lr = true)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(lr = true)
  }
}
