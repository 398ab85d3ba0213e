// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown_argument.wl:9:32: error: unknown argument 'ranks' of 'lowrank' (expected rank, init)
// CHECK-NEXT: {{^[ \t]*}}weight = lowrank(rank = 8, ranks = 4)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 {
    weight = lowrank(rank = 8, ranks = 4)
  }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
