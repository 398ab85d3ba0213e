// RUN: wlc -emit=wl --model=LM %s | FileCheck %s --check-prefix=LM
// RUN: wlc -emit=wl --model=Cls %s | FileCheck %s --check-prefix=CLS
// RUN: wlc -emit=wl --model=Image %s | FileCheck %s --check-prefix=IMG
// Sequence models in the wl dialect: a [T, d] value is kept as rows
// [B·T, d], so a position-wise layer is one product over every position;
// token ids are [B, T] i32; attention carries its arguments (the default
// scale 1/sqrt(D/H)); per-position labels are [B·T] values. The metadata
// names the sequence (input_kind, token_limit, shapes, label_size).

// LM-LABEL: module attributes {wl.model = {input_kind = 1 : i64, input_shape = [8], input_size = 8 : i64, label_kind = 0 : i64, label_size = 8 : i64, model = "LM", output_shape = [8, 11], output_size = 88 : i64, sequence_length = 8 : i64, target_size = 1 : i64, token_limit = 11 : i64}}
// LM: wl.param @tok.weight : tensor<11x16xf32> {init = #wl.init<kind = normal, std = 1.000000e+00>
// LM: wl.layer @tok : 16 -> 11 {embedding, structure = [#wl.structure<dense>], weight = @tok.weight}
// LM-LABEL: func.func @forward(%arg0: tensor<?x8xi32>) -> tensor<?x88xf32>
// LM: %[[TOK:.*]] = wl.param_ref @tok.weight {wl.application = 0 : i64, wl.layer = "tok"} : tensor<11x16xf32>
// LM: %[[E:.*]] = wl.embedding %[[TOK]], %arg0 {wl.application = 0 : i64, wl.layer = "tok"} : (tensor<11x16xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
// LM: %[[IDS:.*]] = wl.positions %arg0 {length = 8 : i64} : tensor<?x8xi32> -> tensor<?x8xi32>
// LM: wl.embedding %{{.*}}, %[[IDS]]
// LM: %[[H:.*]] = wl.add %[[E]], %{{.*}} : tensor<?x16xf32>
// LM: %[[Q:.*]] = wl.linear %[[H]], %{{.*}} : (tensor<?x16xf32>, tensor<16x16xf32>) -> tensor<?x16xf32>
// LM: %out, %stats = wl.attention %[[Q]], %{{.*}}, %{{.*}} {causal = true, heads = 4 : i64, length = 8 : i64, rope = true, rope_base = 5.000000e+02 : f64, scale = 5.000000e-01 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x4xf32>)
// LM: %[[LOGITS:.*]] = wl.bias_add {{.*}} -> tensor<?x11xf32>
// LM: %[[SPLIT:.*]] = wl.reshape %[[LOGITS]] : (tensor<?x11xf32>) -> tensor<?x8x11xf32>
// LM: %[[FLAT:.*]] = wl.reshape %[[SPLIT]] : (tensor<?x8x11xf32>) -> tensor<?x88xf32>
// LM: return %[[FLAT]] : tensor<?x88xf32>
// LM-LABEL: func.func @loss(%arg0: tensor<?x8xi32>, %arg1: tensor<?xi32>) -> f32
// LM-NOT: wl.reshape
// LM: wl.cross_entropy %{{.*}}, %arg1 : tensor<?x11xf32>, tensor<?xi32>
model LM {
  input  tokens: i32[8]
  label  next: i32[8]
  embedding tok: 11 -> 16
  embedding pos: 8 -> 16
  linear q: 16 -> 16 { bias = none }
  linear head: 16 -> 11
  forward {
    h = tok(tokens) + pos(positions)
    h = h + attention(q(h), h, h, heads = 4, causal = true, rope = true, rope_base = 500)
    return head(h)
  }
  loss = cross_entropy(forward, next)
}

// A float sequence: rows only where a position-wise op needs them; the
// flattening layer reads the input as [B, T·d]; mean_pool returns [B, d].
// CLS-LABEL: module attributes {wl.model = {input_domain = {bound = 2.000000e+00 : f64, norm = "row", row_size = 4 : i64}, input_shape = [6, 4], input_size = 24 : i64, label_kind = 0 : i64, model = "Cls", output_shape = [3], output_size = 3 : i64, sequence_length = 6 : i64, target_size = 1 : i64}}
// CLS-LABEL: func.func @forward(%arg0: tensor<?x24xf32>) -> tensor<?x3xf32>
// CLS: %[[S:.*]] = wl.reshape %arg0 : (tensor<?x24xf32>) -> tensor<?x6x4xf32>
// CLS: %[[R:.*]] = wl.reshape %[[S]] : (tensor<?x6x4xf32>) -> tensor<?x4xf32>
// CLS: wl.linear %[[R]], {{.*}} -> tensor<?x8xf32>
// CLS: wl.mean_pool %{{.*}} {length = 6 : i64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
// CLS: wl.linear %arg0, {{.*}} : (tensor<?x24xf32>, tensor<8x24xf32>) -> tensor<?x8xf32>
model Cls {
  input  x: f32[6, 4] with norm_bound(2, norm = row)
  label  y: i32
  linear inp: 4 -> 8
  linear flat: 24 -> 8
  linear head: 8 -> 3
  forward {
    return head(mean_pool(relu(inp(x))) + flat(x))
  }
  loss = cross_entropy(forward, y)
}

// An image only flattened is not a sequence model: no sequence metadata.
// IMG-LABEL: module attributes {wl.model = {input_size = 784 : i64, label_kind = 0 : i64, model = "Image", output_size = 10 : i64, target_size = 1 : i64}}
// IMG-LABEL: func.func @forward(%arg0: tensor<?x784xf32>) -> tensor<?x10xf32>
// IMG-NOT: wl.reshape
// IMG: return
model Image {
  input  x: f32[28, 28]
  label  y: i32
  linear fc: 784 -> 10
  forward {
    return fc(relu(x))
  }
  loss = cross_entropy(forward, y)
}
