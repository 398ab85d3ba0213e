// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// sst's rules (Sst.cpp): rank <= min(IN, OUT), a round of every >= 1 steps
// (required), and sst alone in its layer's weight (the rounds re-decompose
// all of it).
// CHECK: {{.*}}sst_errors.wl:12:35: error: sst rank = 7 is larger than min(IN, OUT) = 6 of layer 'a' (6 -> 6)
// CHECK: {{.*}}sst_errors.wl:13:53: error: argument 'every' of 'sst' must be >= 1, got 0
// CHECK: {{.*}}sst_errors.wl:14:31: error: missing required argument 'every' of 'sst' (an integer)
// CHECK: {{.*}}sst_errors.wl:15:39: error: sst must be the only term of the weight of layer 'd' (its rounds re-decompose the whole weight)
model m {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 6 { weight = sst(rank = 7, every = 5) }
  linear b: 6 -> 6 { weight = sst(rank = 2, every = 0) }
  linear c: 6 -> 6 { weight = sst(rank = 2) }
  linear d: 6 -> 6 { weight = dense + sst(rank = 2, every = 5) }
  forward {
    return d(c(b(a(x))))
  }
  loss = cross_entropy(forward, y)
}
