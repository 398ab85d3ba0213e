// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_unclosed_call.wl:8:53: error: unexpected '}', expected ',' or ')'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = lowrank(rank = 4 }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = lowrank(rank = 4 }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
