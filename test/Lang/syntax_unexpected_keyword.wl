// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_unexpected_keyword.wl:8:42: error: unexpected 'bias', expected ';', '}' or newline
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense bias = none }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense bias = none }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
