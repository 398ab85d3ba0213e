// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}negative_bound.wl:9:40: error: argument 'c' of 'spectral_bound' must be > 0, got -1.0
// CHECK-NEXT: {{^[ \t]*}}weight = dense with spectral_bound(-1.0, method = soft_cap)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 {
    weight = dense with spectral_bound(-1.0, method = soft_cap)
  }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
