// RUN: wlc -emit=wl %s --model Sorsa | FileCheck %s
// RUN: not wlc -emit=wl %s --model Constrained 2>&1 | FileCheck %s --check-prefix=ERR
// A spectral bound on the term is the product clip carried by S
// (test/MLIRGen/structure_constraints.wl); a norm bound has no form through it.
// sorsa(rank, alpha, gamma) (Sorsa.cpp): A [r, IN], S [r], B [OUT, r], all
// trainable and zero until the creation-time SVD split fills them
// (wl.resplit kind sorsa with the scale alpha/r); A and B carry the
// orthonormal regulariser's gamma (B transposed: its columns), S does not;
// the forward is s·(((x Aᵀ)·S) Bᵀ) next to the frozen base, never ΔW.

// CHECK: wl.param @a.weight.base : tensor<8x12xf32> {init = #wl.init<kind = normal, std = 5.000000e-01>}
// CHECK: wl.param @a.weight.sorsa_A : tensor<3x12xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 1.000000e-01>, trainable}
// CHECK: wl.param @a.weight.sorsa_S : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @a.weight.sorsa_B : tensor<8x3xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 1.000000e-01, transposed = true>, trainable}
// gamma defaults to 0 (the attribute stays: the factors count in the mean).
// CHECK: wl.param @b.weight.sorsa_A : tensor<4x8xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.000000e+00>, trainable}
// CHECK: wl.param @b.weight.sorsa_S : tensor<4xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @b.weight.sorsa_B : tensor<10x4xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty = #wl.orthonormal_penalty<gamma = 0.000000e+00, transposed = true>, trainable}
// CHECK: wl.layer @a : 12 -> 8 {factors = [@a.weight.base, @a.weight.sorsa_A, @a.weight.sorsa_S, @a.weight.sorsa_B], structure = [#wl.structure<frozen>, #wl.structure<sorsa>], weight = @a.weight.base, wl.resplit = {base = @a.weight.base, factors = [@a.weight.sorsa_A, @a.weight.sorsa_S, @a.weight.sorsa_B], kind = #wl<resplit sorsa>, scale = 1.000000e+00 : f64}}
// CHECK: wl.layer @b : 8 -> 10 {{.*}}wl.resplit = {base = @b.weight.base, factors = [@b.weight.sorsa_A, @b.weight.sorsa_S, @b.weight.sorsa_B], kind = #wl<resplit sorsa>, scale = 2.000000e+00 : f64}}
// CHECK-LABEL: func.func @forward(
//       CHECK:   %[[BASE:.+]] = wl.linear %arg0, %{{.+}} {{.*}}-> tensor<?x8xf32>
//       CHECK:   %[[A:.+]] = wl.param_ref @a.weight.sorsa_A
//       CHECK:   %[[T:.+]] = wl.matmul %arg0, %[[A]] {transpose_rhs{{.*}}-> tensor<?x3xf32>
//       CHECK:   %[[S:.+]] = wl.param_ref @a.weight.sorsa_S
//       CHECK:   %[[TS:.+]] = wl.scale_columns %[[T]], %[[S]]
//       CHECK:   %[[B:.+]] = wl.param_ref @a.weight.sorsa_B
//       CHECK:   %[[D:.+]] = wl.matmul %[[TS]], %[[B]] {transpose_rhs{{.*}}-> tensor<?x8xf32>
//   CHECK-NOT:   wl.scale %
//       CHECK:   wl.add %[[BASE]], %[[D]]
// b: alpha = 8, r = 4: s = 2.
//       CHECK:   %[[D:.+]] = wl.matmul {{.*}}-> tensor<?x10xf32>
//       CHECK:   %[[SD:.+]] = wl.scale %[[D]], 2.000000e+00
//       CHECK:   wl.add %{{.+}}, %[[SD]]

// ERR: error: constraint 'norm_bound' on structure 'sorsa' has no exact or sound form through its factors

model Sorsa {
  input x: f32[12]
  label y: i32
  linear a: 12 -> 8 { weight = frozen(init = normal(std = 0.5)) + sorsa(rank = 3, gamma = 0.1); bias = none }
  linear b: 8 -> 10 { weight = frozen(init = normal(std = 0.5)) + sorsa(rank = 4, alpha = 8); bias = none }
  forward { return b(a(x)) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}

model Constrained {
  input x: f32[12]
  label y: i32
  linear a: 12 -> 8 { weight = frozen(init = normal(std = 0.5)) + sorsa(rank = 3) with norm_bound(1.0) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}
