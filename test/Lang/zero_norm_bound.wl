// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}zero_norm_bound.wl:8:58: error: argument 'c' of 'norm_bound' must be > 0, got 0
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense with norm_bound(0, norm = column) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense with norm_bound(0, norm = column) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
