// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}argument_twice.wl:12:23: error: argument 'lr' of 'sgd' given twice
// CHECK-NEXT: {{^[ \t]*}}default: sgd(0.1, lr = 0.2)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(0.1, lr = 0.2)
  }
}
