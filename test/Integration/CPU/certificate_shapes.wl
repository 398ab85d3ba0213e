// Certificates on layers of many shapes: tall (100 x 3), wide (7 x 100), a row
// (1 x 7) and a column (64 x 1) vector, 576 x 64, 576 x 576, 2 x 576; the same checks
// as certificate.wl (Inputs/certificate.py: random and adversarial weights per layer,
// sound with no tolerance, within 5 % of sigma_max, the model bound).
// `sq` is 576 x 576 on purpose: with T = 6 Gram iterations the bound of a matrix with
// n = min(OUT, IN) equal singular values would be n^(1/128) sigma_max = 1.0509 sigma_max
// there (> 1.05 for any n > 515). The runtime takes more iterations for such n (T = 7:
// 576^(1/256) = 1.0251), so the 5 % check is unconditional on every layer.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/certificate.py %t.so | FileCheck %s
// CHECK: OK layer_bound_tall
// CHECK: OK layer_bound_wide
// CHECK: OK layer_bound_row
// CHECK: OK layer_bound_col
// CHECK: OK layer_bound_big
// CHECK: OK layer_bound_sq
// CHECK: OK layer_bound_head
// CHECK: OK lipschitz_composition
// CHECK: OK lipschitz_after_training
// CHECK: OK bad_layer_name
// CHECK: OK random_tall
// CHECK: OK clustered_tall
// CHECK: OK orthogonal_tall
// CHECK: OK rank1_tall
// CHECK: OK huge_entry_tall
// CHECK: OK ill_cond_tall
// CHECK: OK extreme_tall
// CHECK: OK random_wide
// CHECK: OK clustered_wide
// CHECK: OK orthogonal_wide
// CHECK: OK rank1_wide
// CHECK: OK huge_entry_wide
// CHECK: OK ill_cond_wide
// CHECK: OK extreme_wide
// CHECK: OK random_row
// CHECK: OK clustered_row
// CHECK: OK orthogonal_row
// CHECK: OK rank1_row
// CHECK: OK huge_entry_row
// CHECK: OK ill_cond_row
// CHECK: OK extreme_row
// CHECK: OK random_col
// CHECK: OK clustered_col
// CHECK: OK orthogonal_col
// CHECK: OK rank1_col
// CHECK: OK huge_entry_col
// CHECK: OK ill_cond_col
// CHECK: OK extreme_col
// CHECK: OK random_big
// CHECK: OK clustered_big
// CHECK: OK orthogonal_big
// CHECK: OK rank1_big
// CHECK: OK huge_entry_big
// CHECK: OK ill_cond_big
// CHECK: OK extreme_big
// CHECK: OK random_sq
// CHECK: OK clustered_sq
// CHECK: OK orthogonal_sq
// CHECK: OK rank1_sq
// CHECK: OK huge_entry_sq
// CHECK: OK ill_cond_sq
// CHECK: OK extreme_sq
// CHECK: OK random_head
// CHECK: OK clustered_head
// CHECK: OK orthogonal_head
// CHECK: OK rank1_head
// CHECK: OK huge_entry_head
// CHECK: OK ill_cond_head
// CHECK: OK extreme_head
// CHECK: OK lipschitz_random
// CHECK: OK nonfinite_weight

model CertShapes {
  input  x: f32[3]
  label  y: i32

  linear tall: 3 -> 100
  linear wide: 100 -> 7
  linear row: 7 -> 1
  linear col: 1 -> 64
  linear big: 64 -> 576
  linear sq: 576 -> 576 { bias = none }
  linear head: 576 -> 2

  forward {
    h = relu(tall(x))
    h = tanh(wide(h))
    h = row(h)
    h = relu(col(h))
    h = relu(big(h))
    h = h + sq(h)
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1) }
}
