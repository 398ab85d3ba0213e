// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}missing_return.wl:9:3: error: forward has no 'return': end it with 'return EXPR'
// CHECK-NEXT: {{^[ \t]*}}forward {
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward {
    h = fc1(x)
  }
  loss = cross_entropy(forward, y)
}
