// RUN: wlc -emit=ast %s | FileCheck %s
// Every structure, constraint, initialiser, optimizer, schedule and activation
// parses, checks, and gets its LANGUAGE.md parameter names and shapes.
// CHECK-LABEL: Model 'Everything' <{{.*}}all_features.wl:141:1>
// CHECK-NEXT: {{^}}  Input x f32[8, 8] (64)
// CHECK-NEXT: {{^}}  Target t f32[64] (64)
// CHECK-NEXT: {{^}}  Linear d 64 -> 64
// CHECK-NEXT: {{^}}    Term dense(init = normal(std = 0.1))
// CHECK-NEXT: {{^}}      Constraint spectral_bound(1.0, method = svd_clip, strict = true)
// CHECK-NEXT: {{^}}    Bias uniform(0.1)
// CHECK-NEXT: {{^}}  Linear lr 64 -> 64
// CHECK-NEXT: {{^}}    Term lowrank(rank = 8, init = orthogonal)
// CHECK-NEXT: {{^}}      Constraint rank_at_most(8)
// CHECK-NEXT: {{^}}    Bias none
// CHECK-NEXT: {{^}}  Linear kr 64 -> 64
// CHECK-NEXT: {{^}}    Term kronecker(a = [8, 8], b = [8, 8], terms = 2)
// CHECK-NEXT: {{^}}      Constraint norm_bound(2.0, norm = row)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear mo 64 -> 64
// CHECK-NEXT: {{^}}    Term monarch(blocks = 8)
// CHECK-NEXT: {{^}}      Constraint spectral_bound(1.0, method = hard_cap) [strict = false]
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear bd 64 -> 64
// CHECK-NEXT: {{^}}    Term blockdiag(blocks = 4, init = zeros)
// CHECK-NEXT: {{^}}      Constraint orthonormal
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear dg 64 -> 64
// CHECK-NEXT: {{^}}    Term diagonal
// CHECK-NEXT: {{^}}      Constraint spectral_bound(1.0, method = hammer) [strict = false]
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear oc 64 -> 64
// CHECK-NEXT: {{^}}    Term orthogonal(method = cayley)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear oe 64 -> 64
// CHECK-NEXT: {{^}}    Term orthogonal(method = exp)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear oh 64 -> 32
// CHECK-NEXT: {{^}}    Term orthogonal(method = householder, reflectors = 16)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear op 32 -> 64
// CHECK-NEXT: {{^}}    Term orthogonal(method = polar)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear sv 64 -> 64
// CHECK-NEXT: {{^}}    Term svd(rank = 16)
// CHECK-NEXT: {{^}}      Constraint spectral_bound(1.0) [method = normalize, strict = false]
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear lo 64 -> 64
// CHECK-NEXT: {{^}}    Term frozen(init = from("base.safetensors", "lo.weight"))
// CHECK-NEXT: {{^}}    Term lora(rank = 4, alpha = 8, init = pissa)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear lg 64 -> 64
// CHECK-NEXT: {{^}}    Term frozen(init = normal(std = 0.02))
// CHECK-NEXT: {{^}}    Term lora(rank = 4) [alpha = 8.0, init = gaussian]
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear bs 64 -> 64
// CHECK-NEXT: {{^}}    Term frozen(init = orthogonal)
// CHECK-NEXT: {{^}}    Term bone(block = 8, mode = shared)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear bb 64 -> 64
// CHECK-NEXT: {{^}}    Term frozen(init = orthogonal)
// CHECK-NEXT: {{^}}    Term bone(block = 8, mode = bat)
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear kp 64 -> 64
// CHECK-NEXT: {{^}}    Term frozen(init = orthogonal)
// CHECK-NEXT: {{^}}    Term kronecker(a = [8, 8], b = [8, 8], init = kpsvd) [terms = 1]
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Linear sf 64 -> 64
// CHECK-NEXT: {{^}}    Term frozen(init = orthogonal)
// CHECK-NEXT: {{^}}    Term svfit(rank = 8)
// CHECK-NEXT: {{^}}      Constraint spectral_bound(2.0, method = soft_cap) [strict = false]
// CHECK-NEXT: {{^}}    Bias zeros
// CHECK-NEXT: {{^}}  Forward
// CHECK-NEXT: {{^}}    Assign h = relu(d(x)) : 64
// CHECK-NEXT: {{^}}    Assign h = gelu(lr(h)) + gelu_tanh(kr(h)) : 64
// CHECK-NEXT: {{^}}    Assign h = tanh(mo(h)) + 0.5 * sigmoid(bd(h)) : 64
// CHECK-NEXT: {{^}}    Assign h = abs(dg(h)) + identity(oc(h)) + 2 * oe(h) : 64
// CHECK-NEXT: {{^}}    Assign h = op(groupsort(oh(h), 4)) : 64
// CHECK-NEXT: {{^}}    Assign h = sv(h) + lo(h) + lg(h) + bs(h) + bb(h) + kp(h) : 64
// CHECK-NEXT: {{^}}    Return sf(groupsort(h, k = 2)) : 64
// CHECK-NEXT: {{^}}  Loss mse(forward, t)
// CHECK-NEXT: {{^}}  Optimize
// CHECK-NEXT: {{^}}    Group d.weight, kr.weight, mo.weight, sv.weight.U, sv.weight.V: muon(lr = 0.02, momentum = 0.9, nesterov = false, ns_steps = 3, weight_decay = 0.01)
// CHECK-NEXT: {{^}}    Group lr.weight.U, lr.weight.V: sgd(lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 1e-4)
// CHECK-NEXT: {{^}}    Group bd, dg.weight.d: lion(lr = 1e-4, betas = (0.9, 0.99), weight_decay = 0.1)
// CHECK-NEXT: {{^}}    Group lo.weight, lg.weight.lora_A, lg.weight.lora_B: adamp(lr = 1e-3, betas = (0.9, 0.999), eps = 1e-8, weight_decay = 0.0, delta = 0.1, wd_ratio = 0.1)
// CHECK-NEXT: {{^}}    Default adamw(lr = 3e-4, betas = (0.9, 0.95), eps = 1e-6, weight_decay = 0.05)
// CHECK-NEXT: {{^}}    Schedule warmup_cosine(warmup = 10, total = 100)
// CHECK-NEXT: {{^}}  Params
// CHECK-NEXT: {{^}}    d.weight [64, 64] group 0 muon
// CHECK-NEXT: {{^}}    d.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    lr.weight.U [64, 8] group 1 sgd
// CHECK-NEXT: {{^}}    lr.weight.V [64, 8] group 1 sgd
// CHECK-NEXT: {{^}}    kr.weight.A [2, 8, 8] group 0 muon
// CHECK-NEXT: {{^}}    kr.weight.B [2, 8, 8] group 0 muon
// CHECK-NEXT: {{^}}    kr.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    mo.weight.R [8, 8, 8] group 0 muon
// CHECK-NEXT: {{^}}    mo.weight.L [8, 8, 8] group 0 muon
// CHECK-NEXT: {{^}}    mo.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    bd.weight.blocks [4, 16, 16] group 2 lion
// CHECK-NEXT: {{^}}    bd.bias [64] group 2 lion
// CHECK-NEXT: {{^}}    dg.weight.d [64] group 2 lion
// CHECK-NEXT: {{^}}    dg.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    oc.weight.S [64, 64] group 4 adamw
// CHECK-NEXT: {{^}}    oc.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    oe.weight.S [64, 64] group 4 adamw
// CHECK-NEXT: {{^}}    oe.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    oh.weight.v [16, 64] group 4 adamw
// CHECK-NEXT: {{^}}    oh.bias [32] group 4 adamw
// CHECK-NEXT: {{^}}    op.weight [64, 32] group 4 adamw
// CHECK-NEXT: {{^}}    op.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    sv.weight.U [64, 16] group 0 muon
// CHECK-NEXT: {{^}}    sv.weight.s [16] group 4 adamw
// CHECK-NEXT: {{^}}    sv.weight.V [64, 16] group 0 muon
// CHECK-NEXT: {{^}}    sv.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    lo.weight.base [64, 64] frozen
// CHECK-NEXT: {{^}}    lo.weight.lora_A [4, 64] group 3 adamp
// CHECK-NEXT: {{^}}    lo.weight.lora_B [64, 4] group 3 adamp
// CHECK-NEXT: {{^}}    lo.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    lg.weight.base [64, 64] frozen
// CHECK-NEXT: {{^}}    lg.weight.lora_A [4, 64] group 3 adamp
// CHECK-NEXT: {{^}}    lg.weight.lora_B [64, 4] group 3 adamp
// CHECK-NEXT: {{^}}    lg.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    bs.weight.base [64, 64] frozen
// CHECK-NEXT: {{^}}    bs.weight.bone_B [8, 64] group 4 adamw
// CHECK-NEXT: {{^}}    bs.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    bb.weight.base [64, 64] frozen
// CHECK-NEXT: {{^}}    bb.weight.bone_B [8, 8, 8] group 4 adamw
// CHECK-NEXT: {{^}}    bb.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    kp.weight.base [64, 64] frozen
// CHECK-NEXT: {{^}}    kp.weight.A [1, 8, 8] group 4 adamw
// CHECK-NEXT: {{^}}    kp.weight.B [1, 8, 8] group 4 adamw
// CHECK-NEXT: {{^}}    kp.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}    sf.weight.base [64, 64] frozen
// CHECK-NEXT: {{^}}    sf.weight.s [8] group 4 adamw
// CHECK-NEXT: {{^}}    sf.weight.U [64, 8] frozen
// CHECK-NEXT: {{^}}    sf.weight.V [64, 8] frozen
// CHECK-NEXT: {{^}}    sf.bias [64] group 4 adamw
// CHECK-NEXT: {{^}}  Output 64
/* Every structure, constraint, initialiser, optimizer, schedule and
   activation of LANGUAGE.md in one file. */
model Everything {
  input x: f32[8, 8]; target t: f32[64]

  linear d: 64 -> 64 { weight = dense(init = normal(std = 0.1)) with spectral_bound(1.0, method = svd_clip, strict = true); bias = uniform(0.1) }
  linear lr: 64 -> 64 {
    weight = lowrank(rank = 8, init = orthogonal) with rank_at_most(8)
    bias = none
  }
  linear kr: 64 -> 64 {
    weight = kronecker(a = [8, 8], b = [8, 8], terms = 2)
      with norm_bound(2.0, norm = row)
  }
  linear mo: 64 -> 64 { weight = monarch(blocks = 8) with spectral_bound(1.0, method = hard_cap) }
  linear bd: 64 -> 64 { weight = blockdiag(blocks = 4, init = zeros) with orthonormal }
  linear dg: 64 -> 64 { weight = diagonal with spectral_bound(1.0, method = hammer) }
  linear oc: 64 -> 64 { weight = orthogonal(method = cayley) }
  linear oe: 64 -> 64 { weight = orthogonal(method = exp) }
  linear oh: 64 -> 32 { weight = orthogonal(method = householder, reflectors = 16) }
  linear op: 32 -> 64 { weight = orthogonal(method = polar) }
  linear sv: 64 -> 64 { weight = svd(rank = 16) with spectral_bound(1.0) }
  linear lo: 64 -> 64 {
    weight = frozen(init = from("base.safetensors", "lo.weight"))
           + lora(rank = 4, alpha = 8, init = pissa)
  }
  linear lg: 64 -> 64 { weight = frozen(init = normal(std = 0.02)) + lora(rank = 4) }
  linear bs: 64 -> 64 { weight = frozen(init = orthogonal) + bone(block = 8, mode = shared) }
  linear bb: 64 -> 64 { weight = frozen(init = orthogonal) + bone(block = 8, mode = bat) }
  linear kp: 64 -> 64 { weight = frozen(init = orthogonal) + kronecker(a = [8, 8], b = [8, 8], init = kpsvd) }
  linear sf: 64 -> 64 { weight = frozen(init = orthogonal) + svfit(rank = 8) with spectral_bound(2.0, method = soft_cap) }

  forward {
    h = relu(d(x)); h = gelu(lr(h)) + gelu_tanh(kr(h))
    h = tanh(mo(h)) + 0.5 * sigmoid(bd(h))
    h = abs(dg(h)) + identity(oc(h)) + oe(h) * 2
    h = op(groupsort(oh(h), 4))
    h = (sv(h) + lo(h)) + lg(h) + bs(h) + bb(h) + kp(h)
    return sf(groupsort(h, k = 2))
  }

  loss = mse(forward, t)

  optimize {
    d.weight, kr.weight, mo.weight, sv.weight.U, sv.weight.V: muon(lr = 0.02, momentum = 0.9, nesterov = false, ns_steps = 3, weight_decay = 0.01)
    lr.weight.U, lr.weight.V: sgd(lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 1e-4)
    bd, dg.weight.d: lion(lr = 1e-4, betas = (0.9, 0.99), weight_decay = 0.1)
    lo.weight, lg.weight.lora_A, lg.weight.lora_B: adamp(lr = 1e-3, betas = (0.9, 0.999), eps = 1e-8, weight_decay = 0.0, delta = 0.1, wd_ratio = 0.1)
    default: adamw(lr = 3e-4,
                   betas = (0.9, 0.95),
                   eps = 1e-6, weight_decay = 0.05)
    schedule: warmup_cosine(warmup = 10, total = 100)
  }
}

