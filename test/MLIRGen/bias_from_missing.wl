// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// A bias read from a file that does not exist (resolved against the .wl's directory).
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4 {
    // CHECK: {{.*}}bias_from_missing.wl:[[@LINE+3]]:12: error: cannot find the safetensors file 'missing/w.safetensors' (looked for {{.*}}missing{{/|\\}}w.safetensors)
    // CHECK-NEXT: {{^}}    bias = from("missing/w.safetensors", "fc.bias")
    // CHECK-NEXT: {{^[ \t]*\^$}}
    bias = from("missing/w.safetensors", "fc.bias")
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
