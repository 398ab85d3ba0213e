// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown_init.wl:8:49: error: unknown initialiser 'xavier' (expected one of: normal, uniform, zeros, orthogonal, from, gaussian, pissa, kpsvd)
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense(init = xavier) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense(init = xavier) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
