// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}lora_bad_init.wl:9:59: error: initialiser of 'lora' must be gaussian or pissa, got 'normal'
// CHECK-NEXT: {{^[ \t]*}}weight = frozen(init = zeros) + lora(rank = 4, init = normal(std = 0.1))
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 {
    weight = frozen(init = zeros) + lora(rank = 4, init = normal(std = 0.1))
  }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
