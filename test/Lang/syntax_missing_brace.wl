// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_missing_brace.wl:11:1: error: unexpected end of file, expected a declaration (input, label, target, linear, embedding, forward, loss or optimize) or '}'
// CHECK-EMPTY:
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward { return fc1(x) }
  loss = cross_entropy(forward, y)
