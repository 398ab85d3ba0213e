// No hidden global state (Inputs/concurrency.py): two models of the same library
// (different seeds and data), and a third of another library, used from three Python
// threads at once (ctypes releases the GIL; a barrier before every call keeps the
// threads inside the library together) give bit-identical results to the same work
// done one model after the other: losses, parameters, gradients, forward / backward
// outputs, effective weights, certificates, checkpoints and exports. The models run
// the runtime's LAPACK routines every step (svd_clip, rank_at_most, the Cayley
// solve; PiSSA at creation), Muon's Newton-Schulz, structured layers and the
// OpenMP GEMM kernels with OMP_NUM_THREADS = 2 (a team per calling thread). Also:
// wl_last_error(NULL) is per thread, a model's error stays on that model, and the
// first calls into a fresh library (metadata parsed on first use) may race.
// RUN: rm -rf %t && mkdir -p %t
// RUN: wlc %s --model Concurrent -o %t/concurrent.so
// RUN: wlc %s --model ConcurrentAdapters -o %t/adapters.so
// RUN: env OMP_NUM_THREADS=2 %python %test_inputs/concurrency.py %t | FileCheck %s
// CHECK: OK sequential_repeatable
// CHECK: OK concurrent_round_1_bitwise
// CHECK: OK concurrent_round_2_bitwise
// CHECK: OK concurrent_round_3_bitwise
// CHECK: OK calls_overlapped
// CHECK: OK thread_local_errors
// CHECK: OK model_errors_stay_on_model
// CHECK: OK concurrent_first_create
// CHECK: OK concurrent_saves_same_path

model Concurrent {
  input  x: f32[128]
  label  y: i32

  linear fc1: 128 -> 256 { weight = dense with spectral_bound(1.0, method = svd_clip); bias = zeros }
  linear fc2: 256 -> 256 { weight = dense with rank_at_most(32); bias = zeros }
  linear fc3: 256 -> 256 { weight = monarch(blocks = 4); bias = zeros }
  linear fc4: 256 -> 256 { weight = orthogonal(method = cayley); bias = zeros }
  linear fc5: 256 -> 256 { weight = dense with spectral_bound(1.0, method = soft_cap); bias = zeros }
  linear head: 256 -> 10 { weight = kronecker(a = [2, 16], b = [5, 16], terms = 2); bias = zeros }

  forward {
    h = relu(fc1(x))
    h = relu(fc2(h))
    h = relu(fc3(h))
    h = tanh(fc4(h))
    h = relu(fc5(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    fc1.weight, fc5.weight: muon(lr = 0.02, momentum = 0.95, nesterov = true, ns_steps = 5)
    default: adamw(lr = 1e-3)
  }
}

model ConcurrentAdapters {
  input  x: f32[128]
  label  y: i32

  linear base: 128 -> 128 { weight = frozen(init = orthogonal) + lora(rank = 8, init = pissa); bias = zeros }
  linear hh: 128 -> 128 { weight = orthogonal(method = householder, reflectors = 16) }
  linear sv: 128 -> 64 { weight = svd(rank = 16) with spectral_bound(0.9) }
  linear bd: 64 -> 64 { weight = blockdiag(blocks = 4) }
  linear head: 64 -> 10 { weight = dense with spectral_bound(1.0, method = hard_cap); bias = zeros }

  forward {
    h = gelu(base(x))
    h = tanh(hh(h))
    h = relu(sv(h))
    h = relu(bd(h))
    return head(h)
  }

  loss = cross_entropy(forward, y)

  optimize {
    sv.weight.U, sv.weight.V: muon(lr = 0.02)
    hh.weight.v: lion(lr = 1e-3)
    default: adamp(lr = 1e-3)
  }
}
