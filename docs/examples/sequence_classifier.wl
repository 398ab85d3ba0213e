// docs/examples/sequence_classifier.wl
// A classifier of float sequences with a declared input domain: attention
// over the positions, then the mean over positions.
model SequenceClassifier {
  input  x: f32[16, 8] with norm_bound(1, norm = row)   // 16 positions of 8 features
  label  y: i32

  linear inp: 8 -> 32
  linear q: 32 -> 32 { bias = none }
  linear k: 32 -> 32 { bias = none }
  linear v: 32 -> 32 { bias = none }
  linear head: 32 -> 4

  forward {
    h = inp(x)                                        // per position: [16, 32]
    h = h + attention(q(h), k(h), v(h), heads = 2)    // scale defaults to 1/sqrt(32/2)
    return head(mean_pool(relu(h)))                   // [32] per example, then 4 classes
  }

  loss = cross_entropy(forward, y)
}
