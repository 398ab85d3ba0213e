// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_missing_arrow.wl:8:19: error: expected '->' before number '10'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 10
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 10
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
