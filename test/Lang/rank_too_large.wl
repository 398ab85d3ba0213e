// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}rank_too_large.wl:8:44: error: lowrank rank = 11 is larger than min(IN, OUT) = 10 of layer 'fc1' (784 -> 10)
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = lowrank(rank = 11) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = lowrank(rank = 11) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
