// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}kronecker_shape.wl:8:36: error: kronecker a = [2, 28], b = [4, 28] gives W of shape [8, 784], but layer 'fc1' needs [10, 784] (OUT = m1*m2, IN = n1*n2)
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = kronecker(a = [2, 28], b = [4, 28]) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = kronecker(a = [2, 28], b = [4, 28]) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
