// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}householder_reflectors.wl:8:64: error: 'reflectors' only applies to orthogonal(method = householder), not method = cayley
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = orthogonal(method = cayley, reflectors = 4) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = orthogonal(method = cayley, reflectors = 4) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
