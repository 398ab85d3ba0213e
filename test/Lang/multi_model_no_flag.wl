// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// RUN: not wlc -emit=ast %s --model=Missing 2>&1 | FileCheck %s --check-prefix=MISSING
// CHECK: error: the file declares 2 models; pick one with --model NAME (available: first, second)
// MISSING: error: no model named 'Missing' (available: first, second)
model first { input x: f32[2]; label y: i32
  linear f: 2 -> 2
  forward { return f(x) }
  loss = cross_entropy(forward, y)
}
model second { input x: f32[2]; label y: i32
  linear f: 2 -> 2
  forward { return f(x) }
  loss = cross_entropy(forward, y)
}
