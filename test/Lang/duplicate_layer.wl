// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}duplicate_layer.wl:9:3: error: duplicate layer 'fc1' (first declared at 8:3)
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { bias = none }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  linear fc1: 784 -> 10 { bias = none }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
