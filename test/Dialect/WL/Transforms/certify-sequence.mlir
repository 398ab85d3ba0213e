// RUN: wl-opt --wl-certify --split-input-file --verify-diagnostics %s | FileCheck %s

// A token model's block (ALGORITHMS.md, "Certificates of sequence models"):
// the input is measured per position; the token embedding is the
// certificate's input, the positions' embedding a constant; q, k, v are layer
// nodes the runtime slices per head; rms_norm and sigmoid carry their
// magnitude rules; mean_pool ends the sequence (its output is l2).
// CHECK-LABEL: module attributes {wl.certificate = [
// CHECK-SAME: {length = 4 : i64, norm = "row", op = "input"},
// CHECK-SAME: {arg = 0 : i64, layer = "E", op = "embedding"},
// CHECK-SAME: {length = 4 : i64, op = "positions"},
// CHECK-SAME: {arg = 2 : i64, layer = "P", op = "embedding"},
// CHECK-SAME: {args = [1, 3], op = "add"},
// CHECK-SAME: {arg = 4 : i64, layer = "q", op = "layer"},
// CHECK-SAME: {arg = 4 : i64, layer = "k", op = "layer"},
// CHECK-SAME: {arg = 4 : i64, layer = "v", op = "layer"},
// CHECK-SAME: {args = [5, 6, 7], heads = 2 : i64, op = "attention", scale = 1.250000e-01 : f64},
// CHECK-SAME: {args = [4, 8], op = "add"},
// CHECK-SAME: {arg = 9 : i64, eps = 1.000000e-02 : f64, kind = "rms", op = "row_norm", width = 8 : i64},
// CHECK-SAME: {arg = 10 : i64, factor = 2.500000e-01 : f64, magnitude = "sigmoid", op = "activation", width = 8 : i64},
// CHECK-SAME: {arg = 11 : i64, op = "mean_pool"},
// CHECK-SAME: {arg = 12 : i64, layer = "head", op = "layer"}]
// CHECK-SAME: wl.certificate_notes = ["input: norm max over the 4 positions of the l2 norm; the embedding's output (token ids)",
// CHECK-SAME: "embedding E (node 1): the certificate's input; M = its largest row norm, L = 1",
// CHECK-SAME: "embedding P of positions (node 3): independent of the input; M = the largest norm of its first 4 rows, L = 0",
// CHECK-SAME: "attention (node 8, 2 heads, scale 0.125): {{.*}}: finite",
// CHECK-SAME: "output: norm l2"]
module attributes {wl.model = {input_kind = 1 : i64, input_shape = [4], input_size = 4 : i64, model = "Tiny", sequence_length = 4 : i64, token_limit = 16 : i64}} {
  wl.param @E.weight : tensor<16x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @P.weight : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @q.weight : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @q.bias : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @k.weight : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @v.weight : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @head.weight : tensor<3x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @E : 8 -> 16 {embedding, structure = [#wl.structure<dense>], weight = @E.weight}
  wl.layer @P : 8 -> 4 {embedding, structure = [#wl.structure<dense>], weight = @P.weight}
  wl.layer @q : 8 -> 8 {bias = @q.bias, structure = [#wl.structure<dense>], weight = @q.weight}
  wl.layer @k : 8 -> 8 {structure = [#wl.structure<dense>], weight = @k.weight}
  wl.layer @v : 8 -> 8 {structure = [#wl.structure<dense>], weight = @v.weight}
  wl.layer @head : 8 -> 3 {structure = [#wl.structure<dense>], weight = @head.weight}
  func.func @forward(%ids: tensor<?x4xi32>) -> tensor<?x3xf32> {
    %te = wl.param_ref @E.weight {wl.application = 0 : i64, wl.layer = "E"} : tensor<16x8xf32>
    %x = wl.embedding %te, %ids {wl.application = 0 : i64, wl.layer = "E"} : (tensor<16x8xf32>, tensor<?x4xi32>) -> tensor<?x8xf32>
    %pos = wl.positions %ids {length = 4 : i64} : tensor<?x4xi32> -> tensor<?x4xi32>
    %tp = wl.param_ref @P.weight {wl.application = 1 : i64, wl.layer = "P"} : tensor<4x8xf32>
    %pe = wl.embedding %tp, %pos {wl.application = 1 : i64, wl.layer = "P"} : (tensor<4x8xf32>, tensor<?x4xi32>) -> tensor<?x8xf32>
    %h = wl.add %x, %pe : tensor<?x8xf32>
    %wq = wl.param_ref @q.weight {wl.application = 2 : i64, wl.layer = "q"} : tensor<8x8xf32>
    %q0 = wl.linear %h, %wq {wl.application = 2 : i64, wl.layer = "q"} : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    %bq = wl.param_ref @q.bias {wl.application = 2 : i64, wl.layer = "q"} : tensor<8xf32>
    %q = wl.bias_add %q0, %bq {wl.application = 2 : i64, wl.layer = "q"} : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %wk = wl.param_ref @k.weight {wl.application = 3 : i64, wl.layer = "k"} : tensor<8x8xf32>
    %k = wl.linear %h, %wk {wl.application = 3 : i64, wl.layer = "k"} : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    %wv = wl.param_ref @v.weight {wl.application = 4 : i64, wl.layer = "v"} : tensor<8x8xf32>
    %v = wl.linear %h, %wv {wl.application = 4 : i64, wl.layer = "v"} : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    %o, %stats = wl.attention %q, %k, %v {length = 4 : i64, heads = 2 : i64, causal = true, scale = 0.125 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x2xf32>)
    %r = wl.add %h, %o : tensor<?x8xf32>
    %n = wl.row_norm <rms> %r, 1.000000e-02 : tensor<?x8xf32>
    %s = wl.sigmoid %n : tensor<?x8xf32>
    %pool = wl.mean_pool %s {length = 4 : i64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
    %wh = wl.param_ref @head.weight {wl.application = 5 : i64, wl.layer = "head"} : tensor<3x8xf32>
    %y = wl.linear %pool, %wh {wl.application = 5 : i64, wl.layer = "head"} : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
}

// -----

// A float sequence f32[4, 2] read per position (reshaped to rows), then
// flattened into a layer of IN = 8: the flat read costs √4 ("flatten"). No
// declared domain: the attention's certificate is +inf, and the notes say why.
// The layer over the whole sequence leaves an l2-measured value (width 8):
// its l2 bound is also one in the per-position norm.
// CHECK-LABEL: module attributes {wl.certificate = [
// CHECK-SAME: {length = 4 : i64, norm = "row", op = "input"},
// CHECK-SAME: {arg = 0 : i64, layer = "w", op = "layer"},
// CHECK-SAME: {args = [1, 1, 0], heads = 1 : i64, op = "attention", scale = 5.000000e-01 : f64},
// CHECK-SAME: {arg = 2 : i64, length = 4 : i64, op = "flatten"},
// CHECK-SAME: {arg = 3 : i64, layer = "flat", op = "layer"},
// CHECK-SAME: {arg = 4 : i64, factor = 1.000000e+00 : f64, magnitude = "keep", op = "activation", width = 8 : i64}]
// CHECK-SAME: "attention (node 2, 1 heads, scale 0.5): {{.*}}: +inf: its query, key or value has no finite magnitude bound (the float input has no declared domain (`with norm_bound(c, norm = row)`))",
// CHECK-SAME: "flatten (node 3): 4 positions read as one l2 vector: M and L times sqrt(4)",
// CHECK-SAME: "output: norm l2"]
module attributes {wl.model = {input_shape = [4, 2], input_size = 8 : i64, model = "Seq", sequence_length = 4 : i64}} {
  wl.param @w.weight : tensor<2x2xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.param @flat.weight : tensor<8x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @w : 2 -> 2 {structure = [#wl.structure<dense>], weight = @w.weight}
  wl.layer @flat : 8 -> 8 {structure = [#wl.structure<dense>], weight = @flat.weight}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %s = wl.reshape %x : (tensor<?x8xf32>) -> tensor<?x4x2xf32>
    %rows = wl.reshape %s : (tensor<?x4x2xf32>) -> tensor<?x2xf32>
    %ww = wl.param_ref @w.weight {wl.application = 0 : i64, wl.layer = "w"} : tensor<2x2xf32>
    %q = wl.linear %rows, %ww {wl.application = 0 : i64, wl.layer = "w"} : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
    %o, %st = wl.attention %q, %q, %rows {length = 4 : i64, heads = 1 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?x1xf32>)
    %s2 = wl.reshape %o : (tensor<?x2xf32>) -> tensor<?x4x2xf32>
    %f = wl.reshape %s2 : (tensor<?x4x2xf32>) -> tensor<?x8xf32>
    %wf = wl.param_ref @flat.weight {wl.application = 1 : i64, wl.layer = "flat"} : tensor<8x8xf32>
    %y = wl.linear %f, %wf {wl.application = 1 : i64, wl.layer = "flat"} : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    %s3 = wl.reshape %y : (tensor<?x8xf32>) -> tensor<?x4x2xf32>
    %r = wl.reshape %s3 : (tensor<?x4x2xf32>) -> tensor<?x2xf32>
    %a = wl.relu %r : tensor<?x2xf32>
    %s4 = wl.reshape %a : (tensor<?x2xf32>) -> tensor<?x4x2xf32>
    %out = wl.reshape %s4 : (tensor<?x4x2xf32>) -> tensor<?x8xf32>
    return %out : tensor<?x8xf32>
  }
}

// -----

// f32[4, 2] without a domain and only flattened into a layer: not a sequence
// model, so the certificate is today's l2 one and has no notes.
// CHECK-LABEL: module attributes {wl.certificate = [
// CHECK-SAME: {op = "input"},
// CHECK-SAME: {arg = 0 : i64, layer = "fc", op = "layer"},
// CHECK-SAME: {arg = 1 : i64, factor = 1.130000e+00 : f64, magnitude = "keep", op = "activation", width = 3 : i64}]
// CHECK-NOT: wl.certificate_notes
module attributes {wl.model = {input_shape = [4, 2], input_size = 8 : i64, model = "Flat", sequence_length = 4 : i64}} {
  wl.param @fc.weight : tensor<3x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @fc : 8 -> 3 {structure = [#wl.structure<dense>], weight = @fc.weight}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x3xf32> {
    %w = wl.param_ref @fc.weight {wl.application = 0 : i64, wl.layer = "fc"} : tensor<3x8xf32>
    %y = wl.linear %x, %w {wl.application = 0 : i64, wl.layer = "fc"} : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
    %g = wl.gelu %y : tensor<?x3xf32>
    return %g : tensor<?x3xf32>
  }
}

// -----

// The same input declared `with norm_bound(2, norm = row)`: a sequence model
// (its domain is per position), so the flat read costs √4.
// CHECK-LABEL: module attributes {wl.certificate = [
// CHECK-SAME: {length = 4 : i64, norm = "row", op = "input"},
// CHECK-SAME: {arg = 0 : i64, length = 4 : i64, op = "flatten"},
// CHECK-SAME: {arg = 1 : i64, layer = "fc", op = "layer"}]
// CHECK-SAME: "input: norm max over the 4 positions of the l2 norm; M = 2 (declared row bound)"
module attributes {wl.model = {input_domain = {bound = 2.0 : f64, norm = "row", row_size = 2 : i64}, input_shape = [4, 2], input_size = 8 : i64, model = "Dom", sequence_length = 4 : i64}} {
  wl.param @fc.weight : tensor<3x8xf32> {init = #wl.init<kind = zeros>, trainable}
  wl.layer @fc : 8 -> 3 {structure = [#wl.structure<dense>], weight = @fc.weight}
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x3xf32> {
    %w = wl.param_ref @fc.weight {wl.application = 0 : i64, wl.layer = "fc"} : tensor<3x8xf32>
    %y = wl.linear %x, %w {wl.application = 0 : i64, wl.layer = "fc"} : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
}

// -----

// The attention's row statistics have no Lipschitz rule of their own.
module {
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x2xf32> {
    %s = wl.reshape %x : (tensor<?x8xf32>) -> tensor<?x4x2xf32>
    %rows = wl.reshape %s : (tensor<?x4x2xf32>) -> tensor<?x2xf32>
    %o, %st = wl.attention %rows, %rows, %rows {length = 4 : i64, heads = 2 : i64, causal = false, scale = 0.5 : f64, rope = false, rope_base = 10000.0 : f64} : (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>)
    // expected-error @+1 {{'wl.add' op adds a value the certificate has no node for; cannot certify}}
    %b = wl.add %o, %st : tensor<?x2xf32>
    return %b : tensor<?x2xf32>
  }
}
