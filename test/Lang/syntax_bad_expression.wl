// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_bad_expression.wl:11:3: error: unexpected '}', expected an expression
// CHECK-NEXT: {{^[ \t]*}}}
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward {
    return 2 *
  }
  loss = cross_entropy(forward, y)
}
