// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}schedule_negative_warmup.wl:13:38: error: argument 'warmup' of 'warmup_cosine' must be >= 0, got -1
// CHECK-NEXT: {{^[ \t]*}}schedule: warmup_cosine(warmup = -1, total = 100)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(lr = 0.1)
    schedule: warmup_cosine(warmup = -1, total = 100)
  }
}
