// RUN: wlc -emit=wl %s | FileCheck %s
// RUN: wlc -emit=linalg %s | FileCheck %s --check-prefix=META
// The certificate's rule for each layer is chosen by the spec of the
// structure that leads its weight (Structure::bound) and travels as
// wl.layer's `bound` to the metadata's "bound": Gram iteration by default
// (sound for every weight; the attribute is elided), max |d| for a diagonal
// layer, max |s| times the factors' bounds for an svd layer, and the
// orthonormality rule for a weight led by an orthogonal term (sound for
// any weight, tight near orthogonal). A diagonal or svd term in a sum falls
// back to Gram iteration: its own rule would ignore the other terms.

// CHECK: wl.layer @dn : 6 -> 6 {factors
// CHECK-NOT: bound
// CHECK-SAME: structure = [#wl.structure<dense>, #wl.structure<lowrank>]
// CHECK: wl.layer @dg : 6 -> 6 {bound = #wl.bound<max_abs>, factors = [@dg.weight.d], structure = [#wl.structure<diagonal>]
// CHECK: wl.layer @dl : 6 -> 6 {factors
// CHECK-NOT: bound
// CHECK-SAME: structure = [#wl.structure<diagonal>, #wl.structure<lowrank>]
// CHECK: wl.layer @sv : 6 -> 6 {bound = #wl.bound<svd>, factors
// CHECK: wl.layer @fs : 6 -> 6 {factors
// CHECK-NOT: bound
// CHECK-SAME: structure = [#wl.structure<frozen>, #wl.structure<svd>]
// CHECK: wl.layer @oh : 6 -> 6 {bound = #wl.bound<orthonormal>, factors = {{.*}}structure = [#wl.structure<orthogonal_householder>, #wl.structure<lowrank>]
// CHECK: wl.layer @op : 6 -> 4 {bound = #wl.bound<orthonormal>, structure = [#wl.structure<orthogonal_polar>], weight = @op.weight}
// CHECK: wl.layer @head : 4 -> 3 {structure = [#wl.structure<dense>], weight = @head.weight}

// META: \22bound\22:\22gram\22,\22factors\22:[\22dn.weight
// META-SAME: \22bound\22:\22max_abs\22,\22factors\22:[\22dg.weight.d\22]
// META-SAME: \22bound\22:\22gram\22,\22factors\22:[\22dl.weight
// META-SAME: \22bound\22:\22svd\22,\22factors\22:[\22sv.weight.U\22
// META-SAME: \22bound\22:\22gram\22,\22factors\22:[\22fs.weight
// META-SAME: \22bound\22:\22orthonormal\22,\22factors\22:[\22oh.weight
// META-SAME: \22bound\22:\22orthonormal\22,\22in\22:6,\22name\22:\22op\22
// META-SAME: \22bound\22:\22gram\22,\22in\22:4,\22name\22:\22head\22

model BoundRules {
  input  x: f32[6]
  label  y: i32

  linear dn: 6 -> 6 { weight = dense + lowrank(rank = 1); bias = none }
  linear dg: 6 -> 6 { weight = diagonal; bias = none }
  linear dl: 6 -> 6 { weight = diagonal + lowrank(rank = 1); bias = none }
  linear sv: 6 -> 6 { weight = svd(rank = 2); bias = none }
  linear fs: 6 -> 6 { weight = frozen(init = zeros) + svd(rank = 2); bias = none }
  linear oh: 6 -> 6 { weight = orthogonal(method = householder, reflectors = 3) + lowrank(rank = 1); bias = none }
  linear op: 6 -> 4 { weight = orthogonal(method = polar); bias = none }
  linear head: 4 -> 3 { weight = dense; bias = none }

  forward {
    return head(op(oh(fs(sv(dl(dg(dn(x))))))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
