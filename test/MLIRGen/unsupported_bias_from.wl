// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4 {
    // CHECK: {{.*}}unsupported_bias_from.wl:[[@LINE+3]]:12: error: initialiser 'from' is not supported yet
    // CHECK-NEXT: {{^}}    bias = from("w.safetensors", "fc.bias")
    // CHECK-NEXT: {{^[ \t]*\^$}}
    bias = from("w.safetensors", "fc.bias")
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
