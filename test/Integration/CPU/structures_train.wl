// Structured weights with their constraints under aggressive training: orthogonal by
// cayley (tall), exp (wide, with spectral_bound(1.0): holds by construction, S stays
// free), householder (wide, Muon) and polar (tall, AdamW), svd with spectral_bound (Muon
// on U, V; AdamW on s), diagonal with spectral_bound, an svd head with spectral_bound;
// AdamW lr 0.08, Muon lr 0.05, 60 steps (Inputs/structures_train.py). At creation and
// after EVERY step, against numpy's float64 SVD: wl_get_weight == the formula of the
// stored factors; orthogonality (cayley/householder/polar 1e-5, exp 2e-5); svd's U, V
// orthonormal (1e-5) and every singular value <= c (1 + 1e-5); |s|, |d| <= c exactly (and
// the clamps bind); every layer bound sound (>= the true sigma_max) and tight (<= 1.001
// sigma); the Lipschitz bound >= the product of the true sigmas. The first step is
// replayed in float64 (AdamW / Muon, then none / clamp / exact polar factor). The loss
// on the training set must drop below 0.6x. The report's rows are checked below.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/structures_train.py %t.so | FileCheck %s
// RUN: wlc --report %s | FileCheck %s --check-prefix=REPORT
// CHECK: OK param_names_shapes
// CHECK: OK weight_ca
// CHECK: OK orth_ca
// CHECK: OK bound_ca
// CHECK: OK bound_tight_ca
// CHECK: OK weight_ex
// CHECK: OK orth_ex
// CHECK: OK bound_ex
// CHECK: OK bound_tight_ex
// CHECK: OK weight_hh
// CHECK: OK orth_hh
// CHECK: OK bound_hh
// CHECK: OK bound_tight_hh
// CHECK: OK weight_po
// CHECK: OK orth_po
// CHECK: OK bound_po
// CHECK: OK bound_tight_po
// CHECK: OK weight_sv
// CHECK: OK uv_sv
// CHECK: OK sigma_sv
// CHECK: OK clamp_sv
// CHECK: OK bound_sv
// CHECK: OK bound_tight_sv
// CHECK: OK weight_dg
// CHECK: OK clamp_dg
// CHECK: OK bound_dg
// CHECK: OK bound_tight_dg
// CHECK: OK weight_head
// CHECK: OK uv_head
// CHECK: OK sigma_head
// CHECK: OK clamp_head
// CHECK: OK bound_head
// CHECK: OK bound_tight_head
// CHECK: OK lipschitz
// CHECK: OK step1_ca.weight.S
// CHECK: OK step1_ca.bias
// CHECK: OK step1_ex.weight.S
// CHECK: OK step1_ex.bias
// CHECK: OK step1_hh.weight.v
// CHECK: OK step1_hh.bias
// CHECK: OK step1_po.weight
// CHECK: OK step1_po.bias
// CHECK: OK step1_sv.weight.U
// CHECK: OK step1_sv.weight.s
// CHECK: OK step1_sv.weight.V
// CHECK: OK step1_sv.bias
// CHECK: OK step1_dg.weight.d
// CHECK: OK step1_dg.bias
// CHECK: OK step1_head.weight.U
// CHECK: OK step1_head.weight.s
// CHECK: OK step1_head.weight.V
// CHECK: OK step1_head.bias
// CHECK: OK loss_decreases
// CHECK: OK clamp_active_sv
// CHECK: OK clamp_active_dg
// CHECK: OK clamp_active_head
// CHECK-NOT: FAIL
// REPORT-LABEL: model StructuresTrain
// REPORT-NEXT: layer structure constraint guarantee params why
// REPORT-NEXT: ca orthogonal(cayley) - - 272
// REPORT-NEXT: ex orthogonal(exp) {{.*}}spectral_bound(1.00{{.*}} exact 266 orthogonal: sigma_max = 1 <= c by construction
// REPORT-NEXT: hh orthogonal(householder) - - 108
// REPORT-NEXT: po orthogonal(polar) orthonormal() conditional 108 retraction {{.*}}polar Newton-Schulz
// REPORT-NEXT: sv svd U: orthonormal() conditional 119 retraction {{.*}}polar Newton-Schulz
// REPORT-NEXT: {{^}} s: spectral_bound(0.90, clamp) exact svd: |s| clamped to c
// REPORT-NEXT: {{^}} V: orthonormal() conditional retraction
// REPORT-NEXT: dg diagonal d: spectral_bound(0.80, clamp) exact 18 diagonal: |d| clamped to c
// REPORT-NEXT: head svd U: orthonormal() conditional 60
// REPORT-NEXT: {{^}} s: spectral_bound(2.50, clamp) exact
// REPORT-NEXT: {{^}} V: orthonormal() conditional
// REPORT-NEXT: total parameters: 951

model StructuresTrain {
  input  x: f32[12]
  label  y: i32

  linear ca: 12 -> 16 { weight = orthogonal(method = cayley) }
  linear ex: 16 -> 10 { weight = orthogonal(method = exp) with spectral_bound(1.0) }
  linear hh: 10 -> 8  { weight = orthogonal(method = householder) }
  linear po: 8 -> 12  { weight = orthogonal(method = polar) }
  linear sv: 12 -> 9  { weight = svd(rank = 5) with spectral_bound(0.9) }
  linear dg: 9 -> 9   { weight = diagonal with spectral_bound(0.8) }
  linear head: 9 -> 4 { weight = svd(rank = 4) with spectral_bound(2.5) }

  forward {
    h = tanh(ca(x))
    h = tanh(ex(h))
    h = tanh(hh(h))
    h = tanh(po(h))
    h = tanh(sv(h))
    h = tanh(dg(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)
  optimize {
    hh.weight, sv.weight.U, sv.weight.V: muon(lr = 0.05)
    default: adamw(lr = 0.08)
  }
}
