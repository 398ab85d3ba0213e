// RUN: wl-opt --wl-generate-backward %s | FileCheck %s

// VJPs of the sequence ops (SequenceOps.cpp) in a token model: the
// embeddings scatter-add into their tables (the ids get no adjoint, and
// @backward of a token model has no dx), attention's VJP gets the saved row
// statistics, and mean pooling spreads dy over the positions.
wl.param @tok.weight : tensor<50x16xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @pos.weight : tensor<8x16xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @q.weight : tensor<16x16xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%ids: tensor<?x8xi32>) -> tensor<?x16xf32> {
  %e = wl.param_ref @tok.weight : tensor<50x16xf32>
  %x = wl.embedding %e, %ids : (tensor<50x16xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
  %p = wl.positions %ids {length = 8 : i64} : tensor<?x8xi32> -> tensor<?x8xi32>
  %pe = wl.param_ref @pos.weight : tensor<8x16xf32>
  %y = wl.embedding %pe, %p : (tensor<8x16xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
  %h = wl.add %x, %y : tensor<?x16xf32>
  %wq = wl.param_ref @q.weight : tensor<16x16xf32>
  %q = wl.linear %h, %wq : (tensor<?x16xf32>, tensor<16x16xf32>) -> tensor<?x16xf32>
  %o:2 = wl.attention %q, %h, %h {length = 8 : i64, heads = 2 : i64, causal = true, scale = 0.35355339059327373 : f64, rope = true, rope_base = 10000.0 : f64} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x2xf32>)
  %m = wl.mean_pool %o#0 {length = 8 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %m : tensor<?x16xf32>
}
// CHECK-LABEL: func.func @backward(
// CHECK-SAME: %[[IDS:[a-zA-Z0-9_]+]]: tensor<?x8xi32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x16xf32>) {
// CHECK: %[[E:.+]] = wl.param_ref @tok.weight
// CHECK: %[[P:.+]] = wl.positions %[[IDS]]
// CHECK: %[[H:.+]] = wl.add
// CHECK: %[[Q:.+]] = wl.linear %[[H]]
// CHECK: %[[O:.+]], %[[S:.+]] = wl.attention %[[Q]], %[[H]], %[[H]]
// CHECK: %[[DO:.+]] = wl.mean_pool_grad %[[DY]] {length = 8 : i64} : (tensor<?x16xf32>) -> tensor<?x16xf32>
// CHECK: %[[DQ:.+]], %[[DK:.+]], %[[DV:.+]] = wl.attention_grad %[[Q]], %[[H]], %[[H]], %[[O]], %[[S]], %[[DO]] {causal = true, heads = 2 : i64, length = 8 : i64, rope = true, rope_base = 1.000000e+04 : f64, scale = {{.+}} : f64}
// CHECK: wl.embedding_grad %[[P]], %{{.+}} : (tensor<?x8xi32>, tensor<?x16xf32>) -> tensor<8x16xf32>
// CHECK: wl.grad_accumulate @pos.weight
// CHECK: wl.embedding_grad %[[IDS]], %{{.+}} : (tensor<?x8xi32>, tensor<?x16xf32>) -> tensor<50x16xf32>
// CHECK: wl.grad_accumulate @tok.weight
// CHECK-NEXT: return
