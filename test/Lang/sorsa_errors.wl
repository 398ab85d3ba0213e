// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// sorsa's rules (Sorsa.cpp): a frozen base first, rank <= min(IN, OUT), alpha > 0,
// gamma >= 0.
// CHECK: {{.*}}sorsa_errors.wl:11:31: error: 'sorsa' needs a frozen base in layer 'a': write 'weight = frozen(init = ...) + sorsa(...)'
// CHECK: {{.*}}sorsa_errors.wl:12:60: error: sorsa rank = 7 is larger than min(IN, OUT) = 6 of layer 'b' (6 -> 6)
// CHECK: {{.*}}sorsa_errors.wl:13:78: error: argument 'alpha' of 'sorsa' must be > 0, got 0
// CHECK: {{.*}}sorsa_errors.wl:14:78: error: argument 'gamma' of 'sorsa' must be >= 0, got -0.1
model m {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 6 { weight = sorsa(rank = 2) }
  linear b: 6 -> 6 { weight = frozen(init = zeros) + sorsa(rank = 7) }
  linear c: 6 -> 6 { weight = frozen(init = zeros) + sorsa(rank = 2, alpha = 0) }
  linear d: 6 -> 6 { weight = frozen(init = zeros) + sorsa(rank = 2, gamma = -0.1) }
  forward {
    return d(c(b(a(x))))
  }
  loss = cross_entropy(forward, y)
}
