// RUN: wl-opt --wl-assign-arena --wl-certify --wl-emit-metadata --split-input-file --verify-diagnostics %s | FileCheck %s

// The runtime's model description (runtime/include/wl/wlgen.h): a
// NUL-terminated JSON document (keys sorted) in the constant global
// @wlgen_metadata. The wl declarations stay for the lowering.

module attributes {wl.model = {input_size = 4 : i64, label_kind = 0 : i64, model = "Res", output_size = 4 : i64, target_size = 1 : i64}} {
  wl.param @fc.weight : tensor<4x4xf32> {init = #wl.init<kind = normal, std = 5.000000e-01>, state = ["exp_avg", "exp_avg_sq"], trainable}
  wl.param @fc.bias : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @g.weight : tensor<4x4xf32> {init = #wl.init<kind = uniform, a = 2.500000e-01>, trainable}
  wl.layer @fc : 4 -> 4 {bias = @fc.bias, structure = [#wl.structure<dense>], weight = @fc.weight}
  wl.layer @g : 4 -> 4 {structure = [#wl.structure<dense>], weight = @g.weight}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @fc.weight : tensor<4x4xf32>
    %y = wl.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %b = wl.param_ref @fc.bias : tensor<4xf32>
    %z = wl.bias_add %y, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %s = wl.sigmoid %z : tensor<?x4xf32>
    %gw = wl.param_ref @g.weight : tensor<4x4xf32>
    %h = wl.linear %s, %gw : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %k = wl.scale %h, -2.0 : tensor<?x4xf32>
    %o = wl.add %k, %x : tensor<?x4xf32>
    %q = wl.groupsort %o, 2 : tensor<?x4xf32>
    %r = wl.gelu %q : tensor<?x4xf32>
    return %r : tensor<?x4xf32>
  }
}

// CHECK-LABEL: module attributes {wl.arena_size = 128 : i64
//       CHECK:   llvm.mlir.global external constant @wlgen_metadata("{
// The wl.model attributes, the ABI version and the arena size.
//  CHECK-SAME:     \22abi\22:1,\22arena_size\22:128,\22input_size\22:4,\22label_kind\22:0,
// Layers; "bias" is "" without a bias, "bound" the certificate's rule.
//  CHECK-SAME:     \22layers\22:[
//  CHECK-SAME:       {\22bias\22:\22fc.bias\22,\22bound\22:\22gram\22,\22in\22:4,\22name\22:\22fc\22,\22out\22:4,\22structure\22:\22dense\22,\22weight\22:\22fc.weight\22},
//  CHECK-SAME:       {\22bias\22:\22\22,\22bound\22:\22gram\22,\22in\22:4,\22name\22:\22g\22,\22out\22:4,\22structure\22:\22dense\22,\22weight\22:\22g.weight\22}],
// The forward graph in SSA order: bias_add is transparent (Lipschitz 1),
// sigmoid is 1/4 (with its magnitude rule), a scale by -2 is |-2|, the residual is an add of nodes 4
// and 0 (the input), groupsort is 1, gelu 1.13; the last node is the output.
//  CHECK-SAME:     \22lipschitz\22:[
//  CHECK-SAME:       {\22op\22:\22input\22},
//  CHECK-SAME:       {\22arg\22:0,\22layer\22:\22fc\22,\22op\22:\22layer\22},
//  CHECK-SAME:       {\22arg\22:1,\22factor\22:0.25,\22magnitude\22:\22sigmoid\22,\22op\22:\22activation\22,\22width\22:4},
//  CHECK-SAME:       {\22arg\22:2,\22layer\22:\22g\22,\22op\22:\22layer\22},
//  CHECK-SAME:       {\22arg\22:3,\22factor\22:2,\22op\22:\22scale\22},
//  CHECK-SAME:       {\22args\22:[4,0],\22op\22:\22add\22},
//  CHECK-SAME:       {\22arg\22:5,\22factor\22:1,\22magnitude\22:\22keep\22,\22op\22:\22activation\22,\22width\22:4},
//  CHECK-SAME:       {\22arg\22:6,\22factor\22:1.129{{[0-9]*}},\22magnitude\22:\22keep\22,\22op\22:\22activation\22,\22width\22:4}],
//  CHECK-SAME:     \22model\22:\22Res\22,\22output_size\22:4,
// Parameters with their arena layout and inits, in declaration order.
//  CHECK-SAME:     \22params\22:[
//  CHECK-SAME:       {\22grad_offset\22:48,\22init\22:{\22kind\22:\22normal\22,\22std\22:0.5},\22name\22:\22fc.weight\22,\22offset\22:0,\22shape\22:[4,4],
//  CHECK-SAME:        \22state\22:[{\22name\22:\22exp_avg\22,\22offset\22:96},{\22name\22:\22exp_avg_sq\22,\22offset\22:112}],\22trainable\22:true},
//  CHECK-SAME:       {\22grad_offset\22:64,\22init\22:{\22kind\22:\22zeros\22},\22name\22:\22fc.bias\22,\22offset\22:16,\22shape\22:[4],\22state\22:[],\22trainable\22:true},
//  CHECK-SAME:       {\22grad_offset\22:80,\22init\22:{\22a\22:0.25,\22kind\22:\22uniform\22},\22name\22:\22g.weight\22,\22offset\22:32,\22shape\22:[4,4],\22state\22:[],\22trainable\22:true}],
//  CHECK-SAME:     \22target_size\22:1}\00")
//       CHECK:   wl.param @fc.weight
//       CHECK:   wl.layer @fc
//       CHECK:   func.func @forward

// -----

// When the output is not the last node, an identity scale re-points to it.
module attributes {wl.model = {input_size = 4 : i64, label_kind = 1 : i64, model = "Tail", output_size = 4 : i64, target_size = 4 : i64}} {
  wl.param @fc.weight : tensor<4x4xf32> {init = #wl.init<kind = orthogonal>, trainable}
  wl.layer @fc : 4 -> 4 {structure = [#wl.structure<dense>], weight = @fc.weight}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @fc.weight : tensor<4x4xf32>
    %h = wl.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    %unused = wl.tanh %h : tensor<?x4xf32>
    return %h : tensor<?x4xf32>
  }
}
// CHECK-LABEL: module attributes {wl.arena_size = 32 : i64
//       CHECK:   @wlgen_metadata(
//  CHECK-SAME:     \22label_kind\22:1,
//  CHECK-SAME:     \22lipschitz\22:[{\22op\22:\22input\22},{\22arg\22:0,\22layer\22:\22fc\22,\22op\22:\22layer\22},{\22arg\22:1,\22factor\22:1,\22magnitude\22:\22keep\22,\22op\22:\22activation\22,\22width\22:4},{\22arg\22:1,\22factor\22:1,\22op\22:\22scale\22}],
//  CHECK-SAME:     \22model\22:\22Tail\22,
//  CHECK-SAME:     \22target_size\22:4}\00")

// -----

// expected-error @+1 {{wl-emit-metadata needs the wl.model, wl.arena_size and wl.certificate attributes (run wl-assign-arena and wl-certify first)}}
module {
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    return %x : tensor<?x4xf32>
  }
}

// -----

// A linear whose weight is no declared layer's cannot be certified.
module attributes {wl.model = {input_size = 4 : i64, label_kind = 0 : i64, model = "M", output_size = 4 : i64, target_size = 1 : i64}} {
  wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @w : tensor<4x4xf32>
    // expected-error @+1 {{'wl.linear' op weight is not a declared layer's; cannot certify}}
    %y = wl.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    return %y : tensor<?x4xf32>
  }
}

// -----

module attributes {wl.model = {input_size = 4 : i64, label_kind = 0 : i64, model = "M", output_size = 4 : i64, target_size = 1 : i64}} {
  wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
  func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = wl.param_ref @w : tensor<4x4xf32>
    // expected-error @+1 {{'wl.matmul' op has no Lipschitz rule for the certificate}}
    %y = wl.matmul %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    return %y : tensor<?x4xf32>
  }
}
