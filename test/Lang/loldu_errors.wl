// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// loldu's rules (LoLDU.cpp): a frozen base first, rank <= min(IN, OUT), alpha > 0.
// CHECK: {{.*}}loldu_errors.wl:11:31: error: 'loldu' needs a frozen base in layer 'a': write 'weight = frozen(init = ...) + loldu(...)'
// CHECK: {{.*}}loldu_errors.wl:12:60: error: loldu rank = 7 is larger than min(IN, OUT) = 6 of layer 'b' (6 -> 6)
// CHECK-NEXT: {{^[ \t]*}}linear b: 6 -> 6 { weight = frozen(init = zeros) + loldu(rank = 7) }
// CHECK-NEXT: {{^[ \t]*\^$}}
// CHECK: {{.*}}loldu_errors.wl:13:78: error: argument 'alpha' of 'loldu' must be > 0, got 0
model m {
  input x: f32[6]
  label y: i32
  linear a: 6 -> 6 { weight = loldu(rank = 2) }
  linear b: 6 -> 6 { weight = frozen(init = zeros) + loldu(rank = 7) }
  linear c: 6 -> 6 { weight = frozen(init = zeros) + loldu(rank = 2, alpha = 0) }
  forward {
    return c(b(a(x)))
  }
  loss = cross_entropy(forward, y)
}
