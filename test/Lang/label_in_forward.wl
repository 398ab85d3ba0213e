// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}label_in_forward.wl:10:16: error: 'y' is the label; it is only available to the loss, not to forward
// CHECK-NEXT: {{^[ \t]*}}return fc1(y)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward {
    return fc1(y)
  }
  loss = cross_entropy(forward, y)
}
