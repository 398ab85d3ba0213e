// RUN: wlc -emit=ast %s | FileCheck %s --check-prefix=AST
// RUN: wlc -emit=wl %s | FileCheck %s
// Constant expressions (LANGUAGE.md, "Sequences, embeddings and attention"):
// wherever a number is written, numbers with + - * / and parentheses fold
// at compile time -- sizes, arguments, tuples, and the factors of the
// forward pass, where a value may be scaled by or divided by a constant and
// values may be added or subtracted.

// Sizes fold to integers (512 / 8 is the integer 64).
// AST: Input x f32[6] (6)
// AST: Linear a 6 -> 8
// AST: Term lowrank(rank = 8/4)
// AST: Linear b 8 -> 8
// AST: Linear c 8 -> 64
// The forward pass: 5/6 and 1/6 fold; h / 2 is 0.5 * h; a - b is
// a + (-1) * b; -h is -1 * h; 2 * 3 * h is 6 * h.
// AST: Assign h = 0.8333333333333334 * x + 0.16666666666666666 * x : 6
// AST: Assign h = 0.5 * relu(a(h)) + -1 * 0.8858180529719195 * relu(a(-1 * h)) : 8
// AST: Assign h = 3 * -1 * b(h) : 8
// AST: Assign h = 6 * h : 8
// AST: Return c(h) : 64

// The folded numbers reach the IR.
// CHECK: wl.param @b.weight : tensor<8x8xf32> {constraints = [#wl.spectral_bound<c = 1.000000e+00,
// CHECK: wl.optimizer_group "adamw" {{.*}}beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, {{.*}}lr = 1.000000e-03 : f64, weight_decay = 2.000000e-02 : f64
// CHECK: wl.scale %arg0, 0.83333333333333337
// CHECK: wl.scale %arg0, 0.16666666666666666
// CHECK: wl.scale %{{.+}}, 5.000000e-01
// CHECK: wl.scale %{{.+}}, -1.000000e+00
// CHECK: wl.scale %{{.+}}, 0.88581805297191951
// CHECK: wl.scale %{{.+}}, -1.000000e+00
// CHECK: wl.scale %{{.+}}, -1.000000e+00
// CHECK: wl.scale %{{.+}}, 3.000000e+00
// CHECK: wl.scale %{{.+}}, 6.000000e+00

model m {
  input x: f32[2 * 3]
  label y: i32
  linear a: 2*3 -> 4 * (1 + 1) { weight = lowrank(rank = 8 / 4) }
  linear b: 8 -> 8 { weight = dense with spectral_bound(1/2 + 1/2); bias = none }
  linear c: 8 -> 512 / 8
  forward {
    h = 5/6 * x + 1/6 * x
    h = relu(a(h)) / 2 - (1/1.1289) * relu(a(-h))
    h = -b(h) * 3
    h = 2 * 3 * h
    return c(h)
  }
  loss = cross_entropy(forward, y)
  optimize {
    default: adamw(lr = 1/1000, weight_decay = 1e-2 * 2, betas = (0.9, 1 - 1e-3))
  }
}
