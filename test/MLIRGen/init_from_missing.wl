// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// RUN: mkdir -p %t && cp %s %t/m.wl && touch %t/w.safetensors && wlc -emit=wl %t/m.wl | FileCheck %s --check-prefix=FOUND
// init = from(file, tensor): the file is resolved against the .wl file's
// directory at compile time, and a missing one is an error at the call; found,
// the param's init records the absolute path for the runtime.
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4 {
    // CHECK: {{.*}}init_from_missing.wl:[[@LINE+4]]:27: error: cannot find the safetensors file 'w.safetensors' (looked for {{.*}}MLIRGen{{/|\\}}w.safetensors)
    // CHECK-NEXT: {{^}}    weight = dense(init = from("w.safetensors", "fc.weight"))
    // CHECK-NEXT: {{^[ \t]*\^$}}
    // FOUND: wl.param @fc.weight : tensor<4x8xf32> {init = #wl.init<kind = from, file = "{{.*}}init_from_missing.wl.tmp/w.safetensors", tensor = "fc.weight">, trainable}
    weight = dense(init = from("w.safetensors", "fc.weight"))
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
