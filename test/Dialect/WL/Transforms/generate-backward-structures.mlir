// RUN: wl-opt --wl-generate-backward %s | FileCheck %s

// VJPs of the structure ops (StructureOps.cpp): Cayley through its solve
// (cayley_grad, fed the primal Q), the corner block by zero padding, the
// matrix exponential through its Fréchet derivative, Householder by the
// reversed reflections, and the per-column scaling of diagonal and svd.
wl.param @a.weight.S : tensor<6x6xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @b.weight.S : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @c.weight.v : tensor<2x4xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @d.weight.d : tensor<3xf32> {init = #wl.init<kind = ones>, trainable}
func.func @forward(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
  %s = wl.param_ref @a.weight.S : tensor<6x6xf32>
  %q = wl.cayley %s : tensor<6x6xf32>
  %w = wl.leading_block %q : (tensor<6x6xf32>) -> tensor<4x6xf32>
  %h = wl.linear %x, %w : (tensor<?x6xf32>, tensor<4x6xf32>) -> tensor<?x4xf32>
  %s2 = wl.param_ref @b.weight.S : tensor<4x4xf32>
  %e = wl.exp_skew %s2 : tensor<4x4xf32>
  %et = wl.transpose %e : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %h2 = wl.linear %h, %et : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %v = wl.param_ref @c.weight.v : tensor<2x4xf32>
  %h3 = wl.householder %h2, %v : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x3xf32>
  %d = wl.param_ref @d.weight.d : tensor<3xf32>
  %y = wl.scale_columns %h3, %d : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
// CHECK-LABEL: func.func @backward(
// CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x6xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x3xf32>
// The primal first.
// CHECK: %[[S:.+]] = wl.param_ref @a.weight.S
// CHECK: %[[Q:.+]] = wl.cayley %[[S]]
// CHECK: %[[W:.+]] = wl.leading_block %[[Q]]
// CHECK: %[[H:.+]] = wl.linear %[[X]], %[[W]]
// CHECK: %[[S2:.+]] = wl.param_ref @b.weight.S
// CHECK: %[[E:.+]] = wl.exp_skew %[[S2]]
// CHECK: %[[ET:.+]] = wl.transpose %[[E]]
// CHECK: %[[H2:.+]] = wl.linear %[[H]], %[[ET]]
// CHECK: %[[V:.+]] = wl.param_ref @c.weight.v
// CHECK: %[[H3:.+]] = wl.householder %[[H2]], %[[V]]
// CHECK: %[[D:.+]] = wl.param_ref @d.weight.d
// Then the adjoints in reverse: y = h3·d per column.
// CHECK: %[[DH3:.+]] = wl.scale_columns %[[DY]], %[[D]]
// CHECK: %[[DD:.+]] = wl.column_dot %[[H3]], %[[DY]]
// CHECK: wl.grad_accumulate @d.weight.d, %[[DD]]
// CHECK: %[[DH2:.+]], %[[DV:.+]] = wl.householder_grad %[[H2]], %[[V]], %[[DH3]]
// CHECK: wl.grad_accumulate @c.weight.v, %[[DV]]
// CHECK: %[[DET:.+]] = wl.matmul %[[DH2]], %[[H]] {transpose_lhs}
// CHECK: %[[DE:.+]] = wl.transpose %[[DET]]
// CHECK: %[[DS2:.+]] = wl.exp_skew_grad %[[S2]], %[[DE]]
// CHECK: wl.grad_accumulate @b.weight.S, %[[DS2]]
// CHECK: %[[DW:.+]] = wl.matmul %{{.+}}, %[[X]] {transpose_lhs}
// CHECK: %[[DQ:.+]] = wl.embed_block %[[DW]] : (tensor<4x6xf32>) -> tensor<6x6xf32>
// CHECK: %[[DS:.+]] = wl.cayley_grad %[[S]], %[[Q]], %[[DQ]]
// CHECK: wl.grad_accumulate @a.weight.S, %[[DS]]
