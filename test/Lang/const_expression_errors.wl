// RUN: not wlc -emit=ast %s 2>&1 | FileCheck %s
// Misused constant expressions are file:line:col errors at the operator:
// division by zero (in an argument, a size and the forward pass), a
// non-integer size or rank, numbers added to values, products and
// quotients of two values.
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+14]]:20: error: division by zero in a constant expression
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+14]]:13: error: size must be a positive integer no larger than 2^31, got 3/2
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+14]]:59: error: division by zero in a constant expression
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+14]]:39: error: argument 'rank' of 'lowrank' must be an integer, got number 5/2
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+15]]:11: error: division by zero in a constant expression
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+15]]:11: error: cannot add a number and a value; scale a value with 'c * h'
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+15]]:11: error: cannot multiply two values; scale a value with a number, 'c * h'
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+15]]:11: error: cannot divide by a value; only by a number
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+15]]:11: error: cannot subtract a number and a value; scale a value with 'c * h'
// CHECK: {{.*}}const_expression_errors.wl:[[@LINE+19]]:28: error: division by zero in a constant expression
// CHECK-NOT: error
model m {
  input x: f32[4]
  label y: i32
  linear a: 4 -> 4 / (2 - 2)
  linear b: 3/2 -> 4
  linear c: 4 -> 4 { weight = dense with spectral_bound(1 / (1 - 1)) }
  linear d: 4 -> 4 { weight = lowrank(rank = 5/2) }
  forward {
    h = x / (1 - 1)
    h = h + 1
    h = h * h
    h = 2 / h
    h = h - 3
    return d(c(a(h)))
  }
  loss = cross_entropy(forward, y)
  optimize {
    default: sgd(lr = 1e-3 / 0)
  }
}
