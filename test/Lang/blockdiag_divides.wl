// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}blockdiag_divides.wl:8:46: error: blockdiag blocks = 4 must divide both IN = 784 and OUT = 10 of layer 'fc1' (784 -> 10)
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = blockdiag(blocks = 4) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = blockdiag(blocks = 4) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
