// Certificates of a dense model: each layer's bound against an independent SVD
// (sound: >= sigma_max, and tight), and the model's bound against the composition
// of those sigmas through sigmoid (1/4), a residual (1 + L) and a scalar product.
// Then, per layer, weights set through wl_set_param: 36 random ones (7 distributions,
// scale 1e-3..1e3) and adversarial ones (clustered / k-fold equal top singular values,
// scaled orthogonal, rank 1, one huge entry, condition 1e12 and 1e30, subnormal and
// near-float32-max scales, zero): bound >= numpy's float64 sigma_max of the stored
// float32 matrix (no tolerance) and <= 1.05 sigma_max (here n = min(OUT, IN) <= 32,
// so the Gram iteration's worst case n^(1/128) is < 1.028); the model bound for random
// weight sets; non-finite weights give -1. Inputs/certificate.py documents the checks;
// CPU/certificate_shapes.wl runs them on tall, wide, vector and 576 x 576 layers.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/certificate.py %t.so | FileCheck %s
// CHECK: OK layer_bound_fc1
// CHECK: OK layer_bound_fc2
// CHECK: OK layer_bound_head
// CHECK: OK lipschitz_composition
// CHECK: OK lipschitz_after_training
// CHECK: OK bad_layer_name
// CHECK: OK random_fc1
// CHECK: OK clustered_fc1
// CHECK: OK orthogonal_fc1
// CHECK: OK rank1_fc1
// CHECK: OK huge_entry_fc1
// CHECK: OK ill_cond_fc1
// CHECK: OK extreme_fc1
// CHECK: OK random_fc2
// CHECK: OK clustered_fc2
// CHECK: OK orthogonal_fc2
// CHECK: OK rank1_fc2
// CHECK: OK huge_entry_fc2
// CHECK: OK ill_cond_fc2
// CHECK: OK extreme_fc2
// CHECK: OK random_head
// CHECK: OK clustered_head
// CHECK: OK orthogonal_head
// CHECK: OK rank1_head
// CHECK: OK huge_entry_head
// CHECK: OK ill_cond_head
// CHECK: OK extreme_head
// CHECK: OK lipschitz_random
// CHECK: OK nonfinite_weight

model CertNet {
  input  x: f32[24]
  label  y: i32

  linear fc1: 24 -> 32
  linear fc2: 32 -> 32
  linear head: 32 -> 5 { bias = none }

  forward {
    h = sigmoid(fc1(x))
    h = h + fc2(gelu(h))
    return head(0.5 * h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.5) }
}
