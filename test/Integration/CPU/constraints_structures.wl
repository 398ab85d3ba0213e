// Constraints written on structured terms, enforced through the structure: every factor
// matrix (each [m, n] slice of a stacked [g, m, n] factor) is projected on its own onto its
// share of the bound. blockdiag (each block <= c: exact), kronecker with one term (non-square
// factors a = [2, 8], b = [8, 2]; A, B <= sqrt(c): exact) and two terms (every A_i, B_i <=
// sqrt(c/2): sound), monarch (every block of R and L <= sqrt(c): sound), lowrank (the
// product U V^T clipped exactly, whatever the method: thin SVDs of U, V and the r x r core,
// wlrt_product_clip), under spectral_bound with every method: one model per method with one
// layer per structure (Strict: strict = true on a different method in each layer);
// orthonormal on blockdiag, one-term kronecker and monarch; norm_bound row / column /
// frobenius on blockdiag (frobenius: each block <= c/sqrt(b)) and one-term kronecker (each
// factor <= sqrt(c)); adapter terms after a frozen base, bounding dW = W - base: lora
// (B A clipped exactly at c/s, s = alpha/r), lora pissa (s = 1), bone shared (B <= c/sqrt(IN/r)),
// svfit (|s| <= c), kronecker kpsvd with one and two terms.
//
// Every model is a sum of 16 -> 16 layers without bias, trained 40 full-batch steps
// (adamw lr 0.2; muon lr 0.05 for soft_cap, where the cap is exact) on an MSE target 6 Q x
// (Q orthogonal) that no sum of bounded layers reaches: every weight is pushed outward in
// every step. Control, the same layers unconstrained, grows to 3.4 - 17.7 c (checked
// >= 1.5 c), and the checks active_* show that each bound binds in training, so none of the
// checks below passes by itself. Inputs/constraints_structures.py, numpy float64 SVD of
// wl_get_weight (for adapters W - base) and of every factor slice of wl_get_param, at
// creation and after EVERY step; tolerances relative, measured worst values at this seed
// (and over 6 more seeds, where larger):
//   creation   every method is exact at creation: <= c (1 + 1e-5), worst +1.9e-7;
//   svd_clip, strict, soft_cap (muon), norm_bound, svfit's clamp: W and each factor <= c
//              and <= share (1 + 1e-5): worst +2.2e-7; strict and soft_cap stay below c
//              (soft_cap in training 0.958 - 0.994 c: active >= 0.9 instead of 0.95);
//   hard_cap   each factor <= 1.011 share (tol 1.2 %, worst 1.088 %); W <= 1.011^2 c for a
//              two-factor product (tol 2.31 %, worst 1.82 %, 2.07 %), 1.011 c for blockdiag
//              and bone (worst 1.09 %, 0.87 %);
//   normalize  the power-iteration estimate lags after a large step: each factor <= 1.25
//              share, W <= 1.25^2 c for products (worst 4.4 % monarch, 14.4 % two-term
//              kronecker over the seeds; blockdiag 0.64 %);
//   hammer     heuristic: every factor matrix has a singular value within 5 % of its
//              share after every step (worst 0.79 %, 2.1 %); its other singular values are
//              not capped: up to 2.3 share per factor and 4.2 c for monarch's W (NOTE
//              lines, not checked); at creation it is exact like every method; on lowrank
//              (as every method there) the exact product clip runs instead;
//   lowrank, lora, sorsa, loldu  the product clip: sigma(U V^T), sigma(U diag(d) V^T)
//              <= c (1 + 1e-5) after every step for every method written (worst +9.0e-8)
//              and reaching c;
//   orthonormal  |W^T W - I|_max of W and of every factor matrix <= 2e-4 (worst 5.9e-5 at
//              the first step, 8.0e-5);
//   adapters   the frozen base stays bit for bit; dW as above for its method;
//   norm_bound norm of W (row / column / Frobenius) and of each factor <= c (1 + 1e-5),
//              worst +2.2e-7;
//   certificates  wl_layer_spectral_bound >= sigma_max at every step (sound, no slack but
//              float32 rounding) and <= 1.05 sigma for blockdiag (worst 1.011), one-term
//              kronecker (1.022), lowrank (1.011) and adapter layers (1.0001); <= 2.5 sigma
//              for two-term kronecker (worst 1.76, 1.85) and monarch (1.59), which are
//              bounded through their factors; wl_lipschitz_bound >= sigma_max of the sum;
//   training   the loss drops below 0.9x (worst 0.75, Adapters: only dW trains).
// The report's rows of HardCap and Adapters are checked below; the diagnostics for
// constraints with no form through a structure: CPU/constraints_structures_errors.wl.
// Compiled at -O0: -O changes only LLVM's optimisation of the generated code, not the
// projections (the MLIR pipeline), and halves the compile time here (about 27 s instead
// of 50 s of CPU for the ten libraries); at -O2 every check passes with the same worst
// values (Adapters' differ at float32 rounding level).
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc -O0 %s --model Normalize -o %t/Normalize.so
// RUN: %python %test_inputs/constraints_structures.py %t/Normalize.so | FileCheck %s --check-prefix=NORMALIZE
// RUN: wlc -O0 %s --model SoftCap -o %t/SoftCap.so
// RUN: %python %test_inputs/constraints_structures.py %t/SoftCap.so | FileCheck %s --check-prefix=SOFT-CAP
// RUN: wlc -O0 %s --model HardCap -o %t/HardCap.so
// RUN: %python %test_inputs/constraints_structures.py %t/HardCap.so | FileCheck %s --check-prefix=HARD-CAP
// RUN: wlc -O0 %s --model Hammer -o %t/Hammer.so
// RUN: %python %test_inputs/constraints_structures.py %t/Hammer.so | FileCheck %s --check-prefix=HAMMER
// RUN: wlc -O0 %s --model SvdClip -o %t/SvdClip.so
// RUN: %python %test_inputs/constraints_structures.py %t/SvdClip.so | FileCheck %s --check-prefix=SVD-CLIP
// RUN: wlc -O0 %s --model Strict -o %t/Strict.so
// RUN: %python %test_inputs/constraints_structures.py %t/Strict.so | FileCheck %s --check-prefix=STRICT
// RUN: wlc -O0 %s --model Orthonormal -o %t/Orthonormal.so
// RUN: %python %test_inputs/constraints_structures.py %t/Orthonormal.so | FileCheck %s --check-prefix=ORTH
// RUN: wlc -O0 %s --model Adapters -o %t/Adapters.so
// RUN: %python %test_inputs/constraints_structures.py %t/Adapters.so | FileCheck %s --check-prefix=ADAPTERS
// RUN: wlc -O0 %s --model NormBound -o %t/NormBound.so
// RUN: %python %test_inputs/constraints_structures.py %t/NormBound.so | FileCheck %s --check-prefix=NORM
// RUN: wlc -O0 %s --model Control -o %t/Control.so
// RUN: %python %test_inputs/constraints_structures.py %t/Control.so | FileCheck %s --check-prefix=CONTROL
// RUN: wlc --report %s --model HardCap | FileCheck %s --check-prefix=REPORT
// RUN: wlc --report %s --model Adapters | FileCheck %s --check-prefix=REPORT-ADAPTERS
// NORMALIZE: OK creation_bd
// NORMALIZE: OK bound_bd
// NORMALIZE: OK tight_bd
// NORMALIZE: OK creation_k1
// NORMALIZE: OK bound_k1
// NORMALIZE: OK tight_k1
// NORMALIZE: OK creation_k2
// NORMALIZE: OK bound_k2
// NORMALIZE: OK tight_k2
// NORMALIZE: OK creation_mo
// NORMALIZE: OK bound_mo
// NORMALIZE: OK tight_mo
// NORMALIZE: OK creation_lr
// NORMALIZE: OK bound_lr
// NORMALIZE: OK tight_lr
// NORMALIZE: OK lipschitz
// NORMALIZE: OK sigma_bd
// NORMALIZE: OK factor_bd
// NORMALIZE: OK sigma_k1
// NORMALIZE: OK factor_k1
// NORMALIZE: OK sigma_k2
// NORMALIZE: OK factor_k2
// NORMALIZE: OK sigma_mo
// NORMALIZE: OK factor_mo
// NORMALIZE: OK sigma_lr
// NORMALIZE: OK factor_lr
// NORMALIZE: OK active_bd
// NORMALIZE: OK active_k1
// NORMALIZE: OK active_k2
// NORMALIZE: OK active_mo
// NORMALIZE: OK active_lr
// NORMALIZE: OK loss_decreases
// NORMALIZE-NOT: FAIL
// SOFT-CAP: OK creation_bd
// SOFT-CAP: OK bound_bd
// SOFT-CAP: OK tight_bd
// SOFT-CAP: OK creation_k1
// SOFT-CAP: OK bound_k1
// SOFT-CAP: OK tight_k1
// SOFT-CAP: OK creation_k2
// SOFT-CAP: OK bound_k2
// SOFT-CAP: OK tight_k2
// SOFT-CAP: OK creation_mo
// SOFT-CAP: OK bound_mo
// SOFT-CAP: OK tight_mo
// SOFT-CAP: OK creation_lr
// SOFT-CAP: OK bound_lr
// SOFT-CAP: OK tight_lr
// SOFT-CAP: OK lipschitz
// SOFT-CAP: OK sigma_bd
// SOFT-CAP: OK factor_bd
// SOFT-CAP: OK sigma_k1
// SOFT-CAP: OK factor_k1
// SOFT-CAP: OK sigma_k2
// SOFT-CAP: OK factor_k2
// SOFT-CAP: OK sigma_mo
// SOFT-CAP: OK factor_mo
// SOFT-CAP: OK sigma_lr
// SOFT-CAP: OK factor_lr
// SOFT-CAP: OK active_bd
// SOFT-CAP: OK active_k1
// SOFT-CAP: OK active_k2
// SOFT-CAP: OK active_mo
// SOFT-CAP: OK active_lr
// SOFT-CAP: OK loss_decreases
// SOFT-CAP-NOT: FAIL
// HARD-CAP: OK creation_bd
// HARD-CAP: OK bound_bd
// HARD-CAP: OK tight_bd
// HARD-CAP: OK creation_k1
// HARD-CAP: OK bound_k1
// HARD-CAP: OK tight_k1
// HARD-CAP: OK creation_k2
// HARD-CAP: OK bound_k2
// HARD-CAP: OK tight_k2
// HARD-CAP: OK creation_mo
// HARD-CAP: OK bound_mo
// HARD-CAP: OK tight_mo
// HARD-CAP: OK creation_lr
// HARD-CAP: OK bound_lr
// HARD-CAP: OK tight_lr
// HARD-CAP: OK lipschitz
// HARD-CAP: OK sigma_bd
// HARD-CAP: OK factor_bd
// HARD-CAP: OK sigma_k1
// HARD-CAP: OK factor_k1
// HARD-CAP: OK sigma_k2
// HARD-CAP: OK factor_k2
// HARD-CAP: OK sigma_mo
// HARD-CAP: OK factor_mo
// HARD-CAP: OK sigma_lr
// HARD-CAP: OK factor_lr
// HARD-CAP: OK active_bd
// HARD-CAP: OK active_k1
// HARD-CAP: OK active_k2
// HARD-CAP: OK active_mo
// HARD-CAP: OK active_lr
// HARD-CAP: OK loss_decreases
// HARD-CAP-NOT: FAIL
// HAMMER: OK creation_bd
// HAMMER: OK bound_bd
// HAMMER: OK tight_bd
// HAMMER: OK creation_k1
// HAMMER: OK bound_k1
// HAMMER: OK tight_k1
// HAMMER: OK creation_k2
// HAMMER: OK bound_k2
// HAMMER: OK tight_k2
// HAMMER: OK creation_mo
// HAMMER: OK bound_mo
// HAMMER: OK tight_mo
// HAMMER: OK creation_lr
// HAMMER: OK bound_lr
// HAMMER: OK tight_lr
// HAMMER: OK lipschitz
// HAMMER: OK hammer_hit_bd
// HAMMER: OK hammer_hit_k1
// HAMMER: OK hammer_hit_k2
// HAMMER: OK hammer_hit_mo
// HAMMER: OK sigma_lr
// HAMMER: OK factor_lr
// HAMMER: OK active_bd
// HAMMER: OK active_k1
// HAMMER: OK active_k2
// HAMMER: OK active_mo
// HAMMER: OK active_lr
// HAMMER: OK loss_decreases
// HAMMER-NOT: FAIL
// SVD-CLIP: OK creation_bd
// SVD-CLIP: OK bound_bd
// SVD-CLIP: OK tight_bd
// SVD-CLIP: OK creation_k1
// SVD-CLIP: OK bound_k1
// SVD-CLIP: OK tight_k1
// SVD-CLIP: OK creation_k2
// SVD-CLIP: OK bound_k2
// SVD-CLIP: OK tight_k2
// SVD-CLIP: OK creation_mo
// SVD-CLIP: OK bound_mo
// SVD-CLIP: OK tight_mo
// SVD-CLIP: OK creation_lr
// SVD-CLIP: OK bound_lr
// SVD-CLIP: OK tight_lr
// SVD-CLIP: OK lipschitz
// SVD-CLIP: OK sigma_bd
// SVD-CLIP: OK factor_bd
// SVD-CLIP: OK sigma_k1
// SVD-CLIP: OK factor_k1
// SVD-CLIP: OK sigma_k2
// SVD-CLIP: OK factor_k2
// SVD-CLIP: OK sigma_mo
// SVD-CLIP: OK factor_mo
// SVD-CLIP: OK sigma_lr
// SVD-CLIP: OK factor_lr
// SVD-CLIP: OK active_bd
// SVD-CLIP: OK active_k1
// SVD-CLIP: OK active_k2
// SVD-CLIP: OK active_mo
// SVD-CLIP: OK active_lr
// SVD-CLIP: OK loss_decreases
// SVD-CLIP-NOT: FAIL
// STRICT: OK creation_bd
// STRICT: OK bound_bd
// STRICT: OK tight_bd
// STRICT: OK creation_k1
// STRICT: OK bound_k1
// STRICT: OK tight_k1
// STRICT: OK creation_k2
// STRICT: OK bound_k2
// STRICT: OK tight_k2
// STRICT: OK creation_mo
// STRICT: OK bound_mo
// STRICT: OK tight_mo
// STRICT: OK creation_lr
// STRICT: OK bound_lr
// STRICT: OK tight_lr
// STRICT: OK lipschitz
// STRICT: OK sigma_bd
// STRICT: OK factor_bd
// STRICT: OK sigma_k1
// STRICT: OK factor_k1
// STRICT: OK sigma_k2
// STRICT: OK factor_k2
// STRICT: OK sigma_mo
// STRICT: OK factor_mo
// STRICT: OK sigma_lr
// STRICT: OK factor_lr
// STRICT: OK active_bd
// STRICT: OK active_k1
// STRICT: OK active_k2
// STRICT: OK active_mo
// STRICT: OK active_lr
// STRICT: OK loss_decreases
// STRICT-NOT: FAIL
// ORTH: OK orth_bd
// ORTH: OK orth_factor_bd
// ORTH: OK bound_bd
// ORTH: OK tight_bd
// ORTH: OK orth_k1
// ORTH: OK orth_factor_k1
// ORTH: OK bound_k1
// ORTH: OK tight_k1
// ORTH: OK orth_mo
// ORTH: OK orth_factor_mo
// ORTH: OK bound_mo
// ORTH: OK tight_mo
// ORTH: OK lipschitz
// ORTH: OK loss_decreases
// ORTH-NOT: FAIL
// ADAPTERS: OK base_fl
// ADAPTERS: OK creation_fl
// ADAPTERS: OK bound_fl
// ADAPTERS: OK tight_fl
// ADAPTERS: OK base_fp
// ADAPTERS: OK creation_fp
// ADAPTERS: OK bound_fp
// ADAPTERS: OK tight_fp
// ADAPTERS: OK base_fb
// ADAPTERS: OK creation_fb
// ADAPTERS: OK bound_fb
// ADAPTERS: OK tight_fb
// ADAPTERS: OK base_fs
// ADAPTERS: OK creation_fs
// ADAPTERS: OK bound_fs
// ADAPTERS: OK tight_fs
// ADAPTERS: OK base_fk
// ADAPTERS: OK creation_fk
// ADAPTERS: OK bound_fk
// ADAPTERS: OK tight_fk
// ADAPTERS: OK base_fk2
// ADAPTERS: OK creation_fk2
// ADAPTERS: OK bound_fk2
// ADAPTERS: OK tight_fk2
// ADAPTERS: OK base_fo
// ADAPTERS: OK creation_fo
// ADAPTERS: OK bound_fo
// ADAPTERS: OK tight_fo
// ADAPTERS: OK base_fd
// ADAPTERS: OK creation_fd
// ADAPTERS: OK bound_fd
// ADAPTERS: OK tight_fd
// ADAPTERS: OK lipschitz
// ADAPTERS: OK sigma_fl
// ADAPTERS: OK factor_fl
// ADAPTERS: OK sigma_fp
// ADAPTERS: OK factor_fp
// ADAPTERS: OK sigma_fb
// ADAPTERS: OK factor_fb
// ADAPTERS: OK sigma_fs
// ADAPTERS: OK factor_fs
// ADAPTERS: OK sigma_fk
// ADAPTERS: OK factor_fk
// ADAPTERS: OK sigma_fk2
// ADAPTERS: OK factor_fk2
// ADAPTERS: OK sigma_fo
// ADAPTERS: OK factor_fo
// ADAPTERS: OK sigma_fd
// ADAPTERS: OK factor_fd
// ADAPTERS: OK active_fl
// ADAPTERS: OK active_fp
// ADAPTERS: OK active_fb
// ADAPTERS: OK active_fs
// ADAPTERS: OK active_fk
// ADAPTERS: OK active_fk2
// ADAPTERS: OK active_fo
// ADAPTERS: OK active_fd
// ADAPTERS: OK loss_decreases
// ADAPTERS-NOT: FAIL
// NORM: OK creation_br
// NORM: OK bound_br
// NORM: OK tight_br
// NORM: OK creation_bc
// NORM: OK bound_bc
// NORM: OK tight_bc
// NORM: OK creation_bf
// NORM: OK bound_bf
// NORM: OK tight_bf
// NORM: OK creation_kf
// NORM: OK bound_kf
// NORM: OK tight_kf
// NORM: OK creation_kr
// NORM: OK bound_kr
// NORM: OK tight_kr
// NORM: OK creation_kc
// NORM: OK bound_kc
// NORM: OK tight_kc
// NORM: OK lipschitz
// NORM: OK norm_br
// NORM: OK factor_br
// NORM: OK norm_bc
// NORM: OK factor_bc
// NORM: OK norm_bf
// NORM: OK factor_bf
// NORM: OK norm_kf
// NORM: OK factor_kf
// NORM: OK norm_kr
// NORM: OK factor_kr
// NORM: OK norm_kc
// NORM: OK factor_kc
// NORM: OK active_br
// NORM: OK active_bc
// NORM: OK active_bf
// NORM: OK active_kf
// NORM: OK active_kr
// NORM: OK active_kc
// NORM: OK loss_decreases
// NORM-NOT: FAIL
// CONTROL: OK base_fl
// CONTROL: OK base_fp
// CONTROL: OK base_fb
// CONTROL: OK base_fs
// CONTROL: OK base_fk
// CONTROL: OK base_fk2
// CONTROL: OK base_fo
// CONTROL: OK base_fd
// CONTROL: OK control_bd
// CONTROL: OK control_k1
// CONTROL: OK control_k2
// CONTROL: OK control_mo
// CONTROL: OK control_lr
// CONTROL: OK control_fl
// CONTROL: OK control_fp
// CONTROL: OK control_fb
// CONTROL: OK control_fs
// CONTROL: OK control_fk
// CONTROL: OK control_fk2
// CONTROL: OK control_fo
// CONTROL: OK control_fd
// CONTROL: OK control_br
// CONTROL: OK control_bc
// CONTROL: OK control_bf
// CONTROL: OK control_kf
// CONTROL: OK control_kr
// CONTROL: OK control_kc
// CONTROL: OK loss_decreases
// CONTROL-NOT: FAIL
// REPORT-LABEL: model HardCap
// REPORT-NEXT: layer structure constraint guarantee params why
// REPORT-NEXT: bd blockdiag blocks: spectral_bound(0.80, hard_cap) conditional 64 each block <= c: sigma(W) is the largest block's (exact); <= 1.011 c
// REPORT-NEXT: k1 kronecker A: spectral_bound(0.95, hard_cap) conditional 32 each A_i, B_i <= sqrt(c/k): sigma(sum A_i (x) B_i) <= sum sigma(A_i) sigma(B_i) <= c (sound; exact for one term); with hard_cap each factor <= 1.011 x its share, the product <= 1.011^2 c = 1.022 c
// REPORT-NEXT: {{^}} B: spectral_bound(0.95, hard_cap) conditional each A_i, B_i <= sqrt(c/k)
// REPORT-NEXT: k2 kronecker A: spectral_bound(0.71, hard_cap) conditional 64 each A_i, B_i <= sqrt(c/k)
// REPORT-NEXT: {{^}} B: spectral_bound(0.71, hard_cap) conditional each A_i, B_i <= sqrt(c/k)
// REPORT-NEXT: mo monarch R: spectral_bound(0.84, hard_cap) conditional 128 each block of L and R <= sqrt(c): sigma(W) <= sigma(L) sigma(R) <= c (sound); with hard_cap each factor <= 1.011 x its share, the product <= 1.011^2 c = 1.022 c
// REPORT-NEXT: {{^}} L: spectral_bound(0.84, hard_cap) conditional each block of L and R <= sqrt(c)
// REPORT-NEXT: lr lowrank U: spectral_bound(0.60, product_clip) exact 128 W = U V^T; singular values of the product clipped exactly after every step (thin SVDs of both factors and of the r x r core
// REPORT-NEXT: total parameters: 416 (trainable 416)
// REPORT-ADAPTERS-LABEL: model Adapters
// REPORT-ADAPTERS-NEXT: layer structure constraint guarantee params why
// REPORT-ADAPTERS-NEXT: fl frozen+lora lora_B: spectral_bound(0.25, product_clip) exact 384 bounds the adapter term s*B A (c/s on B A); singular values of the product clipped exactly
// REPORT-ADAPTERS-NEXT: fp frozen+lora lora_B: spectral_bound(1.00, product_clip) exact 384 bounds the adapter term s*B A
// REPORT-ADAPTERS-NEXT: fb frozen+bone bone_B: spectral_bound(0.25, hard_cap) conditional 320 B <= c/sqrt(IN/r): the adapter term has sigma = sqrt(IN/r) sigma(B) <= c (exact); <= 1.011 c
// REPORT-ADAPTERS-NEXT: fs frozen+svfit s: spectral_bound(1.00, clamp) exact 388 svfit: |s| clamped to c bounds the adapter term U diag(s) V^T
// REPORT-ADAPTERS-NEXT: fk frozen+kronecker A: spectral_bound(1.00, normalize) conditional 288 each A_i, B_i <= sqrt(c/k): {{.*}}; exact up to the power-iteration estimate
// REPORT-ADAPTERS-NEXT: {{^}} B: spectral_bound(1.00, normalize) conditional each A_i, B_i <= sqrt(c/k)
// REPORT-ADAPTERS-NEXT: fk2 frozen+kronecker A: spectral_bound(0.71, svd_clip) exact 320 each A_i, B_i <= sqrt(c/k): {{.*}}; singular values clipped
// REPORT-ADAPTERS-NEXT: {{^}} B: spectral_bound(0.71, svd_clip) exact each A_i, B_i <= sqrt(c/k)
// REPORT-ADAPTERS-NEXT: fo frozen+sorsa sorsa_S: spectral_bound(0.40, product_clip) exact 388 bounds the adapter term s*B diag(S) A (c/s on B diag(S) A; a clip re-splits B, S, A by the core's SVD); singular values of the product clipped exactly
// REPORT-ADAPTERS-NEXT: fd frozen+loldu loldu_z: spectral_bound(0.30, product_clip) exact 388 bounds the adapter term s*(PL)_r diag(z) U_r (c/s on the product; only z moves); the trained diagonal scaled so that the product's sigma_max <= c
// REPORT-ADAPTERS-NEXT: total parameters: 2860 (trainable 556)

// One model per method: the same five structures, bounds 0.8, 0.9, 1.0, 0.7, 0.6.
model Normalize {
  input  x: f32[16]
  target t: f32[16]

  linear bd: 16 -> 16 {
    weight = blockdiag(blocks = 4) with spectral_bound(0.8, method = normalize)
    bias = none
  }
  linear k1: 16 -> 16 {
    weight = kronecker(a = [2, 8], b = [8, 2]) with spectral_bound(0.9, method = normalize)
    bias = none
  }
  linear k2: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4], terms = 2) with spectral_bound(1.0, method = normalize)
    bias = none
  }
  linear mo: 16 -> 16 {
    weight = monarch(blocks = 4) with spectral_bound(0.7, method = normalize)
    bias = none
  }
  linear lr: 16 -> 16 {
    weight = lowrank(rank = 4) with spectral_bound(0.6, method = normalize)
    bias = none
  }

  forward {
    return bd(x) + k1(x) + k2(x) + mo(x) + lr(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}

// soft_cap is exact under muon (its update has a bounded spectral norm): muon on every
// factor, each slice of a stacked factor orthogonalised on its own.
model SoftCap {
  input  x: f32[16]
  target t: f32[16]

  linear bd: 16 -> 16 {
    weight = blockdiag(blocks = 4) with spectral_bound(0.8, method = soft_cap)
    bias = none
  }
  linear k1: 16 -> 16 {
    weight = kronecker(a = [2, 8], b = [8, 2]) with spectral_bound(0.9, method = soft_cap)
    bias = none
  }
  linear k2: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4], terms = 2) with spectral_bound(1.0, method = soft_cap)
    bias = none
  }
  linear mo: 16 -> 16 {
    weight = monarch(blocks = 4) with spectral_bound(0.7, method = soft_cap)
    bias = none
  }
  linear lr: 16 -> 16 {
    weight = lowrank(rank = 4) with spectral_bound(0.6, method = soft_cap)
    bias = none
  }

  forward {
    return bd(x) + k1(x) + k2(x) + mo(x) + lr(x)
  }

  loss = mse(forward, t)
  optimize {
    default: muon(lr = 0.05)
  }
}

model HardCap {
  input  x: f32[16]
  target t: f32[16]

  linear bd: 16 -> 16 {
    weight = blockdiag(blocks = 4) with spectral_bound(0.8, method = hard_cap)
    bias = none
  }
  linear k1: 16 -> 16 {
    weight = kronecker(a = [2, 8], b = [8, 2]) with spectral_bound(0.9, method = hard_cap)
    bias = none
  }
  linear k2: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4], terms = 2) with spectral_bound(1.0, method = hard_cap)
    bias = none
  }
  linear mo: 16 -> 16 {
    weight = monarch(blocks = 4) with spectral_bound(0.7, method = hard_cap)
    bias = none
  }
  linear lr: 16 -> 16 {
    weight = lowrank(rank = 4) with spectral_bound(0.6, method = hard_cap)
    bias = none
  }

  forward {
    return bd(x) + k1(x) + k2(x) + mo(x) + lr(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}

model Hammer {
  input  x: f32[16]
  target t: f32[16]

  linear bd: 16 -> 16 {
    weight = blockdiag(blocks = 4) with spectral_bound(0.8, method = hammer)
    bias = none
  }
  linear k1: 16 -> 16 {
    weight = kronecker(a = [2, 8], b = [8, 2]) with spectral_bound(0.9, method = hammer)
    bias = none
  }
  linear k2: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4], terms = 2) with spectral_bound(1.0, method = hammer)
    bias = none
  }
  linear mo: 16 -> 16 {
    weight = monarch(blocks = 4) with spectral_bound(0.7, method = hammer)
    bias = none
  }
  linear lr: 16 -> 16 {
    weight = lowrank(rank = 4) with spectral_bound(0.6, method = hammer)
    bias = none
  }

  forward {
    return bd(x) + k1(x) + k2(x) + mo(x) + lr(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}

model SvdClip {
  input  x: f32[16]
  target t: f32[16]

  linear bd: 16 -> 16 {
    weight = blockdiag(blocks = 4) with spectral_bound(0.8, method = svd_clip)
    bias = none
  }
  linear k1: 16 -> 16 {
    weight = kronecker(a = [2, 8], b = [8, 2]) with spectral_bound(0.9, method = svd_clip)
    bias = none
  }
  linear k2: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4], terms = 2) with spectral_bound(1.0, method = svd_clip)
    bias = none
  }
  linear mo: 16 -> 16 {
    weight = monarch(blocks = 4) with spectral_bound(0.7, method = svd_clip)
    bias = none
  }
  linear lr: 16 -> 16 {
    weight = lowrank(rank = 4) with spectral_bound(0.6, method = svd_clip)
    bias = none
  }

  forward {
    return bd(x) + k1(x) + k2(x) + mo(x) + lr(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}

// strict = true on top of a different method in each layer.
model Strict {
  input  x: f32[16]
  target t: f32[16]

  linear bd: 16 -> 16 {
    weight = blockdiag(blocks = 4) with spectral_bound(0.8, method = normalize, strict = true)
    bias = none
  }
  linear k1: 16 -> 16 {
    weight = kronecker(a = [2, 8], b = [8, 2]) with spectral_bound(0.9, method = hammer, strict = true)
    bias = none
  }
  linear k2: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4], terms = 2) with spectral_bound(1.0, method = hard_cap, strict = true)
    bias = none
  }
  linear mo: 16 -> 16 {
    weight = monarch(blocks = 4) with spectral_bound(0.7, method = soft_cap, strict = true)
    bias = none
  }
  linear lr: 16 -> 16 {
    weight = lowrank(rank = 4) with spectral_bound(0.6, method = svd_clip, strict = true)
    bias = none
  }

  forward {
    return bd(x) + k1(x) + k2(x) + mo(x) + lr(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}

// Every block / factor orthonormal: W is orthonormal.
model Orthonormal {
  input  x: f32[16]
  target t: f32[16]

  linear bd: 16 -> 16 {
    weight = blockdiag(blocks = 4) with orthonormal
    bias = none
  }
  linear k1: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4]) with orthonormal
    bias = none
  }
  linear mo: 16 -> 16 {
    weight = monarch(blocks = 4) with orthonormal
    bias = none
  }

  forward {
    return bd(x) + k1(x) + mo(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}

// Adapter terms after a frozen base: the bound is on dW = W - base.
model Adapters {
  input  x: f32[16]
  target t: f32[16]

  linear fl: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + lora(rank = 4, alpha = 8) with spectral_bound(0.5, method = svd_clip)
    bias = none
  }
  linear fp: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + lora(rank = 4, init = pissa) with spectral_bound(1.0, strict = true)
    bias = none
  }
  linear fb: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + bone(block = 4) with spectral_bound(0.5, method = hard_cap)
    bias = none
  }
  linear fs: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + svfit(rank = 4) with spectral_bound(1.0)
    bias = none
  }
  linear fk: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + kronecker(a = [4, 4], b = [4, 4], init = kpsvd) with spectral_bound(1.0, method = normalize)
    bias = none
  }
  linear fk2: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + kronecker(a = [4, 4], b = [4, 4], terms = 2, init = kpsvd) with spectral_bound(1.0, method = svd_clip)
    bias = none
  }
  linear fo: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + sorsa(rank = 4, alpha = 8, gamma = 0.01) with spectral_bound(0.8, method = hard_cap)
    bias = none
  }
  linear fd: 16 -> 16 {
    weight = frozen(init = normal(std = 0.5))
           + loldu(rank = 4) with spectral_bound(0.3, method = soft_cap)
    bias = none
  }

  forward {
    return fl(x) + fp(x) + fb(x) + fs(x) + fk(x) + fk2(x) + fo(x) + fd(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}

// norm_bound through blockdiag (row, column: each block's; frobenius: c/sqrt(4) per block)
// and one-term kronecker (each factor's norm <= sqrt(c)).
model NormBound {
  input  x: f32[16]
  target t: f32[16]

  linear br: 16 -> 16 {
    weight = blockdiag(blocks = 4) with norm_bound(0.5, norm = row)
    bias = none
  }
  linear bc: 16 -> 16 {
    weight = blockdiag(blocks = 2) with norm_bound(0.6, norm = column)
    bias = none
  }
  linear bf: 16 -> 16 {
    weight = blockdiag(blocks = 4) with norm_bound(1.6)
    bias = none
  }
  linear kf: 16 -> 16 {
    weight = kronecker(a = [2, 8], b = [8, 2]) with norm_bound(1.5)
    bias = none
  }
  linear kr: 16 -> 16 {
    weight = kronecker(a = [4, 4], b = [4, 4]) with norm_bound(0.5, norm = row)
    bias = none
  }
  linear kc: 16 -> 16 {
    weight = kronecker(a = [2, 8], b = [8, 2]) with norm_bound(0.5, norm = column)
    bias = none
  }

  forward {
    return br(x) + bc(x) + bf(x) + kf(x) + kr(x) + kc(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}

// Control: the layers of Normalize, Adapters and NormBound without constraints (same
// task): each grows past the c of its constrained twin.
model Control {
  input  x: f32[16]
  target t: f32[16]

  linear bd: 16 -> 16 { weight = blockdiag(blocks = 4); bias = none }
  linear k1: 16 -> 16 { weight = kronecker(a = [2, 8], b = [8, 2]); bias = none }
  linear k2: 16 -> 16 { weight = kronecker(a = [4, 4], b = [4, 4], terms = 2); bias = none }
  linear mo: 16 -> 16 { weight = monarch(blocks = 4); bias = none }
  linear lr: 16 -> 16 { weight = lowrank(rank = 4); bias = none }
  linear fl: 16 -> 16 { weight = frozen(init = normal(std = 0.5)) + lora(rank = 4, alpha = 8); bias = none }
  linear fp: 16 -> 16 { weight = frozen(init = normal(std = 0.5)) + lora(rank = 4, init = pissa); bias = none }
  linear fb: 16 -> 16 { weight = frozen(init = normal(std = 0.5)) + bone(block = 4); bias = none }
  linear fs: 16 -> 16 { weight = frozen(init = normal(std = 0.5)) + svfit(rank = 4); bias = none }
  linear fk: 16 -> 16 { weight = frozen(init = normal(std = 0.5)) + kronecker(a = [4, 4], b = [4, 4], init = kpsvd); bias = none }
  linear fk2: 16 -> 16 { weight = frozen(init = normal(std = 0.5)) + kronecker(a = [4, 4], b = [4, 4], terms = 2, init = kpsvd); bias = none }
  linear fo: 16 -> 16 { weight = frozen(init = normal(std = 0.5)) + sorsa(rank = 4, alpha = 8, gamma = 0.01); bias = none }
  linear fd: 16 -> 16 { weight = frozen(init = normal(std = 0.5)) + loldu(rank = 4); bias = none }
  linear br: 16 -> 16 { weight = blockdiag(blocks = 4); bias = none }
  linear bc: 16 -> 16 { weight = blockdiag(blocks = 2); bias = none }
  linear bf: 16 -> 16 { weight = blockdiag(blocks = 4); bias = none }
  linear kf: 16 -> 16 { weight = kronecker(a = [2, 8], b = [8, 2]); bias = none }
  linear kr: 16 -> 16 { weight = kronecker(a = [4, 4], b = [4, 4]); bias = none }
  linear kc: 16 -> 16 { weight = kronecker(a = [2, 8], b = [8, 2]); bias = none }

  forward {
    h = bd(x) + k1(x) + k2(x) + mo(x) + lr(x)
    h = h + fl(x) + fp(x) + fb(x) + fs(x) + fk(x) + fk2(x) + fo(x) + fd(x)
    return h + br(x) + bc(x) + bf(x) + kf(x) + kr(x) + kc(x)
  }

  loss = mse(forward, t)
  optimize {
    default: adamw(lr = 0.2)
  }
}
