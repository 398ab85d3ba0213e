// Every optimizer of LANGUAGE.md becomes a wl.optimizer_group with its
// hyperparameters (defaults filled in), and wl-generate-step picks the update
// op: one @step_<k> per trainable tensor (`wl.updates` names it), k in step
// order -- the groups in order (the default group last here), each group's
// tensors in order -- and @step calls them in that order, then @step_finish.
// RUN: wlc -emit=wl %s | FileCheck %s
// RUN: wlc -emit=step %s | FileCheck %s --check-prefix=STEP

// CHECK: wl.optimizer_group "muon" [@fc1.weight] {hyper = {lr = 2.000000e-02 : f64, momentum = 0.94999999999999996 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64}}
// CHECK: wl.optimizer_group "adamp" [@fc2.weight] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, delta = 1.000000e-01 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-02 : f64, wd_ratio = 1.000000e-01 : f64, weight_decay = 1.000000e-02 : f64}}
// CHECK: wl.optimizer_group "lion" [@head.weight, @head.bias] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 0.98999999999999999 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-01 : f64}}
// CHECK: wl.optimizer_group "sgd" [@fc1.bias, @fc2.bias]

// STEP-LABEL: func.func private @step_0(
//  STEP-SAME:   attributes {wl.updates = @fc1.weight} {
//       STEP:   wl.muon_update {{.*}} {momentum = 0.94999999999999996 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64} : tensor<48x20xf32>
// STEP-LABEL: func.func private @step_1(
//  STEP-SAME:   attributes {wl.updates = @fc2.weight} {
//       STEP:   wl.adamp_update {{.*}} : tensor<16x48xf32>
// STEP-LABEL: func.func private @step_2(
//  STEP-SAME:   attributes {wl.updates = @head.weight} {
//       STEP:   wl.lion_update {{.*}} : tensor<4x16xf32>
// STEP-LABEL: func.func private @step_3(
//  STEP-SAME:   attributes {wl.updates = @head.bias} {
//       STEP:   wl.lion_update {{.*}} : tensor<4xf32>
// STEP-LABEL: func.func private @step_4(
//  STEP-SAME:   attributes {wl.updates = @fc1.bias} {
//       STEP:   wl.sgd_update {{.*}} : tensor<48xf32>
// STEP-LABEL: func.func private @step_5(
//  STEP-SAME:   attributes {wl.updates = @fc2.bias} {
//       STEP:   wl.sgd_update {{.*}} : tensor<16xf32>
// STEP-LABEL: func.func @step(
//  STEP-SAME:   %[[T:[a-zA-Z0-9_]+]]: i64) {
//  STEP-NEXT:   call @step_0(%[[T]])
//  STEP-NEXT:   call @step_1(%[[T]])
//  STEP-NEXT:   call @step_2(%[[T]])
//  STEP-NEXT:   call @step_3(%[[T]])
//  STEP-NEXT:   call @step_4(%[[T]])
//  STEP-NEXT:   call @step_5(%[[T]])
//  STEP-NEXT:   call @step_finish(%[[T]])
//  STEP-NEXT:   return

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
