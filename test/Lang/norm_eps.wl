// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// eps of rms_norm and layer_norm must be positive (it floors the statistics
// and sets the Lipschitz constant 1/sqrt(eps)); they take one value.
// CHECK: {{.*}}norm_eps.wl:[[@LINE+9]]:24: error: argument 'eps' of 'rms_norm' must be > 0, got 0
// CHECK: {{.*}}norm_eps.wl:[[@LINE+9]]:23: error: argument 'eps' of 'layer_norm' must be > 0, got -1e-5
// CHECK-NOT: error
model m {
  input x: f32[4]
  label y: i32
  linear a: 4 -> 4
  linear b: 4 -> 2
  forward {
    h = rms_norm(a(x), eps = 0)
    h = layer_norm(h, eps = -1e-5)
    return b(h)
  }
  loss = cross_entropy(forward, y)
}
