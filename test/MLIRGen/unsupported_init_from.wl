// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// init = from(file, tensor) is not generated yet, for a weight or a bias.
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4 {
    // CHECK: {{.*}}unsupported_init_from.wl:[[@LINE+3]]:27: error: initialiser 'from' is not supported yet
    // CHECK-NEXT: {{^}}    weight = dense(init = from("w.safetensors", "fc.weight"))
    // CHECK-NEXT: {{^[ \t]*\^$}}
    weight = dense(init = from("w.safetensors", "fc.weight"))
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
