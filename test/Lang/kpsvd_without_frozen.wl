// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}kpsvd_without_frozen.wl:8:36: error: kronecker(init = kpsvd) needs a frozen base in layer 'fc1': write 'weight = frozen(init = ...) + kronecker(...)'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = kronecker(a = [2, 28], b = [5, 28], init = kpsvd) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = kronecker(a = [2, 28], b = [5, 28], init = kpsvd) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
