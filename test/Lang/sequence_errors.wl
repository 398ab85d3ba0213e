// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// Misused sequences, embeddings and attention: each is a file:line:col error
// naming both shapes (LANGUAGE.md, "Sequences, embeddings and attention").
model NotSequence {
  input x: f32[8]
  label y: i32
  linear q: 8 -> 8
  forward {
    return attention(q(x), q(x), q(x), heads = 2)
  }
  loss = cross_entropy(forward, y)
}

model Heads {
  input x: f32[4, 6]
  label y: i32
  forward {
    h = attention(x, x, x, heads = 4)
    return mean_pool(h)
  }
  loss = cross_entropy(forward, y)
}

model OddRope {
  input x: f32[4, 6]
  label y: i32
  forward {
    return mean_pool(attention(x, x, x, heads = 2, rope = true))
  }
  loss = cross_entropy(forward, y)
}

model EmbedFloats {
  input x: f32[4, 6]
  label y: i32
  embedding E: 10 -> 6
  forward {
    return mean_pool(E(x))
  }
  loss = cross_entropy(forward, y)
}

model TokensIntoLinear {
  input tokens: i32[4]
  label y: i32
  linear fc: 4 -> 3
  forward {
    return fc(tokens)
  }
  loss = cross_entropy(forward, y)
}

model PerPositionLabels {
  input tokens: i32[4]
  label next: i32[4]
  embedding E: 10 -> 6
  linear head: 6 -> 10
  forward {
    return head(mean_pool(E(tokens)))
  }
  loss = cross_entropy(forward, next)
}

model OneLabelPerExample {
  input tokens: i32[4]
  label y: i32
  embedding E: 10 -> 6
  linear head: 6 -> 10
  forward {
    return head(E(tokens))
  }
  loss = cross_entropy(forward, y)
}

model QKVShapes {
  input x: f32[4, 6]
  label y: i32
  linear k: 6 -> 8
  forward {
    return mean_pool(attention(x, k(x), x, heads = 2))
  }
  loss = cross_entropy(forward, y)
}

model PositionsNeedSequence {
  input x: f32[6]
  label y: i32
  embedding P: 6 -> 6
  linear fc: 6 -> 3
  forward {
    return fc(x + P(positions))
  }
  loss = cross_entropy(forward, y)
}

model ShortPositionTable {
  input tokens: i32[8]
  label y: i32
  embedding E: 10 -> 6
  embedding P: 4 -> 6
  linear fc: 6 -> 3
  forward {
    return fc(mean_pool(E(tokens) + P(positions)))
  }
  loss = cross_entropy(forward, y)
}

model BadDomain {
  input x: f32[4, 6] with norm_bound(2)
  label y: i32
  linear fc: 6 -> 3
  forward {
    return fc(mean_pool(x))
  }
  loss = cross_entropy(forward, y)
}

model FlatDomain {
  input x: f32[24] with norm_bound(2, norm = row)
  label y: i32
  linear fc: 24 -> 3
  forward {
    return fc(x)
  }
  loss = cross_entropy(forward, y)
}

model EmbeddingBias {
  input tokens: i32[4]
  label y: i32
  embedding E: 10 -> 6 { bias = zeros }
  embedding F: 10 -> 6 { weight = lowrank(rank = 2) }
  linear fc: 6 -> 3
  forward {
    return fc(mean_pool(E(tokens) + F(tokens)))
  }
  loss = cross_entropy(forward, y)
}

model AddShapes {
  input x: f32[4, 6]
  label y: i32
  linear fc: 6 -> 3
  forward {
    return fc(mean_pool(x) + x)
  }
  loss = cross_entropy(forward, y)
}

model PositionWise {
  input x: f32[4, 6]
  label y: i32
  linear fc: 5 -> 3
  forward {
    return fc(x)
  }
  loss = cross_entropy(forward, y)
}

model TokenShape {
  input tokens: i32[4, 2]
  label y: i32
  linear fc: 8 -> 3
  forward {
    return fc(mean_pool(tokens))
  }
  loss = cross_entropy(forward, y)
}

model ReturnsTokens {
  input tokens: i32[4]
  label y: i32
  forward {
    return tokens
  }
  loss = cross_entropy(forward, y)
}
// CHECK: {{.*}}sequence_errors.wl:9:22: error: attention needs sequences {{\[}}T, D], but q has type f32{{\[}}8]
// CHECK: {{.*}}sequence_errors.wl:18:28: error: attention heads = 4 does not divide the width D = 6 of q f32{{\[}}4, 6]
// CHECK: {{.*}}sequence_errors.wl:28:52: error: rope needs an even head dimension, but D/heads = 6/2 = 3
// CHECK: {{.*}}sequence_errors.wl:38:22: error: embedding 'E' takes token ids (i32), but is applied to a value of type f32{{\[}}4, 6]
// CHECK: {{.*}}sequence_errors.wl:48:12: error: layer 'fc' is applied to token ids i32{{\[}}4]; look them up with an embedding first (e.g. 'embedding E: V -> d', then 'fc(E(tokens))')
// CHECK: {{.*}}sequence_errors.wl:61:33: error: label 'next' is i32{{\[}}4] (one class per position), but forward returns f32{{\[}}10]; expected f32{{\[}}4, classes]
// CHECK: {{.*}}sequence_errors.wl:72:33: error: label 'y' holds one class per example, but forward returns f32{{\[}}4, 10]; declare 'label y: i32{{\[}}4]' for one class per position
// CHECK: {{.*}}sequence_errors.wl:80:22: error: attention's q, k and v must have the same shape, got f32{{\[}}4, 6], f32{{\[}}4, 8] and f32{{\[}}4, 6]
// CHECK: {{.*}}sequence_errors.wl:91:21: error: 'positions' needs a sequence input ('i32{{\[}}T]' token ids or 'f32{{\[}}T, d]')
// CHECK: {{.*}}sequence_errors.wl:103:37: error: embedding 'P' has 4 rows, but 'positions' holds ids up to 7 (T = 8)
// CHECK: {{.*}}sequence_errors.wl:109:27: error: an input domain bounds each position: declare an input domain as 'input x: f32{{\[}}T, d] with norm_bound(c, norm = row)'
// CHECK: {{.*}}sequence_errors.wl:119:25: error: input 'x' is not a sequence f32{{\[}}T, d]; declare an input domain as 'input x: f32{{\[}}T, d] with norm_bound(c, norm = row)'
// CHECK: {{.*}}sequence_errors.wl:131:33: error: embedding 'E' has no bias
// CHECK: {{.*}}sequence_errors.wl:132:35: error: structure 'lowrank' on embedding 'F' is not supported yet (only dense)
// CHECK: {{.*}}sequence_errors.wl:145:28: error: cannot add values of shapes f32{{\[}}6] and f32{{\[}}4, 6]
// CHECK: {{.*}}sequence_errors.wl:155:12: error: layer 'fc' (5 -> 3) applies to a last dimension of 5 or to 5 values in all, but is applied to a value of type f32{{\[}}4, 6]
// CHECK: {{.*}}sequence_errors.wl:161:3: error: token input 'tokens' must be 'i32{{\[}}T]' (one id per position)
// CHECK: {{.*}}sequence_errors.wl:165:25: error: 'mean_pool' is applied to token ids i32{{\[}}4, 2]; look them up with an embedding first
// CHECK: {{.*}}sequence_errors.wl:174:12: error: forward returns token ids i32{{\[}}4]; return a float value such as logits
// CHECK-NOT: error
