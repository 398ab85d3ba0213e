// rms_norm and layer_norm (wl.row_norm, ALGORITHMS.md): forward, every
// parameter gradient and dx against the float64 reference (itself checked
// against central finite differences) and against PyTorch's
// F.rms_norm-style / F.layer_norm formulas in float64, a training step,
// and the certificate: 1/sqrt(eps) per norm, never beaten by an
// adversarial search on the ratio |f(x) - f(x')| / |x - x'|.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/norms.py %t.so | FileCheck %s
// CHECK: OK reference_vs_torch
// CHECK: OK reference_vjp_vs_fd64
// CHECK: OK forward_b1
// CHECK: OK forward_b33
// CHECK: OK forward_scaled_rows
// CHECK: OK grad_a.weight
// CHECK: OK grad_a.bias
// CHECK: OK grad_b.weight
// CHECK: OK grad_head.weight
// CHECK: OK grad_head.bias
// CHECK: OK grad_dx
// CHECK: OK train_step
// CHECK: OK certificate_value
// CHECK: OK certificate_sound

model Norms {
  input  x: f32[6]
  label  y: i32

  linear a: 6 -> 8
  linear b: 8 -> 8 { bias = none }
  linear head: 8 -> 4

  forward {
    h = rms_norm(a(x))
    h = layer_norm(b(h), eps = 1e-3) + 0.5 * h
    return head(gelu(h))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
