// "step_tensors": the pieces of a sharded step, in @step's order, each with the
// parameter it updates and its estimated flops; a piece that writes another
// tensor is an error (emit-metadata-step-tensors-errors.mlir).
// RUN: wl-opt --wl-generate-step --wl-assign-arena --wl-certify --wl-emit-metadata %s | FileCheck %s

// Muon on a 4 x 8 matrix: 5 Newton–Schulz steps of 4·s²·l + 2·s³ flops
// (s = 4, l = 8) = 3200, plus one pass over each tensor read (param, grad,
// momentum: 3 · 32 = 96). SGD without momentum on [8]: one pass over the
// param, the grad and the update (3 · 8 = 24).
module attributes {wl.model = {input_size = 8 : i64, label_kind = 0 : i64, model = "Pieces", output_size = 4 : i64, target_size = 1 : i64}} {
  wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @b : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.optimizer_group "muon" [@w] {hyper = {lr = 2.000000e-02 : f64, momentum = 9.500000e-01 : f64, nesterov = true, ns_steps = 5 : i64, weight_decay = 0.000000e+00 : f64}}
  wl.layer @fc : 8 -> 4 {structure = [#wl.structure<dense>], weight = @w}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @w : tensor<4x8xf32>
    %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
    return %y : tensor<?x4xf32>
  }
  wl.optimizer_group "sgd" [@b] {hyper = {lr = 1.000000e-01 : f64, momentum = 0.000000e+00 : f64, nesterov = false, weight_decay = 0.000000e+00 : f64}}
}
// CHECK: @wlgen_metadata(
// CHECK-SAME: \22step_tensors\22:[{\22flops\22:3296,\22param\22:\22w\22},{\22flops\22:24,\22param\22:\22b\22}]
