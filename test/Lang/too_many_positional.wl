// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}too_many_positional.wl:12:39: error: too many positional arguments to 'sgd' (it takes 4)
// CHECK-NEXT: {{^[ \t]*}}default: sgd(0.1, 0.9, true, 0.0, 1)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(0.1, 0.9, true, 0.0, 1)
  }
}
