// RUN: not wlc -emit=wl %s 2>&1 | FileCheck %s
// A sum of weight terms (a frozen base + lora) is not generated yet: the error
// points at the second term.
model m {
  input x: f32[8]
  label y: i32
  linear fc: 8 -> 4 {
    // CHECK: {{.*}}unsupported_lora.wl:[[@LINE+3]]:50: error: a sum of weight terms is not supported yet
    // CHECK-NEXT: {{^}}    weight = frozen(init = normal(std = 0.02)) + lora(rank = 2)
    // CHECK-NEXT: {{^[ \t]*\^$}}
    weight = frozen(init = normal(std = 0.02)) + lora(rank = 2)
  }
  forward { return fc(x) }
  loss = cross_entropy(forward, y)
}
