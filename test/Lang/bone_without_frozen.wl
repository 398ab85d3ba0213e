// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}bone_without_frozen.wl:8:36: error: 'bone' needs a frozen base in layer 'fc1': write 'weight = frozen(init = ...) + bone(...)'
// CHECK-NEXT: {{^[ \t]*}}linear fc1: 784 -> 10 { weight = bone(block = 2) }
// CHECK-NEXT: {{^[ \t]*\^$}}
model m {
  input x: f32[784]
  label y: i32
  linear fc1: 784 -> 10 { weight = bone(block = 2) }
  forward {
    return fc1(x)
  }
  loss = cross_entropy(forward, y)
}
