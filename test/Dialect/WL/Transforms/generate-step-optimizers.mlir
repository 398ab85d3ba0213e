// RUN: wl-opt --wl-generate-step --split-input-file %s | FileCheck %s

// The update op of each optimizer, in the tensor's own @step_<k> (marked
// `wl.updates = @<param>`), and the state it keeps on the wl.param.

// Muon keeps a momentum buffer and updates matrices with wl.muon_update.
wl.param @w : tensor<8x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "muon" [@w] {hyper = {lr = 2.000000e-02 : f64, momentum = 9.500000e-01 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 1.000000e-02 : f64}}
// CHECK: wl.param @w : tensor<8x4xf32> {{.*}}state = ["momentum_buffer"], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @w} {
//       CHECK:   %[[LR:.+]] = arith.mulf
//       CHECK:   %[[P:.+]] = wl.param_ref @w
//       CHECK:   %[[G:.+]] = wl.grad_ref @w
//       CHECK:   %[[M:.+]] = wl.state_ref @w["momentum_buffer"]
//       CHECK:   %[[NP:[a-zA-Z0-9_]+]], %[[NM:[a-zA-Z0-9_]+]] = wl.muon_update %[[P]], %[[G]], %[[M]], %[[LR]] {momentum = 0.94999999999999996 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 1.000000e-02 : f64} : tensor<8x4xf32>
//       CHECK:   wl.param_store @w, %[[NP]]
//       CHECK:   wl.state_store @w["momentum_buffer"], %[[NM]]
//  CHECK-NEXT:   return

// -----

// Lion keeps one moment (exp_avg).
wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "lion" [@b] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 9.900000e-01 : f64, lr = 1.000000e-04 : f64, weight_decay = 0.000000e+00 : f64}}
// CHECK: wl.param @b : tensor<4xf32> {{.*}}state = ["exp_avg"], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     attributes {wl.updates = @b} {
//       CHECK:   %[[M:.+]] = wl.state_ref @b["exp_avg"]
//       CHECK:   %[[NP:[a-zA-Z0-9_]+]], %[[NM:[a-zA-Z0-9_]+]] = wl.lion_update %{{.+}}, %{{.+}}, %[[M]], %{{.+}} {beta1 = 9.000000e-01 : f64, beta2 = 0.98999999999999999 : f64, weight_decay = 0.000000e+00 : f64} : tensor<4xf32>
//       CHECK:   wl.param_store @b, %[[NP]]
//       CHECK:   wl.state_store @b["exp_avg"], %[[NM]]
//  CHECK-NEXT:   return

// -----

// AdamP keeps Adam's two moments and uses the step count.
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.optimizer_group "adamp" [@w] {hyper = {beta1 = 9.000000e-01 : f64, beta2 = 9.990000e-01 : f64, delta = 1.000000e-01 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64, wd_ratio = 1.000000e-01 : f64, weight_decay = 1.000000e-02 : f64}}
// CHECK: wl.param @w : tensor<4x4xf32> {{.*}}state = ["exp_avg", "exp_avg_sq"], trainable}
// CHECK-LABEL: func.func private @step_0(
//  CHECK-SAME:     %[[T:[a-zA-Z0-9_]+]]: i64) attributes {wl.updates = @w} {
//       CHECK:   wl.adamp_update {{.*}}, %[[T]] {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, delta = 1.000000e-01 : f64, eps = 1.000000e-08 : f64, wd_ratio = 1.000000e-01 : f64, weight_decay = 1.000000e-02 : f64} : tensor<4x4xf32>
//       CHECK:   wl.state_store @w["exp_avg"]
//       CHECK:   wl.state_store @w["exp_avg_sq"]
//  CHECK-NEXT:   return
