// RUN: wlc -emit=wl %s --model=Constraints | FileCheck %s
// RUN: wlc -emit=wl %s --model=Constraints | wl-opt | FileCheck %s
// RUN: not wlc -emit=step %s --model=AfterRank 2>&1 | FileCheck %s --check-prefix=ERR

// The `with ...` constraints of a dense weight become the wl.param's
// `constraints`, one dictionary per constraint in the order written, with
// every argument filled in (spectral_bound: c, method = normalize, strict =
// false by default; norm_bound: c, norm = frobenius by default;
// rank_at_most: r; orthonormal: none) and `loc`, the constraint's own
// source position, for the diagnostics of wl-generate-constraints. Biases and
// unconstrained weights have no `constraints`. The output parses back
// (second RUN).

// Each constraint's position: the line below the CHECK-DAG, at its name.
model Constraints {
  input x: f32[8]
  label y: i32
  // CHECK-DAG: #[[A:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+1]]:42)
  linear a: 8 -> 8 { weight = dense with spectral_bound(1.0) }
  // CHECK-DAG: #[[B:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+1]]:42)
  linear b: 8 -> 8 { weight = dense with spectral_bound(2.5, method = soft_cap, strict = true) }
  // CHECK-DAG: #[[C:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+1]]:42)
  linear c: 8 -> 8 { weight = dense with spectral_bound(c = 0.5, method = hard_cap) }
  // CHECK-DAG: #[[D:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+1]]:42)
  linear d: 8 -> 8 { weight = dense with spectral_bound(1.0, method = hammer); bias = none }
  linear e: 8 -> 6 {
    // CHECK-DAG: #[[E1:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+2]]:39)
    // CHECK-DAG: #[[E2:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+1]]:83)
    weight = dense(init = zeros) with spectral_bound(1.0, method = svd_clip) with rank_at_most(3)
  }
  // CHECK-DAG: #[[F1:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+3]]:42)
  // CHECK-DAG: #[[F2:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+2]]:63)
  // CHECK-DAG: #[[F3:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+1]]:96)
  linear f: 6 -> 6 { weight = dense with norm_bound(2.0) with norm_bound(0.5, norm = row) with norm_bound(c = 1.5, norm = column) }
  // CHECK-DAG: #[[G:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+1]]:42)
  linear g: 6 -> 3 { weight = dense with rank_at_most(r = 2) }
  // CHECK-DAG: #[[H:loc[0-9]*]] = loc("{{.*}}constraints.wl":[[#@LINE+1]]:61)
  linear h: 3 -> 3 { weight = dense(init = orthogonal) with orthonormal }
  linear i: 3 -> 3
  forward { return i(h(g(f(e(d(c(b(a(x))))))))) }
  loss = cross_entropy(forward, y)
}

// CHECK-LABEL: module attributes {wl.model = {{.*}}model = "Constraints"
// spectral_bound(1.0): the defaults.
//  CHECK-NEXT:   wl.param @a.weight : tensor<8x8xf32> {constraints = [#wl.spectral_bound<c = 1.000000e+00, loc = #[[A]]>], init = #wl.init<kind = normal, std = {{.*}}>, trainable}
//  CHECK-NEXT:   wl.param @a.bias : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
//  CHECK-NEXT:   wl.param @b.weight : tensor<8x8xf32> {constraints = [#wl.spectral_bound<c = 2.500000e+00, method = soft_cap, strict = true, loc = #[[B]]>], init =
//  CHECK-NEXT:   wl.param @b.bias : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
// c by keyword.
//  CHECK-NEXT:   wl.param @c.weight : tensor<8x8xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = hard_cap, loc = #[[C]]>], init =
//  CHECK-NEXT:   wl.param @c.bias : tensor<8xf32> {init = #wl.init<kind = zeros>, trainable}
//  CHECK-NEXT:   wl.param @d.weight : tensor<8x8xf32> {constraints = [#wl.spectral_bound<c = 1.000000e+00, method = hammer, loc = #[[D]]>], init =
// Two constraints, in the order written; the init is kept.
//  CHECK-NEXT:   wl.param @e.weight : tensor<6x8xf32> {constraints = [#wl.spectral_bound<c = 1.000000e+00, method = svd_clip, loc = #[[E1]]>, #wl.rank_at_most<r = 3, loc = #[[E2]]>], init = #wl.init<kind = zeros>, trainable}
//  CHECK-NEXT:   wl.param @e.bias : tensor<6xf32> {init = #wl.init<kind = zeros>, trainable}
// norm_bound: frobenius by default, row, column.
//  CHECK-NEXT:   wl.param @f.weight : tensor<6x6xf32> {constraints = [#wl.norm_bound<c = 2.000000e+00, loc = #[[F1]]>, #wl.norm_bound<c = 5.000000e-01, norm = row, loc = #[[F2]]>, #wl.norm_bound<c = 1.500000e+00, norm = column, loc = #[[F3]]>], init =
//  CHECK-NEXT:   wl.param @f.bias : tensor<6xf32> {init = #wl.init<kind = zeros>, trainable}
// r by keyword.
//  CHECK-NEXT:   wl.param @g.weight : tensor<3x6xf32> {constraints = [#wl.rank_at_most<r = 2, loc = #[[G]]>], init =
//  CHECK-NEXT:   wl.param @g.bias : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
// orthonormal: no arguments.
//  CHECK-NEXT:   wl.param @h.weight : tensor<3x3xf32> {constraints = [#wl.orthonormal<loc = #[[H]]>], init = #wl.init<kind = orthogonal>, trainable}
//  CHECK-NEXT:   wl.param @h.bias : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
// No constraints: no attribute.
//  CHECK-NEXT:   wl.param @i.weight : tensor<3x3xf32> {init = #wl.init<kind = normal, std = {{.*}}>, trainable}
//  CHECK-NEXT:   wl.param @i.bias : tensor<3xf32> {init = #wl.init<kind = zeros>, trainable}
//  CHECK-NEXT:   wl.layer @a

// wl-generate-constraints reports at the constraint's own position (from its
// `loc`), not at the layer.
// ERR: {{.*}}constraints.wl:[[@LINE+6]]:64: error: a 'spectral_bound' constraint after svd_clip or rank_at_most is not supported yet
// ERR-NEXT: {{^}}  linear fc: 4 -> 2 { weight = dense with rank_at_most(1) with spectral_bound(1.0) }
// ERR-NEXT: {{^}}                                                               ^
model AfterRank {
  input x: f32[4]
  label y: i32
  linear fc: 4 -> 2 { weight = dense with rank_at_most(1) with spectral_bound(1.0) }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
