// Adapted attention: a frozen base + LoRA on q, a 2-term Kronecker k, a
// frozen base + Kronecker (SoKA) on v and a lowrank output, applied per
// position without forming W, with an mse target per position, against a
// float64 PyTorch reference that builds each W from its factors: forward,
// every factor's gradient, dx and one SGD step.
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/sequence_adapters.py %t.so | FileCheck %s
// CHECK: OK forward_b3
// CHECK: OK grad_q.weight.lora_A
// CHECK: OK grad_q.weight.lora_B
// CHECK: OK grad_k.weight.A
// CHECK: OK grad_k.weight.B
// CHECK: OK grad_v.weight.A
// CHECK: OK grad_o.weight.U
// CHECK: OK grad_dx
// CHECK: OK loss
// CHECK: OK step_sgd

model AdaptedAttn {
  input  x: f32[5, 8]
  target y: f32[5, 8]

  linear q: 8 -> 8 { weight = frozen(init = normal(std = 0.3)) + lora(rank = 2, alpha = 4); bias = none }
  linear k: 8 -> 8 { weight = kronecker(a = [2, 4], b = [4, 2], terms = 2); bias = none }
  linear v: 8 -> 8 { weight = frozen(init = normal(std = 0.3)) + kronecker(a = [2, 2], b = [4, 4]); bias = none }
  linear o: 8 -> 8 { weight = lowrank(rank = 3) }

  forward {
    return x + o(attention(q(x), k(x), v(x), heads = 2, causal = true, rope = true))
  }

  loss = mse(forward, y)
  optimize { default: sgd(lr = 0.05) }
}
