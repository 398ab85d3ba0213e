// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}unknown_method.wl:8:67: error: argument 'method' of 'spectral_bound' must be one of normalize, soft_cap, hard_cap, hammer or svd_clip, got identifier 'clip'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense with spectral_bound(1.0, method = clip) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense with spectral_bound(1.0, method = clip) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
