// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown_structure.wl:9:14: error: unknown structure 'sparse' in layer 'fc1' (expected one of: dense, lowrank, kronecker, monarch, blockdiag, diagonal, orthogonal, svd, frozen, lora, bone, svfit, loldu, sorsa, sst)
// CHECK-NEXT: {{^[ \t]*}}weight = sparse(density = 0.1)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 {
    weight = sparse(density = 0.1)
  }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
