// RUN: wlc -emit=wl %s | FileCheck %s
// Factored structures and adapters (LANGUAGE.md): parameter names, shapes and
// initialisers (products at the dense init's scale, adapters at ΔW = 0, zeros
// for what a creation-time re-split fills), the wl.layer with its structure
// ("frozen+lora") and re-split, and the forward as contractions over reshaped
// activations (never W).

// lowrank: U, V ~ normal((r·IN)^(-1/4)) = (3·12)^(-1/4).
// CHECK: wl.param @lr.weight.U : tensor<8x3xf32> {init = #wl.init<kind = normal, std = 0.40824829046386302>, trainable}
// CHECK: wl.param @lr.weight.V : tensor<12x3xf32> {init = #wl.init<kind = normal, std = 0.40824829046386302>, trainable}
// kronecker: A [k, m1, n1], B [k, m2, n2] ~ normal((k·IN)^(-1/4)) = 16^(-1/4).
// CHECK: wl.param @kr.weight.A : tensor<2x2x4xf32> {init = #wl.init<kind = normal, std = 5.000000e-01>, trainable}
// CHECK: wl.param @kr.weight.B : tensor<2x3x2xf32> {init = #wl.init<kind = normal, std = 5.000000e-01>, trainable}
// monarch (b = 2, c = 3): R [b, c, c], L [c, b, b] ~ normal(IN^(-1/4)).
// CHECK: wl.param @mo.weight.R : tensor<2x3x3xf32> {init = #wl.init<kind = normal, std = 0.63894310424627243>, trainable}
// CHECK: wl.param @mo.weight.L : tensor<3x2x2xf32> {init = #wl.init<kind = normal, std = 0.63894310424627243>, trainable}
// blockdiag: [b, OUT/b, IN/b] ~ normal(1/sqrt(IN/b)).
// CHECK: wl.param @bd.weight.blocks : tensor<2x2x3xf32> {init = #wl.init<kind = normal, std = 0.57735026918962584>, trainable}
// frozen base (no `trainable`), LoRA A ~ U(±1/sqrt(IN)), B = 0.
// CHECK: wl.param @lo.weight.base : tensor<4x4xf32> {init = #wl.init<kind = normal, std = 5.000000e-01>}
// CHECK: wl.param @lo.weight.lora_A : tensor<2x4xf32> {init = #wl.init<kind = uniform, a = 5.000000e-01>, trainable}
// CHECK: wl.param @lo.weight.lora_B : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
// PiSSA: both factors filled by the re-split.
// CHECK: wl.param @pi.weight.lora_A : tensor<2x4xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @pi.weight.lora_B : tensor<4x2xf32> {init = #wl.init<kind = zeros>, trainable}
// Bone: B = 0, [r, OUT] (shared) or [OUT/r, r, r] (bat).
// CHECK: wl.param @bs.weight.bone_B : tensor<2x4xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @bb.weight.bone_B : tensor<2x2x2xf32> {init = #wl.init<kind = zeros>, trainable}
// SVFit: s trains, U and V are frozen.
// CHECK: wl.param @sv.weight.s : tensor<2xf32> {init = #wl.init<kind = zeros>, trainable}
// CHECK: wl.param @sv.weight.U : tensor<4x2xf32> {init = #wl.init<kind = zeros>}
// CHECK: wl.param @sv.weight.V : tensor<4x2xf32> {init = #wl.init<kind = zeros>}

// CHECK: wl.layer @lr : 12 -> 8 {bias = @lr.bias, factors = [@lr.weight.U, @lr.weight.V], structure = [#wl.structure<lowrank>], weight = @lr.weight.U}
// CHECK: wl.layer @lo : 4 -> 4 {bias = @lo.bias, factors = [@lo.weight.base, @lo.weight.lora_A, @lo.weight.lora_B], structure = [#wl.structure<frozen>, #wl.structure<lora>], weight = @lo.weight.base}
// CHECK: wl.layer @pi : {{.*}}structure = [#wl.structure<frozen>, #wl.structure<lora>], weight = @pi.weight.base, wl.resplit = {base = @pi.weight.base, factors = [@pi.weight.lora_A, @pi.weight.lora_B], kind = #wl<resplit pissa>}}
// CHECK: wl.layer @sv : {{.*}}structure = [#wl.structure<frozen>, #wl.structure<svfit>], weight = @sv.weight.base, wl.resplit = {base = @sv.weight.base, factors = [@sv.weight.U, @sv.weight.s, @sv.weight.V], kind = #wl<resplit svfit>}}
// CHECK: wl.layer @kp : {{.*}}structure = [#wl.structure<frozen>, #wl.structure<kronecker>], weight = @kp.weight.base, wl.resplit = {base = @kp.weight.base, factors = [@kp.weight.A, @kp.weight.B], kind = #wl<resplit kpsvd>}}

// CHECK-LABEL: func.func @forward(
// lowrank: U (Vᵀ x).
//       CHECK: wl.matmul %{{.+}}, %{{.+}} {{.*}}: (tensor<?x12xf32>, tensor<12x3xf32>) -> tensor<?x3xf32>
//       CHECK: wl.matmul %{{.+}}, %{{.+}} {transpose_rhs{{.*}}} : (tensor<?x3xf32>, tensor<8x3xf32>) -> tensor<?x8xf32>
// kronecker (a = [2, 4], b = [3, 2], two terms): x as [B·n1, n2] rows times
// [B_1; B_2]ᵀ, permuted from [B, n1, k, m2] to [B, m2, k, n1], times
// [A_1 A_2] (A permuted to [m1, k, n1]) on [B·m2, k·n1] rows, permuted back
// to [B, m1, m2]: two GEMMs over the whole batch.
//       CHECK: %[[X3:.+]] = wl.reshape %{{.+}} {{.*}}: (tensor<?x8xf32>) -> tensor<?x4x2xf32>
//       CHECK: %[[X2:.+]] = wl.reshape %[[X3]] {{.*}}: (tensor<?x4x2xf32>) -> tensor<?x2xf32>
//       CHECK: %[[B:.+]] = wl.reshape %{{.+}} {{.*}}: (tensor<2x3x2xf32>) -> tensor<6x2xf32>
//       CHECK: %[[T:.+]] = wl.matmul %[[X2]], %[[B]] {transpose_rhs{{.*}}} : (tensor<?x2xf32>, tensor<6x2xf32>) -> tensor<?x6xf32>
//       CHECK: %[[T4:.+]] = wl.reshape %[[T]] {{.*}}: (tensor<?x6xf32>) -> tensor<?x4x2x3xf32>
//       CHECK: %[[P:.+]] = wl.contract %[[T4]] {{.*}}: (tensor<?x4x2x3xf32>) -> tensor<?x3x2x4xf32>
//       CHECK: %[[P2:.+]] = wl.reshape %[[P]] {{.*}}: (tensor<?x3x2x4xf32>) -> tensor<?x8xf32>
//       CHECK: %[[A3:.+]] = wl.contract %{{.+}} {{.*}}: (tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
//       CHECK: %[[A2:.+]] = wl.reshape %[[A3]] {{.*}}: (tensor<2x2x4xf32>) -> tensor<2x8xf32>
//       CHECK: %[[Z:.+]] = wl.matmul %[[P2]], %[[A2]] {transpose_rhs{{.*}}} : (tensor<?x8xf32>, tensor<2x8xf32>) -> tensor<?x2xf32>
//       CHECK: %[[Z3:.+]] = wl.reshape %[[Z]] {{.*}}: (tensor<?x2xf32>) -> tensor<?x3x2xf32>
//       CHECK: %[[Y3:.+]] = wl.contract %[[Z3]] {{.*}}: (tensor<?x3x2xf32>) -> tensor<?x2x3xf32>
//       CHECK: wl.reshape %[[Y3]] {{.*}}: (tensor<?x2x3xf32>) -> tensor<?x6xf32>
// monarch: R on [B, b, c], the permutation as a transpose to [B, c, b], L,
// and back.
//       CHECK: wl.contract {{.*}}: (tensor<2x3x3xf32>, tensor<?x2x3xf32>) -> tensor<?x2x3xf32>
//       CHECK: wl.contract {{.*}}: (tensor<?x2x3xf32>) -> tensor<?x3x2xf32>
//       CHECK: wl.contract {{.*}}: (tensor<3x2x2xf32>, tensor<?x3x2xf32>) -> tensor<?x3x2xf32>
//       CHECK: wl.contract {{.*}}: (tensor<?x3x2xf32>) -> tensor<?x2x3xf32>
// blockdiag: one batched contraction.
//       CHECK: wl.contract {{.*}}: (tensor<2x2x3xf32>, tensor<?x2x3xf32>) -> tensor<?x2x2xf32>
// frozen + lora: W0 x + B((alpha/r)·A x), the scale 4/2 on the rank-2
// activations (rows × r, not rows × OUT).
//       CHECK: %[[BASE:.+]] = wl.linear %{{.+}}, %{{.+}} {{.*}}: (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
//       CHECK: %[[AX:.+]] = wl.matmul {{.*}}: (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
//       CHECK: %[[S:.+]] = wl.scale %[[AX]], 2.000000e+00 {{.*}}: tensor<?x2xf32>
//       CHECK: %[[BA:.+]] = wl.matmul %[[S]], {{.*}}: (tensor<?x2xf32>, tensor<4x2xf32>) -> tensor<?x4xf32>
//       CHECK: wl.add %[[BASE]], %[[BA]]
// PiSSA: scale 1, no wl.scale.
//       CHECK: wl.param_ref @pi.weight.lora_B
//  CHECK-NEXT: wl.matmul
//  CHECK-NEXT: wl.add
// Bone (shared): the column blocks of x summed, then times B.
//       CHECK: %[[XB:.+]] = wl.reshape %{{.+}} {{.*}}: (tensor<?x4xf32>) -> tensor<?x2x2xf32>
//       CHECK: wl.contract %[[XB]] {{.*}}: (tensor<?x2x2xf32>) -> tensor<?x2xf32>
// Bone (bat): the base regrouped into r × r blocks, no [OUT, IN] product.
//       CHECK: wl.reshape %{{.+}} {{.*}}: (tensor<4x4xf32>) -> tensor<2x2x2x2xf32>
model Adapters {
  input x: f32[12]
  label y: i32
  linear lr: 12 -> 8 { weight = lowrank(rank = 3) }
  linear kr: 8 -> 6 { weight = kronecker(a = [2, 4], b = [3, 2], terms = 2) }
  linear mo: 6 -> 6 { weight = monarch(blocks = 2) }
  linear bd: 6 -> 4 { weight = blockdiag(blocks = 2) }
  linear lo: 4 -> 4 { weight = frozen(init = normal(std = 0.5)) + lora(rank = 2, alpha = 4) }
  linear pi: 4 -> 4 { weight = frozen(init = orthogonal) + lora(rank = 2, init = pissa) }
  linear bs: 4 -> 4 { weight = frozen(init = zeros) + bone(block = 2) }
  linear bb: 4 -> 4 { weight = frozen(init = normal(std = 0.5)) + bone(block = 2, mode = bat) }
  linear sv: 4 -> 4 { weight = frozen(init = normal(std = 0.5)) + svfit(rank = 2) }
  linear kp: 4 -> 4 { weight = frozen(init = normal(std = 0.5)) + kronecker(a = [2, 2], b = [2, 2], init = kpsvd) }
  forward { return kp(sv(bb(bs(pi(lo(tanh(bd(mo(kr(lr(x))))))))))) }
  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01) }
}
