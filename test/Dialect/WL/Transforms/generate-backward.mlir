// RUN: wl-opt --wl-generate-backward --split-input-file --verify-diagnostics %s | FileCheck %s

// Reverse-mode differentiation: @backward(%x, %dy) -> %dx and
// @loss_backward(%x, %labels) -> loss recompute the primal and append the
// VJP of every op, in reverse; trainable parameters get wl.grad_accumulate.

// linear: y = x Wᵀ  =>  dx = dy W,  dW = dyᵀ x.
wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x4xf32> {
  %w = wl.param_ref @w : tensor<4x8xf32>
  %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
// The forward function is kept unchanged.
// CHECK-LABEL: func.func @forward(
//       CHECK:   wl.linear
//   CHECK-NOT:   wl.matmul
//       CHECK:   return
// CHECK-LABEL: func.func @backward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>) -> tensor<?x8xf32>
//       CHECK:   %[[W:.+]] = wl.param_ref @w : tensor<4x8xf32>
//       CHECK:   wl.linear %[[X]], %[[W]]
//       CHECK:   %[[DX:.+]] = wl.matmul %[[DY]], %[[W]] : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
//       CHECK:   %[[DW:.+]] = wl.matmul %[[DY]], %[[X]] {transpose_lhs} : (tensor<?x4xf32>, tensor<?x8xf32>) -> tensor<4x8xf32>
//       CHECK:   wl.grad_accumulate @w, %[[DW]] : tensor<4x8xf32>
//       CHECK:   return %[[DX]] : tensor<?x8xf32>
// No @loss: no @loss_backward.
//   CHECK-NOT: @loss_backward

// -----

// bias_add: dx = dy, db = Σ_batch dy.
wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %b = wl.param_ref @b : tensor<4xf32>
  %y = wl.bias_add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
// CHECK-LABEL: func.func @backward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>)
//       CHECK:   wl.bias_add
//       CHECK:   %[[DB:.+]] = wl.reduce_batch %[[DY]] : (tensor<?x4xf32>) -> tensor<4xf32>
//       CHECK:   wl.grad_accumulate @b, %[[DB]] : tensor<4xf32>
//       CHECK:   return %[[DY]] : tensor<?x4xf32>

// -----

// Every activation differentiates through wl.activation_grad with its name,
// applied to the activation's input; identity passes the adjoint through.
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = wl.relu %x : tensor<?x4xf32>
  %1 = wl.gelu %0 : tensor<?x4xf32>
  %2 = wl.gelu_tanh %1 : tensor<?x4xf32>
  %3 = wl.tanh %2 : tensor<?x4xf32>
  %4 = wl.sigmoid %3 : tensor<?x4xf32>
  %5 = wl.abs %4 : tensor<?x4xf32>
  %6 = wl.identity %5 : tensor<?x4xf32>
  return %6 : tensor<?x4xf32>
}
// CHECK-LABEL: func.func @backward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>)
//       CHECK:   %[[R:.+]] = wl.relu %[[X]]
//       CHECK:   %[[G:.+]] = wl.gelu %[[R]]
//       CHECK:   %[[GT:.+]] = wl.gelu_tanh %[[G]]
//       CHECK:   %[[T:.+]] = wl.tanh %[[GT]]
//       CHECK:   %[[S:.+]] = wl.sigmoid %[[T]]
//       CHECK:   %[[A:.+]] = wl.abs %[[S]]
//       CHECK:   wl.identity %[[A]]
//   CHECK-NOT:   wl.activation_grad "identity"
//       CHECK:   %[[D5:.+]] = wl.activation_grad "abs" %[[S]], %[[DY]] : tensor<?x4xf32>
//       CHECK:   %[[D4:.+]] = wl.activation_grad "sigmoid" %[[T]], %[[D5]]
//       CHECK:   %[[D3:.+]] = wl.activation_grad "tanh" %[[GT]], %[[D4]]
//       CHECK:   %[[D2:.+]] = wl.activation_grad "gelu_tanh" %[[G]], %[[D3]]
//       CHECK:   %[[D1:.+]] = wl.activation_grad "gelu" %[[R]], %[[D2]]
// relu's mask is read from its output ([relu(x) > 0] = [x > 0]).
//       CHECK:   %[[D0:.+]] = wl.activation_grad "relu" %[[R]], %[[D1]]
//       CHECK:   return %[[D0]] : tensor<?x4xf32>

// -----

// groupsort routes the adjoint back through the sort of its input; scale
// multiplies the adjoint by the same factor.
func.func @forward(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %0 = wl.groupsort %x, 3 : tensor<?x6xf32>
  %1 = wl.scale %0, -2.500000e-01 : tensor<?x6xf32>
  return %1 : tensor<?x6xf32>
}
// CHECK-LABEL: func.func @backward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x6xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x6xf32>)
//       CHECK:   %[[DS:.+]] = wl.scale %[[DY]], -2.500000e-01 : tensor<?x6xf32>
//       CHECK:   %[[DX:.+]] = wl.groupsort_grad %[[X]], %[[DS]], 3 : tensor<?x6xf32>
//       CHECK:   return %[[DX]]

// -----

// A value used twice (the residual input, and %w by both layers) gets the sum
// of its adjoints, built with wl.add; the parameter is accumulated once.
wl.param @w : tensor<4x4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = wl.param_ref @w : tensor<4x4xf32>
  %h = wl.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %g = wl.linear %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = wl.add %g, %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
// CHECK-LABEL: func.func @backward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>)
//       CHECK:   %[[W:.+]] = wl.param_ref @w
//       CHECK:   %[[H:.+]] = wl.linear %[[X]], %[[W]]
//       CHECK:   wl.linear %[[H]], %[[W]]
//       CHECK:   wl.add
// Second layer: its input and weight adjoints.
//       CHECK:   %[[DH:.+]] = wl.matmul %[[DY]], %[[W]] :
//       CHECK:   %[[DW2:.+]] = wl.matmul %[[DY]], %[[H]] {transpose_lhs}
// First layer.
//       CHECK:   %[[DX1:.+]] = wl.matmul %[[DH]], %[[W]] :
//       CHECK:   %[[DW1:.+]] = wl.matmul %[[DH]], %[[X]] {transpose_lhs}
//   CHECK-DAG:   %[[DW:.+]] = wl.add %[[DW2]], %[[DW1]] : tensor<4x4xf32>
//   CHECK-DAG:   %[[DX:.+]] = wl.add %[[DY]], %[[DX1]] : tensor<?x4xf32>
//       CHECK:   wl.grad_accumulate @w, %[[DW]]
//   CHECK-NOT:   wl.grad_accumulate
//       CHECK:   return %[[DX]]

// -----

// A frozen (non-trainable) parameter gets no gradient; the trainable one does.
wl.param @frozen : tensor<4x4xf32> {init = #wl.init<kind = orthogonal>}
wl.param @b : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = wl.param_ref @frozen : tensor<4x4xf32>
  %h = wl.linear %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %b = wl.param_ref @b : tensor<4xf32>
  %y = wl.bias_add %h, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
// CHECK-LABEL: func.func @backward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x4xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x4xf32>)
//       CHECK:   %[[W:.+]] = wl.param_ref @frozen
//       CHECK:   wl.linear %[[X]], %[[W]]
//   CHECK-NOT:   wl.grad_accumulate @frozen
//       CHECK:   %[[DB:.+]] = wl.reduce_batch %[[DY]]
//       CHECK:   wl.grad_accumulate @b, %[[DB]]
//       CHECK:   %[[DX:.+]] = wl.matmul %[[DY]], %[[W]] :
//   CHECK-NOT:   wl.grad_accumulate
//       CHECK:   return %[[DX]]

// -----

// @loss_backward seeds the loss adjoint with 1.0, differentiates the loss
// through cross_entropy_grad (labels get no adjoint) and returns the loss.
wl.param @w : tensor<3x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x3xf32> {
  %w = wl.param_ref @w : tensor<3x8xf32>
  %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
func.func @loss(%x: tensor<?x8xf32>, %labels: tensor<?xi32>) -> f32 {
  %w = wl.param_ref @w : tensor<3x8xf32>
  %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
  %l = wl.cross_entropy %y, %labels : tensor<?x3xf32>, tensor<?xi32>
  return %l : f32
}
// CHECK-LABEL: func.func @backward(
//       CHECK:   wl.grad_accumulate @w
// CHECK-LABEL: func.func @loss(
//   CHECK-NOT:   wl.grad_accumulate
//       CHECK:   return
// CHECK-LABEL: func.func @loss_backward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[L:[a-zA-Z0-9_]+]]: tensor<?xi32>) -> f32
//       CHECK:   %[[W:.+]] = wl.param_ref @w
//       CHECK:   %[[Z:.+]] = wl.linear %[[X]], %[[W]]
//       CHECK:   %[[LOSS:.+]] = wl.cross_entropy %[[Z]], %[[L]]
//       CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//       CHECK:   %[[DZ:.+]] = wl.cross_entropy_grad %[[Z]], %[[L]], %[[ONE]] : tensor<?x3xf32>, tensor<?xi32>
//       CHECK:   %[[DW:.+]] = wl.matmul %[[DZ]], %[[X]] {transpose_lhs}
//       CHECK:   wl.grad_accumulate @w, %[[DW]]
//       CHECK:   return %[[LOSS]] : f32

// -----

// mse: the target is data and gets no adjoint.
wl.param @w : tensor<3x8xf32> {init = #wl.init<kind = zeros>, trainable}
func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x3xf32> {
  %w = wl.param_ref @w : tensor<3x8xf32>
  %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
func.func @loss(%x: tensor<?x8xf32>, %t: tensor<?x3xf32>) -> f32 {
  %w = wl.param_ref @w : tensor<3x8xf32>
  %y = wl.linear %x, %w : (tensor<?x8xf32>, tensor<3x8xf32>) -> tensor<?x3xf32>
  %l = wl.mse %y, %t : tensor<?x3xf32>
  return %l : f32
}
// CHECK-LABEL: func.func @loss_backward(
//  CHECK-SAME:     %[[X:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[T:[a-zA-Z0-9_]+]]: tensor<?x3xf32>) -> f32
//       CHECK:   %[[Z:.+]] = wl.linear %[[X]]
//       CHECK:   %[[LOSS:.+]] = wl.mse %[[Z]], %[[T]]
//       CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
//       CHECK:   %[[DZ:.+]] = wl.mse_grad %[[Z]], %[[T]], %[[ONE]] : tensor<?x3xf32>
//       CHECK:   %[[DW:.+]] = wl.matmul %[[DZ]], %[[X]] {transpose_lhs}
//       CHECK:   wl.grad_accumulate @w, %[[DW]]
//       CHECK:   return %[[LOSS]] : f32

// -----

// expected-error @+1 {{wl-generate-backward: no @forward function}}
module {
  func.func @loss(%x: tensor<?x8xf32>, %t: tensor<?x8xf32>) -> f32 {
    %l = wl.mse %x, %t : tensor<?x8xf32>
    return %l : f32
  }
}

// -----

// expected-error @+1 {{wl-generate-backward: @backward already exists}}
module {
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    return %x : tensor<?x8xf32>
  }
  func.func @backward(%x: tensor<?x8xf32>, %dy: tensor<?x8xf32>) -> tensor<?x8xf32> {
    return %dy : tensor<?x8xf32>
  }
}

// -----

// expected-error @+1 {{wl-generate-backward: @loss_backward already exists}}
module {
  func.func @forward(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    return %x : tensor<?x8xf32>
  }
  func.func private @loss_backward(%x: tensor<?x8xf32>, %t: tensor<?x8xf32>) -> f32
}

// -----

wl.param @w : tensor<4x8xf32> {init = #wl.init<kind = zeros>, trainable}
// expected-error @+1 {{the model output does not depend on its input}}
func.func @forward(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %w = wl.param_ref @w : tensor<4x8xf32>
  %y = wl.relu %w : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @forward(%x: tensor<?x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'wl.reduce_batch' op has no VJP rule (DifferentiableOpInterface)}}
  %r = wl.reduce_batch %x : (tensor<?x8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}
