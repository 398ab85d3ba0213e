// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown_schedule.wl:13:15: error: unknown schedule 'step_decay' (expected one of: constant, warmup_linear, warmup_cosine)
// CHECK-NEXT: {{^[ \t]*}}schedule: step_decay(gamma = 0.1)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(lr = 0.1)
    schedule: step_decay(gamma = 0.1)
  }
}
