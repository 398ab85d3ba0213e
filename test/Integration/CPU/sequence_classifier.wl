// A float-sequence classifier: input f32[T, d] with a declared domain,
// position-wise layers, non-causal attention with the default scale,
// mean_pool, and a flattening layer on the same input (the position-wise
// rule's fallback), against a float64 PyTorch reference: forward, every
// gradient and dx, one SGD step, and the runtime's refusal of a position
// outside the domain.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/sequence_classifier.py %t.so | FileCheck %s
// CHECK: OK reference_vs_fd64
// CHECK: OK forward_b4
// CHECK: OK grad_inp.weight
// CHECK: OK grad_flat.weight
// CHECK: OK grad_head.bias
// CHECK: OK grad_dx
// CHECK: OK loss
// CHECK: OK step_sgd
// CHECK: OK outside_domain
// CHECK: OK unchanged_after_error

model SeqCls {
  input  x: f32[6, 4] with norm_bound(2, norm = row)
  label  y: i32

  linear inp: 4 -> 8
  linear q: 8 -> 8 { bias = none }
  linear k: 8 -> 8 { bias = none }
  linear v: 8 -> 8 { bias = none }
  linear flat: 24 -> 8 { bias = none }
  linear head: 8 -> 3

  forward {
    h = inp(x)
    h = h + attention(q(h), k(h), v(h), heads = 2)
    return head(mean_pool(relu(h)) + 0.5 * flat(x))
  }

  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1, momentum = 0.9) }
}
