// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}bone_block_divides.wl:8:64: error: bone(mode = bat) block = 5 must divide both IN = 784 and OUT = 10 of layer 'fc1' (784 -> 10)
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = frozen(init = zeros) + bone(block = 5, mode = bat) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = frozen(init = zeros) + bone(block = 5, mode = bat) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
