// Every optimizer of LANGUAGE.md becomes a wl.optimizer_group with its
// hyperparameters (defaults filled in), and wl-generate-step picks the update op.
// RUN: wlc -emit=wl %s | FileCheck %s
// RUN: wlc -emit=step %s | FileCheck %s --check-prefix=STEP

// CHECK: wl.optimizer_group "muon" [@fc1.weight] {hyper = {lr = 2.000000e-02 : f64, momentum = 0.94999999999999996 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64}}
// CHECK: wl.optimizer_group "adamp" [@fc2.weight] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, delta = 1.000000e-01 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-02 : f64, wd_ratio = 1.000000e-01 : f64, weight_decay = 1.000000e-02 : f64}}
// CHECK: wl.optimizer_group "lion" [@head.weight, @head.bias] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 0.98999999999999999 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-01 : f64}}
// CHECK: wl.optimizer_group "sgd" [@fc1.bias, @fc2.bias]

// STEP-LABEL: func.func private @step_0
// STEP: wl.muon_update {{.*}} {momentum = 0.94999999999999996 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64} : tensor<48x20xf32>
// STEP-LABEL: func.func private @step_1
// STEP: wl.adamp_update
// STEP-LABEL: func.func private @step_2
// STEP-COUNT-2: wl.lion_update
// STEP-LABEL: func.func private @step_3
// STEP-COUNT-2: wl.sgd_update

model AllOptimizers {
  input x: f32[20]
  label y: i32
  linear fc1: 20 -> 48
  linear fc2: 48 -> 16
  linear head: 16 -> 4
  forward {
    h = relu(fc1(x))
    h = tanh(fc2(h))
    return head(h)
  }
  loss = cross_entropy(forward, y)
  optimize {
    fc1.weight: muon()
    fc2.weight: adamp(lr = 1e-2)
    head.weight, head.bias: lion(lr = 1e-3, weight_decay = 0.1)
    default: sgd(lr = 0.1)
  }
}
