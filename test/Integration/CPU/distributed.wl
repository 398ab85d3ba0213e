// Data-parallel training on torch.distributed (gloo, ranks on 127.0.0.1, bounded timeouts):
// wl.distributed.DataParallel against one process on the concatenated batch, for a dense
// MLP, a Muon + soft_cap model, a LoRA model and a sequence model, with the step's pieces
// computed on every rank or sharded across the ranks (Inputs/distributed.py).
// RUN: wlc %s --model DistMlp -o %t.DistMlp.so
// RUN: wlc %s --model DistMuon -o %t.DistMuon.so
// RUN: wlc %s --model DistLora -o %t.DistLora.so
// RUN: wlc %s --model DistLM -o %t.DistLM.so
// RUN: %python %test_inputs/distributed.py --tmp %t.d %t.DistMlp.so %t.DistMuon.so %t.DistLora.so %t.DistLM.so | FileCheck %s
// CHECK: OK buffers_DistMlp
// CHECK: OK equal_to_one_process_DistMlp
// CHECK: OK replicas_identical_DistMlp
// CHECK: OK sharded_step_DistMlp (loss error
// CHECK: OK sharded_step_DistMlp (6 pieces, owners
// CHECK: OK uneven_shards_DistMlp
// CHECK: OK buffers_DistMuon
// CHECK: OK equal_to_one_process_DistMuon
// CHECK: OK replicas_identical_DistMuon (step plan [-1, 0, -1, -1, -1, -1])
// CHECK: OK sharded_step_DistMuon (loss error
// CHECK: OK sharded_step_DistMuon (6 pieces, owners
// CHECK: OK sharded_equals_unsharded_DistMuon (bit-identical after 20 steps)
// CHECK: OK buffers_DistLora
// CHECK: OK equal_to_one_process_DistLora
// CHECK: OK replicas_identical_DistLora (step plan [-1, -1, -1, -1, -1, -1])
// CHECK: OK sharded_step_DistLora (loss error
// CHECK: OK sharded_step_DistLora (6 pieces, owners
// CHECK: OK sharded_equals_unsharded_DistLora (bit-identical after 20 steps)
// CHECK: OK buffers_DistLM
// CHECK: OK equal_to_one_process_DistLM
// CHECK: OK replicas_identical_DistLM
// CHECK: OK resume_on_other_rank_count
// CHECK: OK subgroup (ranks 1 and 2 of 3
// CHECK: OK broadcast_from_rank0
// CHECK: OK mismatched_model
// CHECK: OK nonfinite_on_one_rank
// CHECK: OK diverged_replicas
// CHECK: OK killed_rank
// CHECK-NOT: FAIL

model DistMlp {
  input  x: f32[12]
  label  y: i32

  linear fc1: 12 -> 32
  linear fc2: 32 -> 16
  linear head: 16 -> 5

  forward {
    return head(gelu(fc2(tanh(fc1(x)))))
  }

  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.01, weight_decay = 0.01) }
}

model DistMuon {
  input  x: f32[12]
  label  y: i32

  linear fc1: 12 -> 24 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear fc2: 24 -> 24 { weight = dense with spectral_bound(1.0, method = soft_cap) }
  linear head: 24 -> 5 { weight = dense }

  forward {
    h = groupsort(fc1(x), 2)
    return head(groupsort(fc2(h), 2))
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc2.weight: muon(lr = 0.05)
    default: adamw(lr = 0.02)
    schedule: warmup_linear(warmup = 3, total = 40)
  }
}

model DistLora {
  input  x: f32[12]
  label  y: i32

  linear fc1: 12 -> 16 { weight = frozen(init = normal(std = 0.3)) + lora(rank = 2, alpha = 4) }
  linear head: 16 -> 5 { weight = frozen(init = normal(std = 0.3)) + lora(rank = 2, alpha = 4) }

  forward {
    return head(tanh(fc1(x)))
  }

  loss = cross_entropy(forward, y)
  optimize { default: adamw(lr = 0.02) }
}

model DistLM {
  input  tokens: i32[8]
  label  next: i32[8]

  embedding tok: 11 -> 16
  embedding pos: 8 -> 16
  linear q: 16 -> 16 { bias = none }
  linear k: 16 -> 16 { bias = none }
  linear v: 16 -> 16 { bias = none }
  linear o: 16 -> 16
  linear head: 16 -> 11

  forward {
    h = tok(tokens) + pos(positions)
    h = h + o(attention(q(h), k(h), v(h), heads = 2, causal = true, rope = true))
    return head(rms_norm(h))
  }

  loss = cross_entropy(forward, next)
  optimize { default: adamw(lr = 1e-2) }
}
