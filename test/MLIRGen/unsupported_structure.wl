// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// Structures other than dense parse and check, but MLIRGen does not generate
// them yet: the error points at the structure.
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4 {
    // CHECK: {{.*}}unsupported_structure.wl:[[@LINE+3]]:14: error: structure 'lowrank' is not supported yet
    // CHECK-NEXT: {{^}}    weight = lowrank(rank = 2)
    // CHECK-NEXT: {{^[ \t]*\^$}}
    weight = lowrank(rank = 2)
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
