// RUN: rm -rf %t.d && mkdir -p %t.d && cp %s %t.d/sst.wl && touch %t.d/w.safetensors
// RUN: wlc -emit=wl %t.d/sst.wl --model Sst | FileCheck %s
// RUN: not wlc -emit=wl %t.d/sst.wl --model Constrained 2>&1 | FileCheck %s --check-prefix=ERR
// sst(rank, every) (Sst.cpp): U [OUT, m], s [m], V [IN, m] train (m =
// min(OUT, IN)); `sampled` [m] is frozen. The initialiser's W0 goes to the
// factor of its shape -- U when OUT >= IN, else V as W0ᵀ (a `from` tensor read
// transposed) -- and the others start at zero until wl.sst_round's SVD at
// creation. The layer carries the mark `wl.sst` with its tensors, rank and
// round length; the forward is wl.sst_product, W never formed.

// a: 6 -> 9, OUT >= IN: W0 (default normal(std = 1/sqrt(6))) in U [9, 6].
// CHECK: wl.param @a.weight.U : tensor<9x6xf32> {init = #wl.init<kind = normal, std = 0.40824829046386307>, trainable}
// CHECK: wl.param @a.weight.s : tensor<6xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @a.weight.V : tensor<6x6xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @a.weight.sampled : tensor<6xf32> {init = #wl.init<kind = zeros>}
// b: 9 -> 5, OUT < IN: the file's [5, 9] W0 read transposed into V [9, 5].
// CHECK: wl.param @b.weight.U : tensor<5x5xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @b.weight.s : tensor<5xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @b.weight.V : tensor<9x5xf32> {init = #wl.init<kind = from, file = "{{.*}}w.safetensors", tensor = "b", transposed = true>, trainable}
// CHECK: wl.param @b.weight.sampled : tensor<5xf32> {init = #wl.init<kind = zeros>}
// c: 5 -> 8 with a written normal init in U [8, 5].
// CHECK: wl.param @c.weight.U : tensor<8x5xf32> {init = #wl.init<kind = normal, std = 2.000000e-01>, trainable}
// CHECK: wl.layer @a : 6 -> 9 {factors = [@a.weight.U, @a.weight.s, @a.weight.V, @a.weight.sampled], structure = [#wl.structure<sst>], weight = @a.weight.U, wl.sst = {every = 50 : i64, rank = 2 : i64, s = @a.weight.s, sampled = @a.weight.sampled, u = @a.weight.U, v = @a.weight.V}}
// CHECK: wl.layer @b : 9 -> 5 {{.*}}wl.sst = {every = 10 : i64, rank = 3 : i64, s = @b.weight.s, sampled = @b.weight.sampled, u = @b.weight.U, v = @b.weight.V}}
// The optimizer group holds U, s and V, never `sampled`.
// CHECK: wl.optimizer_group "adamw" [@a.weight.U, @a.weight.s, @a.weight.V, @b.weight.U, @b.weight.s, @b.weight.V, @c.weight.U, @c.weight.s, @c.weight.V]
// CHECK-LABEL: func.func @forward(
//       CHECK:   %[[V:.+]] = wl.param_ref @a.weight.V
//       CHECK:   %[[S:.+]] = wl.param_ref @a.weight.s
//       CHECK:   %[[U:.+]] = wl.param_ref @a.weight.U
//       CHECK:   %{{.+}} = wl.sst_product %arg0, %[[U]], %[[S]], %[[V]] {{.*}}: (tensor<?x6xf32>, tensor<9x6xf32>, tensor<6xf32>, tensor<6x6xf32>) -> tensor<?x9xf32>
//   CHECK-NOT:   wl.linear

// ERR: error: constraint 'spectral_bound' on structure 'sst' is not supported yet

model Sst {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 9 { weight = sst(rank = 2, every = 50); bias = none }
  linear b: 9 -> 5 { weight = sst(rank = 3, every = 10, init = from("w.safetensors", "b")); bias = none }
  linear c: 5 -> 8 { weight = sst(rank = 1, every = 1, init = normal(std = 0.2)); bias = none }
  forward { return c(b(a(x))) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}

model Constrained {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 4 { weight = sst(rank = 2, every = 5) with spectral_bound(1.0) }
  forward { return a(x) }
  loss = cross_entropy(forward, y)
}
