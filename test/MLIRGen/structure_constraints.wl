// RUN: wlc -emit=wl %s | FileCheck %s
// A constraint written on a structured term is carried onto its factors
// (origin = factor, the term's structure), each with its share of the bound
// (LANGUAGE.md, "Constraints"; docs/language.md, "Constraints through
// structures"): blockdiag's blocks get c (row/column bounds c, Frobenius
// c/sqrt(b)), one-term Kronecker factors sqrt(c) (k terms sqrt(c/k)), every
// Monarch block sqrt(c), bone(shared)'s B c/sqrt(IN/r), svfit's s the clamp
// at c; the method and `strict` travel unchanged. A product of two factors
// (lowrank's U Vᵀ, LoRA's B A = U Vᵀ with V stored transposed) is clipped
// exactly whatever the method: product_clip on U with its partner, at c/s for
// LoRA's scale s = alpha/r; the partner carries nothing. A product with a
// diagonal, U diag(d) Vᵀ (sorsa's B diag(S) A, loldu's (PL)_r diag(z) U_r),
// is carried by d with U as `left`, at c/s; loldu's frozen factors make it
// `fixed` (only z is scaled).

// CHECK: wl.param @bd.weight.blocks : tensor<4x4x4xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = hard_cap, loc = {{.*}}, origin = factor, structure = <blockdiag>>, #wl.norm_bound<c = 2.000000e+00, norm = row, loc = {{.*}}, origin = factor, structure = <blockdiag>>, #wl.norm_bound<c = 1.500000e+00, loc = {{.*}}, origin = factor, structure = <blockdiag>>]
// CHECK: wl.param @kr.weight.A : tensor<1x4x4xf32> {constraints = [#wl.orthonormal<loc = {{.*}}, origin = factor, structure = <kronecker>>, #wl.spectral_bound<c = 2.000000e+00, method = svd_clip, strict = true, loc = {{.*}}, origin = factor, structure = <kronecker>>]
// CHECK: wl.param @kr.weight.B : tensor<1x4x4xf32> {constraints = [#wl.orthonormal<loc = {{.*}}, origin = factor, structure = <kronecker>>, #wl.spectral_bound<c = 2.000000e+00, method = svd_clip, strict = true
// CHECK: wl.param @k2.weight.A : tensor<2x4x4xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, loc = {{.*}}, origin = factor, structure = <kronecker>>]
// CHECK: wl.param @mo.weight.R : tensor<4x4x4xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = hammer, loc = {{.*}}, origin = factor, structure = <monarch>>]
// CHECK: wl.param @mo.weight.L : tensor<4x4x4xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = hammer,
// CHECK: wl.param @lr.weight.U : tensor<16x2xf32> {constraints = [#wl.spectral_bound<c = 9.000000e+00, method = product_clip, partner = @lr.weight.V, loc = {{.*}}, origin = factor, structure = <lowrank>>]
// CHECK: wl.param @lr.weight.V : tensor<16x2xf32> {init = #wl.init<kind = normal
// CHECK: wl.param @la.weight.base : tensor<16x16xf32> {init = #wl.init<kind = orthogonal>}
// CHECK: wl.param @la.weight.lora_A : tensor<4x16xf32> {init = #wl.init<kind = uniform
// CHECK: wl.param @la.weight.lora_B : tensor<16x4xf32> {constraints = [#wl.spectral_bound<c = 2.500000e-01, method = product_clip, partner = @la.weight.lora_A, transposed = true, loc = {{.*}}, origin = factor, structure = <lora>>]
// CHECK: wl.param @bo.weight.bone_B : tensor<4x16xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, loc = {{.*}}, origin = factor, structure = <bone>>]
// CHECK: wl.param @sf.weight.s : tensor<4xf32> {constraints = [#wl.spectral_bound<c = 2.500000e-01, method = clamp, loc = {{.*}}, structure = <svfit>>]
// CHECK: wl.param @sf.weight.U : tensor<16x4xf32> {init = #wl.init<kind = zeros>}
// CHECK: wl.param @so.weight.sorsa_A : tensor<4x16xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty
// CHECK: wl.param @so.weight.sorsa_S : tensor<4xf32> {constraints = [#wl.spectral_bound<c = 2.500000e-01, method = product_clip, partner = @so.weight.sorsa_A, transposed = true, left = @so.weight.sorsa_B, loc = {{.*}}, origin = factor, structure = <sorsa>>]
// CHECK: wl.param @so.weight.sorsa_B : tensor<16x4xf32> {init = #wl.init<kind = zeros>, orthonormal_penalty
// CHECK: wl.param @ld.weight.loldu_z : tensor<2xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = product_clip, partner = @ld.weight.loldu_U, transposed = true, left = @ld.weight.loldu_L, fixed = true, loc = {{.*}}, origin = factor, structure = <loldu>>]
// CHECK: wl.param @ld.weight.loldu_L : tensor<16x2xf32> {init = #wl.init<kind = zeros>}
// bone(mode = bat): B scaled against the frozen base (row_block_scale, sound).
// CHECK: wl.param @bb.weight.bone_B : tensor<4x4x4xf32> {constraints = [#wl.spectral_bound<c = 5.000000e-01, method = row_block_scale, partner = @bb.weight.base, loc = {{.*}}, origin = factor, structure = <bone>>]

model StructureConstraints {
  input x: f32[16]
  label y: i32

  linear bd: 16 -> 16 { weight = blockdiag(blocks = 4) with spectral_bound(0.5, method = hard_cap) with norm_bound(2.0, norm = row) with norm_bound(3.0) }
  linear kr: 16 -> 16 { weight = kronecker(a = [4, 4], b = [4, 4]) with orthonormal with spectral_bound(4.0, method = svd_clip, strict = true) }
  linear k2: 16 -> 16 { weight = kronecker(a = [4, 4], b = [4, 4], terms = 2) with spectral_bound(0.5) }
  linear mo: 16 -> 16 { weight = monarch(blocks = 4) with spectral_bound(0.25, method = hammer) }
  linear lr: 16 -> 16 { weight = lowrank(rank = 2) with spectral_bound(9.0) }
  linear la: 16 -> 16 { weight = frozen(init = orthogonal) + lora(rank = 4, alpha = 4) with spectral_bound(0.25) }
  linear bo: 16 -> 16 { weight = frozen(init = orthogonal) + bone(block = 4) with spectral_bound(1.0) }
  linear sf: 16 -> 16 { weight = frozen(init = orthogonal) + svfit(rank = 4) with spectral_bound(0.25) }
  linear so: 16 -> 16 { weight = frozen(init = orthogonal) + sorsa(rank = 4, alpha = 8, gamma = 0.1) with spectral_bound(0.5, method = soft_cap) }
  linear ld: 16 -> 16 { weight = frozen(init = orthogonal) + loldu(rank = 2) with spectral_bound(0.5) }
  linear bb: 16 -> 16 { weight = frozen(init = orthogonal) + bone(block = 4, mode = bat) with spectral_bound(0.5, method = svd_clip) }

  forward {
    return bb(ld(so(sf(bo(la(lr(mo(k2(kr(bd(x)))))))))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
