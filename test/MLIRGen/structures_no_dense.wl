// RUN: wlc -emit=linalg %s | FileCheck %s
// Structured layers run at the cost of their structure: no entry point of
// training (forward, backward, loss, loss_backward, the optimizer step)
// holds a dense [OUT, IN] tensor of a low-rank, Kronecker, block-diagonal or
// Monarch layer (48x64, 40x48, 36x40, 36x36 here); only @wlgen_weight, which
// materialises W for wl_get_weight, does.
// CHECK-LABEL: func.func @wlgen_forward(
//   CHECK-NOT:   {{48x64|40x48|36x40|36x36}}xf32
// CHECK-LABEL: func.func @wlgen_backward(
//   CHECK-NOT:   {{48x64|40x48|36x40|36x36}}xf32
// CHECK-LABEL: func.func @wlgen_loss(
//   CHECK-NOT:   {{48x64|40x48|36x40|36x36}}xf32
// CHECK-LABEL: func.func @wlgen_loss_backward(
//   CHECK-NOT:   {{48x64|40x48|36x40|36x36}}xf32
// CHECK-LABEL: func.func @wlgen_weight(
//       CHECK:   tensor<48x64xf32>
//       CHECK:   tensor<40x48xf32>
//       CHECK:   tensor<36x40xf32>
//       CHECK:   tensor<36x36xf32>
// CHECK-LABEL: func.func private @step_0(
//   CHECK-NOT:   {{48x64|40x48|36x40|36x36}}xf32
// CHECK-LABEL: func.func @wlgen_step(
model NoDense {
  input x: f32[64]
  label y: i32
  linear lr: 64 -> 48 { weight = lowrank(rank = 4) }
  linear kr: 48 -> 40 { weight = kronecker(a = [8, 6], b = [5, 8], terms = 2) }
  linear bd: 40 -> 36 { weight = blockdiag(blocks = 4) }
  linear mo: 36 -> 36 { weight = monarch(blocks = 6) }
  forward { return mo(relu(bd(kr(lr(x))))) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}
