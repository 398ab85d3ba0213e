// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}svd_rank_zero.wl:8:47: error: argument 'rank' of 'svd' must be >= 1, got 0
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = svd(rank = 0) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = svd(rank = 0) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
