// Certificates of sequence models (ALGORITHMS.md, "Certificates of sequence
// models") against an adversarial search: a float64 torch re-implementation of
// each model (weights read through the package wl, checked against
// wl_forward) and gradient ascent on max_t‖f(X)−f(X′)‖₂ / max_t‖X−X′‖₂ over
// pairs in the certificate's domain, from many starts, at the initial weights
// and with the attention weights scaled up (sharp softmax). No ratio may
// exceed wl_lipschitz_bound. CertSeq: tokens, so X is the embedding's output
// (rows within E's largest row norm), a position embedding, a causal RoPE
// block with per-position logits; CertSeqFloat: a declared row domain,
// attention straight on the input, layer_norm, sigmoid and mean_pool;
// CertSeqOpen: attention on an undeclared float input is +inf with the reason.
// RUN: wlc %s --model CertSeq -o %t.tok.so
// RUN: wlc %s --model CertSeqFloat -o %t.float.so
// RUN: wlc %s --model CertSeqOpen -o %t.open.so
// RUN: %python %test_inputs/certificate_sequence.py %t.tok.so %t.float.so %t.open.so | FileCheck %s
// RUN: wlc --report %s --model CertSeqOpen | FileCheck %s --check-prefix=REPORT
// CHECK: OK forward_CertSeq
// CHECK: OK search_CertSeq_init
// CHECK: OK search_CertSeq_sharp
// CHECK: OK forward_CertSeqFloat
// CHECK: OK search_CertSeqFloat_init
// CHECK: OK search_CertSeqFloat_sharp
// CHECK: OK unbounded_CertSeqOpen
// REPORT: certificate (numbers evaluated by wl_lipschitz_bound at run time):
// REPORT-NEXT: input: norm max over the 4 positions of the l2 norm; no magnitude bound (no declared domain)
// REPORT-NEXT: attention (node 2, 2 heads, scale 0.5): {{.*}}: +inf: {{.*}}no declared domain

model CertSeq {
  input tokens: i32[6]
  label next: i32[6]
  embedding E: 11 -> 8
  embedding P: 6 -> 8
  linear q: 8 -> 8
  linear k: 8 -> 8
  linear v: 8 -> 8
  linear o: 8 -> 8 { bias = none }
  linear m1: 8 -> 16
  linear m2: 16 -> 8
  linear head: 8 -> 11
  forward {
    h = E(tokens) + P(positions)
    h = 5/6 * h + 1/6 * o(attention(q(h), k(h), v(h), heads = 2, causal = true, scale = 1/4, rope = true))
    h = h + m2(gelu(m1(rms_norm(h, eps = 0.5))))
    return head(h)
  }
  loss = cross_entropy(forward, next)
  optimize { default: sgd(lr = 0.1) }
}

model CertSeqFloat {
  input x: f32[5, 4] with norm_bound(1.5, norm = row)
  label y: i32
  linear q: 4 -> 4
  linear k: 4 -> 4
  linear v: 4 -> 4
  linear q2: 4 -> 4
  linear k2: 4 -> 4
  linear head: 4 -> 3
  forward {
    h = x + attention(q(x), k(x), v(x), heads = 2, scale = 1/2)
    h = sigmoid(layer_norm(h, eps = 1))
    h = h + attention(q2(h), k2(h), h, heads = 1)
    return head(mean_pool(h))
  }
  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1) }
}

model CertSeqOpen {
  input x: f32[4, 4]
  label y: i32
  linear q: 4 -> 4
  linear head: 4 -> 3
  forward {
    return head(mean_pool(attention(q(x), x, x, heads = 2, scale = 1/2)))
  }
  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = 0.1) }
}
