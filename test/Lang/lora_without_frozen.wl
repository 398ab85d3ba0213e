// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}lora_without_frozen.wl:8:36: error: 'lora' needs a frozen base in layer 'fc1': write 'weight = frozen(init = ...) + lora(...)'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = lora(rank = 4, alpha = 8) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = lora(rank = 4, alpha = 8) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
