// wl_create under memory pressure returns NULL with a message instead of aborting
// (Inputs/create_oom.py): a child process caps its address space (RLIMIT_AS, measured
// from its own VmSize) so that (1) the ~270 MiB arena cannot be allocated: NULL and
// "wl_create failed: cannot allocate the arena of N floats"; (2) the arena fits but the
// orthogonal init's 4 MiB scratch does not: NULL and a "wl_create failed: ..." message;
// (3) with the limit lifted the same process creates and trains the model.
// With --target=cuda (lit --param wl_target=cuda) the arena is CUDA managed memory,
// which RLIMIT_AS does not bound (the driver reserves its address space at cuInit):
// the script says so and checks nothing.
// ASan reserves terabytes of address space for its shadow memory, so RLIMIT_AS
// cannot model memory pressure in a sanitized build.
// UNSUPPORTED: sanitize-address
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/create_oom.py %t.so %wl_target | FileCheck %s --check-prefix=CHECK-%wl_target
// CHECK-cpu: OK arena_alloc_failure_null
// CHECK-cpu: OK arena_alloc_failure_message
// CHECK-cpu: OK init_alloc_failure_null
// CHECK-cpu: OK recovers_after_limit_lifted
// CHECK-cuda: SKIP create_oom

model CreateOOM {
  input  x: f32[4096]
  label  y: i32

  linear fc1: 4096 -> 4096 { weight = dense; bias = zeros }
  linear fc2: 4096 -> 128 { weight = dense(init = orthogonal); bias = zeros }
  linear head: 128 -> 10 { weight = dense; bias = zeros }

  forward {
    return head(relu(fc2(relu(fc1(x)))))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: adamw(lr = 1e-3)
  }
}
