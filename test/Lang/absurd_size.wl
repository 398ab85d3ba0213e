// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}absurd_size.wl:8:22: error: size must be a positive integer no larger than 2^31, got 0
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 0
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 0
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
