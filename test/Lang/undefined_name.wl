// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}undefined_name.wl:10:16: error: undefined name 'hidden'
// CHECK-NEXT: {{^[ \t]*}}return fc1(hidden)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward {
    return fc1(hidden)
  }
  loss = cross_entropy(forward, y)
}
