// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}monarch_square.wl:8:36: error: monarch needs a square layer (IN = OUT), but layer 'fc1' is 784 -> 10
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = monarch(blocks = 2) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = monarch(blocks = 2) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
