// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_bad_character.wl:8:25: error: unexpected character '#', expected ';', '}' or newline
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 # a comment in the wrong syntax
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 # a comment in the wrong syntax
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
