// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}undefined_layer.wl:10:12: error: undefined layer or activation 'fc2' (activations: relu, gelu, gelu_tanh, tanh, sigmoid, abs, identity, groupsort, rms_norm, layer_norm, mean_pool, attention)
// CHECK-NEXT: {{^[ \t]*}}return fc2(x)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward {
    return fc2(x)
  }
  loss = cross_entropy(forward, y)
}
