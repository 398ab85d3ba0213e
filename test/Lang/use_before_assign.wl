// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}use_before_assign.wl:10:14: error: variable 'h' is used before it is assigned
// CHECK-NEXT: {{^[ \t]*}}g = relu(h)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward {
    g = relu(h)
    h = fc1(x)
    return h
  }
  loss = cross_entropy(forward, y)
}
