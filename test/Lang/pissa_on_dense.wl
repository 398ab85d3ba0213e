// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}pissa_on_dense.wl:8:49: error: initialiser 'pissa' only applies to lora, not to 'dense'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense(init = pissa) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense(init = pissa) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
