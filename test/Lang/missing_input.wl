// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}missing_input.wl:8:1: error: model 'm' has no input: declare one, e.g. 'input x: f32[784]'
// CHECK-NEXT: {{^[ \t]*}}model m {
// CHECK-NEXT: {{^[ \t]*\^$}}
// CHECK: {{.*}}missing_input.wl:11:24: error: undefined name 'x'
// CHECK-NEXT: {{^[ \t]*}}forward { return fc1(x) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
}
