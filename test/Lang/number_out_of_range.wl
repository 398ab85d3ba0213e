// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// A literal beyond the double range is an error, not infinity (strtod
// saturates: lr = 1e999 used to become an infinite learning rate). A size
// that large gets the size message only, and an argument's range check
// stays quiet about it.
// CHECK: {{.*}}number_out_of_range.wl:[[@LINE+7]]:43: error: number 1e400 is out of range (the largest magnitude is about 1.8e308)
// CHECK: {{.*}}number_out_of_range.wl:[[@LINE+7]]:20: error: size must be a positive integer no larger than 2^31, got 1e999
// CHECK: {{.*}}number_out_of_range.wl:[[@LINE+9]]:33: error: number 1e999 is out of range (the largest magnitude is about 1.8e308)
// CHECK-NOT: error
model m {
  input x: f32[4]
  label y: i32
  linear fc: 4 -> 3 { bias = normal(std = 1e400) }
  linear fc2: 3 -> 1e999
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
  optimize { default: sgd(lr = -1e999) }
}
