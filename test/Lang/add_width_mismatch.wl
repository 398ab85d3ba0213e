// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}add_width_mismatch.wl:12:18: error: cannot add values of different widths (256 and 784)
// CHECK-NEXT: {{^[ \t]*}}return fc2(h + x)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 256
  linear fc2: 256 -> 10
  forward {
    h = fc1(x)
    return fc2(h + x)
  }
  loss = cross_entropy(forward, y)
}
