// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}duplicate_input.wl:8:3: error: duplicate 'input' declaration in model 'm'
// CHECK-NEXT: {{^[ \t]*}}input z: f32[10]
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  input z: f32[10]
  linear fc1: 784 -> 10
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
