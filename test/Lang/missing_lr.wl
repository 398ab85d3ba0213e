// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}missing_lr.wl:12:14: error: missing required argument 'lr' of 'adamw' (a number)
// CHECK-NEXT: {{^[ \t]*}}default: adamw(weight_decay = 0.1)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: adamw(weight_decay = 0.1)
  }
}
