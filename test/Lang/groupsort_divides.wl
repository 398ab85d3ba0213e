// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}groupsort_divides.wl:10:30: error: groupsort group size 3 does not divide the width 10
// CHECK-NEXT: {{^[ \t]*}}return groupsort(fc1(x), 3)
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10
  forward {
    return groupsort(fc1(x), 3)
  }
  loss = cross_entropy(forward, y)
}
