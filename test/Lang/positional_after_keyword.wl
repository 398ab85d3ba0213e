// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}positional_after_keyword.wl:11:47: error: missing required argument 'c' of 'spectral_bound' (a number)
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense with spectral_bound(method = soft_cap, 1.0) }
// CHECK-NEXT: {{^[ \t]*\^$}}
// CHECK: {{.*}}positional_after_keyword.wl:11:81: error: positional argument after keyword arguments in 'spectral_bound'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense with spectral_bound(method = soft_cap, 1.0) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense with spectral_bound(method = soft_cap, 1.0) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
