// mse (mean over all elements, f32 targets): wl_loss and its gradient against the
// reference and finite differences (Inputs/loss_grad.py).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/loss_grad.py %t.so | FileCheck %s
// CHECK: OK label_kind
// CHECK: OK loss_value
// CHECK: OK loss_is_batch_mean
// CHECK-NOT: loss_stable_logsumexp
// CHECK: OK reference_grad_vs_fd64
// CHECK: OK loss_grad_fc1.weight
// CHECK: OK loss_grad_fc1.bias
// CHECK: OK loss_grad_fc2.weight
// CHECK: OK loss_grad_out.weight
// CHECK: OK loss_grad_out.bias
// CHECK: OK loss_grad_vs_fd_of_wl_loss

model MseNet {
  input  x: f32[6]
  target y: f32[3]

  linear fc1: 6 -> 10 { weight = dense; bias = zeros }
  linear fc2: 10 -> 10 { weight = dense; bias = none }
  linear out: 10 -> 3 { weight = dense; bias = zeros }

  forward {
    h = sigmoid(fc1(x))
    h = 0.5 * h + gelu(fc2(h))
    return out(tanh(h))
  }

  loss = mse(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
