// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}svfit_without_frozen.wl:8:44: error: 'svfit' needs a frozen base in layer 'fc1': write 'weight = frozen(init = ...) + svfit(...)'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = dense + svfit(rank = 4) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = dense + svfit(rank = 4) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
