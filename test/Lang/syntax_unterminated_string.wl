// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}syntax_unterminated_string.wl:8:55: error: unterminated string
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = frozen(init = from("base.safetensors, w)) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = frozen(init = from("base.safetensors, w)) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
