// RUN: wl-opt --wl-generate-backward %s | FileCheck %s

// A square Cayley weight that feeds one wl.linear gets its gradient from that
// layer's dy and x (cayley_linear_grad, with the forward's x Qᵀ): the n × n
// dyᵀx is never needed when the batch is small. One applied twice sums two
// dyᵀx and keeps cayley_grad.
wl.param @a.weight.S : tensor<6x6xf32> {init = #wl.init<kind = zeros>, trainable}
wl.param @b.weight.S : tensor<6x6xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %s = wl.param_ref @a.weight.S : tensor<6x6xf32>
  %q = wl.cayley %s : tensor<6x6xf32>
  %h = wl.linear %x, %q : (tensor<?x6xf32>, tensor<6x6xf32>) -> tensor<?x6xf32>
  %s2 = wl.param_ref @b.weight.S : tensor<6x6xf32>
  %q2 = wl.cayley %s2 : tensor<6x6xf32>
  %h2 = wl.linear %h, %q2 : (tensor<?x6xf32>, tensor<6x6xf32>) -> tensor<?x6xf32>
  %h3 = wl.linear %h2, %q2 : (tensor<?x6xf32>, tensor<6x6xf32>) -> tensor<?x6xf32>
  return %h3 : tensor<?x6xf32>
}

// CHECK-LABEL: func.func @backward(
//  CHECK-SAME: %[[X:[a-zA-Z0-9_]+]]: tensor<?x6xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x6xf32>
//       CHECK: %[[S:.+]] = wl.param_ref @a.weight.S
//       CHECK: %[[Q:.+]] = wl.cayley %[[S]]
//       CHECK: %[[H:.+]] = wl.linear %[[X]], %[[Q]]
//       CHECK: %[[S2:.+]] = wl.param_ref @b.weight.S
//       CHECK: %[[Q2:.+]] = wl.cayley %[[S2]]
//       CHECK: %[[DH2:.+]] = wl.matmul %[[DY]], %[[Q2]] :
//       CHECK: %[[DW1:.+]] = wl.matmul %[[DY]], %{{.+}} {transpose_lhs}
//       CHECK: %[[DH:.+]] = wl.matmul %[[DH2]], %[[Q2]] :
//       CHECK: %[[DW2:.+]] = wl.matmul %[[DH2]], %[[H]] {transpose_lhs}
//       CHECK: %[[SUM:.+]] = wl.add %[[DW1]], %[[DW2]]
//       CHECK: %[[DS2:.+]] = wl.cayley_grad %[[S2]], %[[Q2]], %[[SUM]]
//       CHECK: wl.grad_accumulate @b.weight.S, %[[DS2]]
//   CHECK-NOT: wl.cayley_grad
//       CHECK: %[[DS:.+]] = wl.cayley_linear_grad %[[S]], %[[Q]], %[[DH]], %[[X]], %[[H]] : tensor<6x6xf32>, tensor<?x6xf32>
//       CHECK: wl.grad_accumulate @a.weight.S, %[[DS]]
