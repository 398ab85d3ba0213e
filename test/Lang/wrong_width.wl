// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}wrong_width.wl:12:12: error: layer 'fc2' expects width 512 but is applied to a value of width 256
// CHECK-NEXT: {{^[ \t]*}}return fc2(h)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 256
  linear fc2: 512 -> 10
  forward {
    h = relu(fc1(x))
    return fc2(h)
  }
  loss = cross_entropy(forward, y)
}
