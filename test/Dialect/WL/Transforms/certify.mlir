// RUN: wl-opt --wl-certify --split-input-file --verify-diagnostics %s | FileCheck %s

// The certificate's composition: input, layers (bounded at run time from the
// current weights), activation constants with their magnitude rules, residual
// sums; a layer's own bias adds to its magnitude only, in the runtime.
// h = sigmoid(fc1(x)); h = h + fc2(relu(h)); return head(0.5 * h)
// CHECK: module attributes {wl.certificate = [
// CHECK-SAME: {op = "input"},
// CHECK-SAME: {arg = 0 : i64, layer = "fc1", op = "layer"},
// CHECK-SAME: {arg = 1 : i64, factor = 2.500000e-01 : f64, magnitude = "sigmoid", op = "activation", width = 8 : i64},
// CHECK-SAME: {arg = 2 : i64, factor = 1.000000e+00 : f64, magnitude = "keep", op = "activation", width = 8 : i64},
// CHECK-SAME: {arg = 3 : i64, layer = "fc2", op = "layer"},
// CHECK-SAME: {args = [2, 4], op = "add"},
// CHECK-SAME: {arg = 5 : i64, factor = 5.000000e-01 : f64, op = "scale"},
// CHECK-SAME: {arg = 6 : i64, layer = "head", op = "layer"}]}
module {
  wl.param @fc1.weight : tensor<8x4xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @fc1.bias : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @fc2.weight : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @head.weight : tensor<2x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @fc1 : 4 -> 8 {bias = @fc1.bias, structure = [#wl.structure<dense>], weight = @fc1.weight}
  wl.layer @fc2 : 8 -> 8 {structure = [#wl.structure<dense>], weight = @fc2.weight}
  wl.layer @head : 8 -> 2 {structure = [#wl.structure<dense>], weight = @head.weight}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
    %w1 = wl.param_ref @fc1.weight : tensor<8x4xf32>
    %b1 = wl.param_ref @fc1.bias : tensor<8xf32>
    %0 = wl.linear %x, %w1 : (tensor<?x4xf32>, tensor<8x4xf32>) -> tensor<?x8xf32>
    %1 = wl.bias_add %0, %b1 : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %2 = wl.sigmoid %1 : tensor<?x8xf32>
    %3 = wl.relu %2 : tensor<?x8xf32>
    %w2 = wl.param_ref @fc2.weight : tensor<8x8xf32>
    %4 = wl.linear %3, %w2 : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    %5 = wl.add %2, %4 : tensor<?x8xf32>
    %6 = wl.scale %5, 5.000000e-01 : tensor<?x8xf32>
    %w3 = wl.param_ref @head.weight : tensor<2x8xf32>
    %7 = wl.linear %6, %w3 : (tensor<?x8xf32>, tensor<2x8xf32>) -> tensor<?x2xf32>
    return %7 : tensor<?x2xf32>
  }
}

// -----

// expected-error @+1 {{wl-certify: no @forward function with a body}}
module {
  func.func private @forward(tensor<?x4xf32>) -> tensor<?x4xf32>
}

// -----

// Ops MLIRGen tags with one `wl.application` id form one layer node whatever
// the structure builds inside (here Cayley + corner block; a second
// application of the same layer is its own node); its argument is the one
// operand from outside the application.
// CHECK: module attributes {wl.certificate = [
// CHECK-SAME: {op = "input"},
// CHECK-SAME: {arg = 0 : i64, layer = "q", op = "layer"},
// CHECK-SAME: {arg = 1 : i64, factor = 1.000000e+00 : f64, magnitude = "keep", op = "activation", width = 4 : i64},
// CHECK-SAME: {arg = 2 : i64, layer = "q", op = "layer"}]}
module {
  wl.param @q.weight.S : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @q.bias : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @q : 4 -> 4 {bias = @q.bias, factors = [@q.weight.S], structure = [#wl.structure<orthogonal_cayley>], weight = @q.weight.S}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %s = wl.param_ref @q.weight.S {wl.application = 0 : i64, wl.layer = "q"} : tensor<4x4xf32>
    %q = wl.cayley %s {wl.application = 0 : i64, wl.layer = "q"} : tensor<4x4xf32>
    %y = wl.linear %x, %q {wl.application = 0 : i64, wl.layer = "q"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %b = wl.param_ref @q.bias {wl.application = 0 : i64, wl.layer = "q"} : tensor<4xf32>
    %z = wl.bias_add %y, %b {wl.application = 0 : i64, wl.layer = "q"} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %h = wl.tanh %z : tensor<?x4xf32>
    %s2 = wl.param_ref @q.weight.S {wl.application = 1 : i64, wl.layer = "q"} : tensor<4x4xf32>
    %q2 = wl.cayley %s2 {wl.application = 1 : i64, wl.layer = "q"} : tensor<4x4xf32>
    %y2 = wl.linear %h, %q2 {wl.application = 1 : i64, wl.layer = "q"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    return %y2 : tensor<?x4xf32>
  }
}

// -----

module {
  wl.param @q.weight.S : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @q : 4 -> 4 {factors = [@q.weight.S], structure = [#wl.structure<orthogonal_cayley>], weight = @q.weight.S}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %y = wl.relu %x : tensor<?x4xf32>
    %s = wl.param_ref @q.weight.S {wl.application = 0 : i64, wl.layer = "q"} : tensor<4x4xf32>
    %q = wl.cayley %s {wl.application = 0 : i64, wl.layer = "q"} : tensor<4x4xf32>
    %a = wl.linear %x, %q {wl.application = 0 : i64, wl.layer = "q"} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    // expected-error @+1 {{'wl.add' op layer application with two inputs; cannot certify}}
    %b = wl.add %a, %y {wl.application = 0 : i64, wl.layer = "q"} : tensor<?x4xf32>
    return %b : tensor<?x4xf32>
  }
}
