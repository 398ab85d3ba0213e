// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_unknown_declaration.wl:8:3: error: unexpected identifier 'layer', expected a declaration (input, label, target, linear, embedding, forward, loss or optimize) or '}'
// CHECK-NEXT: {{^[ \t]*}}layer fc1: 784 -> 10
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  layer fc1: 784 -> 10
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
