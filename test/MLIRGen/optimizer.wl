// RUN: wlc -emit=wl %s --model=Groups | FileCheck %s
// RUN: wlc -emit=wl %s --model=Implicit | FileCheck %s --check-prefix=IMPLICIT
// One wl.optimizer_group per group with its trainable tensors (in parameter
// order) and every hyperparameter filled in; the default group takes the
// rest; the schedule is one wl.schedule.

// CHECK-LABEL: module attributes {wl.model = {{.*}}model = "Groups"
// A layer name selects all of its tensors; sgd defaults momentum 0,
// nesterov false, weight_decay 0.
//       CHECK:   wl.optimizer_group "sgd" [@a.weight, @a.bias, @b.weight] {hyper = {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true, weight_decay = 0.000000e+00 : f64}}
//  CHECK-NEXT:   wl.optimizer_group "adamw" [@c.bias] {hyper = {beta1 = 8.000000e-01 : f64, beta2 = 9.000000e-01 : f64, eps = 9.9999999999999995E-7 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-01 : f64}}
// default: what no group named.
//  CHECK-NEXT:   wl.optimizer_group "sgd" [@b.bias, @c.weight] {hyper = {lr = 5.000000e-02 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
//  CHECK-NEXT:   wl.schedule "warmup_linear" {total = 50 : i64, warmup = 5 : i64}
//  CHECK-NEXT:   func.func @forward
model Groups {
  input x: f32[4]
  label y: i32
  linear a: 4 -> 4
  linear b: 4 -> 4
  linear c: 4 -> 2
  forward { return c(b(a(x))) }
  loss = cross_entropy(forward, y)
  optimize {
    a, b.weight: sgd(lr = 0.1, momentum = 0.9, nesterov = true)
    c.bias: adamw(lr = 1e-3, betas = (0.8, 0.9), eps = 1e-6, weight_decay = 0.1)
    default: sgd(lr = 0.05)
    schedule: warmup_linear(warmup = 5, total = 50)
  }
}

// No optimize block: one adamw(lr = 1e-3) group with PyTorch's defaults, and
// no wl.schedule (constant).
// IMPLICIT-LABEL: module attributes {wl.model = {{.*}}model = "Implicit"
//       IMPLICIT:   wl.optimizer_group "adamw" [@fc.weight, @fc.bias] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-02 : f64}}
//   IMPLICIT-NOT:   wl.optimizer_group
//   IMPLICIT-NOT:   wl.schedule
//       IMPLICIT:   func.func @forward
model Implicit {
  input x: f32[4]
  label y: i32
  linear fc: 4 -> 2
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
