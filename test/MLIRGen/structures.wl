// RUN: wlc -emit=wl %s | FileCheck %s
// RUN: wlc -emit=linalg %s | FileCheck %s --check-prefix=META
// RUN: wlc --report %s | FileCheck %s --check-prefix=REPORT
// Structured weights: LANGUAGE.md's parameter names and shapes, their
// initialisers, the constraints each structure turns into, the wl.layer with
// its factors, the forward through the structure (W is formed for Cayley and
// exp, never for Householder, svd and diagonal), and @weight, which
// materialises every layer's W for wl_get_weight and the certificates.

// Cayley/exp: S [n, n], n = max(OUT, IN), normal(1/sqrt(n)); a spectral bound
// c >= 1 holds by construction (recorded, nothing generated).
// CHECK: wl.param @a.weight.S : tensor<8x8xf32> {init = #wl.init<kind = normal, std = 0.35355339059327373>, trainable}
// CHECK: wl.param @b.weight.S : tensor<8x8xf32> {constraints = [#wl.spectral_bound<c = 1.000000e+00, loc = #{{.+}}, origin = structure, structure = <orthogonal_exp>>], init = #wl.init<kind = normal, std = 0.35355339059327373>, trainable}
// Householder: v [k, n], normal(1).
// CHECK: wl.param @c.weight.v : tensor<4x8xf32> {init = #wl.init<kind = normal, std = 1.000000e+00>, trainable}
// diagonal: d [n], ones by default; a spectral bound clamps |d|.
// CHECK: wl.param @d.weight.d : tensor<5xf32> {constraints = [#wl.spectral_bound<c = 9.000000e-01, method = clamp, loc = #{{.+}}, structure = <diagonal>>], init = #wl.init<kind = ones>, trainable}
// svd: U [OUT, r] and V [IN, r] orthogonal, kept orthonormal (retraction);
// s [r] from `init` (here uniform), its spectral bound a clamp.
// CHECK: wl.param @e.weight.U : tensor<4x3xf32> {constraints = [#wl.orthonormal<loc = #{{.+}}, origin = retraction, structure = <svd>>], init = #wl.init<kind = orthogonal>, trainable}
// CHECK: wl.param @e.weight.s : tensor<3xf32> {constraints = [#wl.spectral_bound<c = 2.000000e+00, method = clamp, loc = #{{.+}}, structure = <svd>>], init = #wl.init<kind = uniform, a = 5.000000e-01>, trainable}
// CHECK: wl.param @e.weight.V : tensor<5x3xf32> {constraints = [#wl.orthonormal<loc = #{{.+}}, origin = retraction, structure = <svd>>], init = #wl.init<kind = orthogonal>, trainable}
// polar: the [OUT, IN] weight itself, orthogonal init, the retraction; a
// spectral bound c >= 1 holds as far as the projection converges.
// CHECK: wl.param @f.weight : tensor<3x4xf32> {constraints = [#wl.orthonormal<loc = #{{.+}}, origin = retraction, structure = <orthogonal_polar>>, #wl.spectral_bound<c = 1.500000e+00, method = hard_cap, loc = #{{.+}}, origin = structure, structure = <orthogonal_polar>>], init = #wl.init<kind = orthogonal>, trainable}

// CHECK: wl.layer @a : 6 -> 8 {bias = @a.bias, bound = #wl.bound<orthonormal>, factors = [@a.weight.S], structure = [#wl.structure<orthogonal_cayley>], weight = @a.weight.S}
// CHECK: wl.layer @b : 8 -> 8 {bias = @b.bias, bound = #wl.bound<orthonormal>, factors = [@b.weight.S], structure = [#wl.structure<orthogonal_exp>], weight = @b.weight.S}
// CHECK: wl.layer @c : 8 -> 5 {bound = #wl.bound<orthonormal>, factors = [@c.weight.v], structure = [#wl.structure<orthogonal_householder>], weight = @c.weight.v}
// CHECK: wl.layer @d : 5 -> 5 {bias = @d.bias, bound = #wl.bound<max_abs>, factors = [@d.weight.d], structure = [#wl.structure<diagonal>], weight = @d.weight.d}
// CHECK: wl.layer @e : 5 -> 4 {bias = @e.bias, bound = #wl.bound<svd>, factors = [@e.weight.U, @e.weight.s, @e.weight.V], structure = [#wl.structure<svd>], weight = @e.weight.U}
// CHECK: wl.layer @f : 4 -> 3 {bias = @f.bias, bound = #wl.bound<orthonormal>, structure = [#wl.structure<orthogonal_polar>], weight = @f.weight}

// CHECK-LABEL: func.func @forward(
//       CHECK: %[[S:.+]] = wl.param_ref @a.weight.S
//  CHECK-NEXT: %[[Q:.+]] = wl.cayley %[[S]] {{.*}}: tensor<8x8xf32>
//  CHECK-NEXT: %[[W:.+]] = wl.leading_block %[[Q]] {{.*}}: (tensor<8x8xf32>) -> tensor<8x6xf32>
//  CHECK-NEXT: wl.linear %{{.+}}, %[[W]]
//       CHECK: wl.exp_skew
//   CHECK-NOT: wl.leading_block
//       CHECK: wl.linear
//       CHECK: %[[V:.+]] = wl.param_ref @c.weight.v
//  CHECK-NEXT: %[[HC:.+]] = wl.householder %{{.+}}, %[[V]] {wl.application = 2 : i64, wl.layer = "c"} : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x5xf32>
//       CHECK: wl.scale_columns %[[HC]], %{{.+}} {wl.application = 3 : i64, wl.layer = "d"} : (tensor<?x5xf32>, tensor<5xf32>) -> tensor<?x5xf32>
// svd: ((x V) · s) Uᵀ.
//       CHECK: %[[XV:.+]] = wl.matmul %{{.+}}, %{{.+}} {wl.application = 4 : i64, wl.layer = "e"} : (tensor<?x5xf32>, tensor<5x3xf32>) -> tensor<?x3xf32>
//       CHECK: %[[XVS:.+]] = wl.scale_columns %[[XV]], %{{.+}} {{.*}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
//       CHECK: wl.matmul %[[XVS]], %{{.+}} {transpose_rhs, {{.*}}} : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<?x4xf32>
//       CHECK: %[[PW:.+]] = wl.param_ref @f.weight
//  CHECK-NEXT: wl.linear %{{.+}}, %[[PW]]

// CHECK-LABEL: func.func @weight(
//  CHECK-SAME: %[[L:.+]]: i64) -> tensor<?x?xf32>
//       CHECK: scf.index_switch
//       CHECK: case 0 {
//       CHECK:   wl.cayley
//       CHECK:   wl.leading_block
//       CHECK: case 2 {
//  Householder: the reflectors applied to the identity give Wᵀ.
//       CHECK:   %[[I:.+]] = wl.eye : tensor<8x8xf32>
//       CHECK:   %[[WT:.+]] = wl.householder %[[I]], %{{.+}} : (tensor<8x8xf32>, tensor<4x8xf32>) -> tensor<8x5xf32>
//       CHECK:   wl.transpose %[[WT]] : (tensor<8x5xf32>) -> tensor<5x8xf32>
//       CHECK: case 3 {
//       CHECK:   %[[I5:.+]] = wl.eye : tensor<5x5xf32>
//       CHECK:   wl.scale_columns %[[I5]], %{{.+}} : (tensor<5x5xf32>, tensor<5xf32>) -> tensor<5x5xf32>
//       CHECK: case 4 {
//       CHECK:   %[[US:.+]] = wl.scale_columns %{{.+}}, %{{.+}} : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
//       CHECK:   wl.matmul %[[US]], %{{.+}} {transpose_rhs} : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x5xf32>
//       CHECK: default {

// The metadata names each structured layer's factors; @weight is an entry point.
// META: \22factors\22:[\22e.weight.U\22,\22e.weight.s\22,\22e.weight.V\22]
// META: \22structure\22:\22svd\22
// META: func.func @wlgen_weight(%{{.+}}: memref<?xf32>, %{{.+}}: i64, %{{.+}}: memref<?x?xf32>) attributes {llvm.emit_c_interface}
model Structures {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 8 { weight = orthogonal(method = cayley) }
  linear b: 8 -> 8 { weight = orthogonal(method = exp) with spectral_bound(1.0) }
  linear c: 8 -> 5 { weight = orthogonal(method = householder, reflectors = 4); bias = none }
  linear d: 5 -> 5 { weight = diagonal with spectral_bound(0.9) }
  linear e: 5 -> 4 { weight = svd(rank = 3, init = uniform(0.5)) with spectral_bound(2.0) }
  linear f: 4 -> 3 { weight = orthogonal(method = polar) with spectral_bound(1.5, method = hard_cap) }
  forward {
    return f(e(d(c(tanh(b(a(x)))))))
  }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}

// What each constraint guarantees and why (computed from the constraint's
// origin and structure):
// REPORT: b {{.*}}S: spectral_bound(1.00) {{ *}}exact {{.*}}orthogonal: sigma_max = 1 <= c by construction
// REPORT: d {{.*}}d: spectral_bound(0.90, clamp) {{ *}}exact {{.*}}diagonal: |d| clamped to c (sigma(W) = |d|)
// REPORT: e {{.*}}U: orthonormal() {{ *}}conditional {{.*}}retraction of the svd factor: polar Newton-Schulz after each update (6 steps; 40 at creation)
// REPORT: s: spectral_bound(2.00, clamp) {{ *}}exact {{.*}}svd: |s| clamped to c (sigma(W) = |s| while U, V stay orthonormal)
// REPORT: f {{.*}}orthonormal() {{ *}}conditional {{.*}}retraction of the orthogonal factor
// REPORT: spectral_bound(1.50) {{ *}}conditional {{ *}}orthogonal: sigma_max = 1 <= c as far as the polar projection converges
