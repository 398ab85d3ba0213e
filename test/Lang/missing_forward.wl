// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}missing_forward.wl:5:1: error: model 'm' has no forward: add 'forward { ... return EXPR }'
// CHECK-NEXT: {{^[ \t]*}}model m {
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  loss = cross_entropy(forward, y)
}
