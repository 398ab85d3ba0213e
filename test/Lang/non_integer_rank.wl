// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}non_integer_rank.wl:8:44: error: argument 'rank' of 'lowrank' must be an integer, got number 2.5
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = lowrank(rank = 2.5) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = lowrank(rank = 2.5) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
