// A @forward that returns nothing must be rejected with a diagnostic that
// names the problem.
// BUG: wl-generate-backward reads forward.getResultTypes()[0] and the return's
// operand 0 without checking that they exist (out-of-bounds, undefined
// behaviour); today it happens to report the misleading "the model output does
// not depend on its input".
// RUN: not wl-opt --wl-generate-backward %s 2>&1 | FileCheck %s

// CHECK: error: {{.*}}@forward
// CHECK-NOT: does not depend on its input
func.func @forward(%x: tensor<?x8xf32>) {
  return
}
