// cross_entropy (mean over the batch, stable log-sum-exp, i32 labels): wl_loss and its
// gradient against the reference and finite differences (Inputs/loss_grad.py).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/loss_grad.py %t.so | FileCheck %s
// CHECK: OK label_kind
// CHECK: OK loss_value
// CHECK: OK loss_is_batch_mean
// CHECK: OK loss_stable_logsumexp
// CHECK: OK reference_grad_vs_fd64
// CHECK: OK loss_grad_fc1.weight
// CHECK: OK loss_grad_fc1.bias
// CHECK: OK loss_grad_fc2.weight
// CHECK: OK loss_grad_fc2.bias
// CHECK: OK loss_grad_head.weight
// CHECK: OK loss_grad_head.bias
// CHECK: OK loss_grad_vs_fd_of_wl_loss

model CrossEntropyNet {
  input  x: f32[10]
  label  y: i32

  linear fc1: 10 -> 12 { weight = dense; bias = zeros }
  linear fc2: 12 -> 12 { weight = dense; bias = zeros }
  linear head: 12 -> 4 { weight = dense; bias = zeros }

  forward {
    h = tanh(fc1(x))
    h = h + gelu(fc2(h))
    return head(gelu_tanh(h))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
