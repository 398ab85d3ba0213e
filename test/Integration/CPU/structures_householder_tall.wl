// orthogonal(method = householder) with OUT > IN (W = the first IN columns of
// Q = H_1...H_k, the input zero-padded to n = OUT), with k < n and default k = n
// reflectors, plus a square one applied twice: the checks of CPU/structures.wl
// (Inputs/structures.py, model HouseholderTall): names and shapes (L.weight.v [k, n]),
// orthogonality, wl_get_weight == the explicit product of reflectors, sound bounds, the
// forward, gradients against torch float64 and finite differences of wl_loss, the
// shared layer's accumulated gradient.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/structures.py %t.so | FileCheck %s
// CHECK: OK param_names_shapes
// CHECK: OK params_trainable
// CHECK: OK layers
// CHECK: OK sizes
// CHECK: OK create_orth_hh1
// CHECK: OK create_weight_hh1
// CHECK: OK create_bound_hh1
// CHECK: OK create_orth_hh2
// CHECK: OK create_weight_hh2
// CHECK: OK create_bound_hh2
// CHECK: OK create_orth_hh3
// CHECK: OK create_weight_hh3
// CHECK: OK create_bound_hh3
// CHECK: OK create_weight_head
// CHECK: OK create_bound_head
// CHECK: OK set_param_roundtrip
// CHECK: OK weight_hh1
// CHECK: OK bound_hh1
// CHECK: OK weight_hh2
// CHECK: OK bound_hh2
// CHECK: OK weight_hh3
// CHECK: OK bound_hh3
// CHECK: OK weight_head
// CHECK: OK bound_head
// CHECK: OK forward
// CHECK: OK lipschitz
// CHECK: OK loss_value
// CHECK: OK grad_hh1.weight.v
// CHECK: OK grad_hh1.bias
// CHECK: OK grad_hh2.weight.v
// CHECK: OK grad_hh2.bias
// CHECK: OK grad_hh3.weight.v
// CHECK: OK grad_head.weight
// CHECK: OK grad_head.bias
// CHECK: OK fd_head.bias
// CHECK: OK fd_head.weight
// CHECK: OK fd_hh1.bias
// CHECK: OK fd_hh1.weight.v
// CHECK: OK fd_hh2.bias
// CHECK: OK fd_hh2.weight.v
// CHECK: OK fd_hh3.weight.v
// CHECK: OK loss_backward
// CHECK: OK shared_sum_hh3.weight.v
// CHECK: OK shared_not_single_hh3.weight.v

model HouseholderTall {
  input  x: f32[5]
  label  y: i32

  linear hh1: 5 -> 8   { weight = orthogonal(method = householder, reflectors = 3); bias = normal(std = 0.1) }
  linear hh2: 8 -> 11  { weight = orthogonal(method = householder) }
  linear hh3: 11 -> 11 { weight = orthogonal(method = householder, reflectors = 5); bias = none }
  linear head: 11 -> 3 { weight = dense }

  forward {
    h = tanh(hh1(x))
    h = tanh(hh2(h))
    h = tanh(hh3(h))
    h = tanh(hh3(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1) }
}
