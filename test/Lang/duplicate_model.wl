// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// CHECK: {{.*}}duplicate_model.wl:10:1: error: duplicate model 'a' (first declared at 5:1)
// CHECK-NEXT: {{^[ \t]*}}model a { input x: f32[2]; label y: i32
// CHECK-NEXT: {{^[ \t]*\^$}}
model a { input x: f32[2]; label y: i32
  linear f: 2 -> 2
  forward { return f(x) }
  loss = cross_entropy(forward, y)
}
model a { input x: f32[2]; label y: i32
  linear f: 2 -> 2
  forward { return f(x) }
  loss = cross_entropy(forward, y)
}
