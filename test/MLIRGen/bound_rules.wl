// RUN: wlc -emit=wl %s | FileCheck %s
// RUN: wlc -emit=linalg %s | FileCheck %s --check-prefix=META
// The certificate's rule for each layer is chosen by the spec of the
// structure that leads its weight (Structure::bound) and travels as
// wl.layer's `bound` to the metadata's "bound": Gram iteration by default
// (sound for every weight; the attribute is elided), max |d| for a diagonal
// layer, max |s| times the factors' bounds for an svd layer, and the
// orthonormality rule for a weight led by an orthogonal term (sound for
// any weight, tight near orthogonal). A block-diagonal layer takes its
// largest block's bound, a Kronecker layer Σ bound(A_i)·bound(B_i), a Monarch
// layer max bound(L blocks)·max bound(R blocks), all from the stacked factors
// without forming W. A diagonal, svd, blockdiag, kronecker or monarch term in
// a sum falls back to Gram iteration: its own rule would ignore the other
// terms.

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
// CHECK: wl.layer @bd : 4 -> 4 {bound = #wl.bound<block_max>, factors = [@bd.weight.blocks], structure = [#wl.structure<blockdiag>]
// CHECK: wl.layer @kr : 4 -> 4 {bound = #wl.bound<kronecker>, factors = [@kr.weight.A, @kr.weight.B], structure = [#wl.structure<kronecker>]
// CHECK: wl.layer @mo : 4 -> 4 {bound = #wl.bound<monarch>, factors = [@mo.weight.R, @mo.weight.L], structure = [#wl.structure<monarch>]
// CHECK: wl.layer @ks : 4 -> 4 {factors
// CHECK-NOT: bound
// CHECK-SAME: structure = [#wl.structure<kronecker>, #wl.structure<blockdiag>]

// META: \22bound\22:\22gram\22,\22factors\22:[\22dn.weight
// META-SAME: \22bound\22:\22max_abs\22,\22factors\22:[\22dg.weight.d\22]
// META-SAME: \22bound\22:\22gram\22,\22factors\22:[\22dl.weight
// META-SAME: \22bound\22:\22svd\22,\22factors\22:[\22sv.weight.U\22
// META-SAME: \22bound\22:\22gram\22,\22factors\22:[\22fs.weight
// META-SAME: \22bound\22:\22orthonormal\22,\22factors\22:[\22oh.weight
// META-SAME: \22bound\22:\22orthonormal\22,\22in\22:6,\22name\22:\22op\22
// META-SAME: \22bound\22:\22gram\22,\22in\22:4,\22name\22:\22head\22
// META-SAME: \22bound\22:\22block_max\22,\22factors\22:[\22bd.weight.blocks\22]
// META-SAME: \22bound\22:\22kronecker\22,\22factors\22:[\22kr.weight.A\22,\22kr.weight.B\22]
// META-SAME: \22bound\22:\22monarch\22,\22factors\22:[\22mo.weight.R\22,\22mo.weight.L\22]
// META-SAME: \22bound\22:\22gram\22,\22factors\22:[\22ks.weight

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
  linear bd: 4 -> 4 { weight = blockdiag(blocks = 2); bias = none }
  linear kr: 4 -> 4 { weight = kronecker(a = [2, 2], b = [2, 2], terms = 2); bias = none }
  linear mo: 4 -> 4 { weight = monarch(blocks = 2); bias = none }
  linear ks: 4 -> 4 { weight = kronecker(a = [2, 2], b = [2, 2]) + blockdiag(blocks = 2); bias = none }

  forward {
    return head(ks(mo(kr(bd(op(oh(fs(sv(dl(dg(dn(x))))))))))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
