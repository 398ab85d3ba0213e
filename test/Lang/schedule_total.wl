// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}schedule_total.wl:13:43: error: schedule total = 100 must be larger than warmup = 100
// CHECK-NEXT: {{^[ \t]*}}schedule: warmup_linear(warmup = 100, total = 100)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(lr = 0.1)
    schedule: warmup_linear(warmup = 100, total = 100)
  }
}
