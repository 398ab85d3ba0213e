// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_unterminated_comment.wl:8:25: error: unterminated block comment
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 /* the end
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 /* the end
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
