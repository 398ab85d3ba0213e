// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}monarch_blocks.wl:8:45: error: monarch blocks = 7 does not divide n = 512 of layer 'fc0' (512 -> 512)
// CHECK-NEXT: {{^[ \t]*}}linear fc0: 512 -> 512 { weight = monarch(blocks = 7) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc0: 512 -> 512 { weight = monarch(blocks = 7) }
  linear fc1: 784 -> 10
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
