// A declared-only @forward (no body) must be rejected with a diagnostic.
// BUG: wl-generate-backward dereferences the missing entry block and crashes
// (segfault in Block::without_terminator, GenerateBackward.cpp differentiate()).
// RUN: not wl-opt --wl-generate-backward %s 2>&1 | FileCheck %s

// CHECK: error: {{.*}}@forward
// CHECK-NOT: Stack dump
func.func private @forward(%x: tensor<?x8xf32>) -> tensor<?x8xf32>
