//===- Parallel.cpp - runtime loops on libomp's team ----------------------===//
//
// Forks through libomp's entry point __kmpc_fork_call, as the generated code
// does (the runtime is built by the host C++ compiler, whose -fopenmp would
// bring a second OpenMP runtime, GCC's libgomp, into the library). The
// symbols are weak: every generated library links libomp (-lomp), the unit
// tests do not, and there the loops run serially.
//
//===----------------------------------------------------------------------===//
#include "Parallel.h"

namespace {

/// libomp's source location record (kmp.h ident_t): flags KMP_IDENT_KMPC.
struct KmpIdent {
  int32_t reserved1 = 0;
  int32_t flags = 0x02;
  int32_t reserved2 = 0;
  int32_t reserved3 = 0;
  const char *psource = ";wlrt;onEachThread;0;0;;";
};

using KmpMicrotask = void (*)(int32_t *, int32_t *, ...);

} // namespace

extern "C" {
void __kmpc_fork_call(KmpIdent *, int32_t, KmpMicrotask, ...)
    __attribute__((weak));
int omp_get_thread_num(void) __attribute__((weak));
int omp_get_num_threads(void) __attribute__((weak));
int omp_get_max_threads(void) __attribute__((weak));
}

namespace wlrt {
namespace {

/// Below this many elements a fork costs more than the loop (a few µs).
constexpr int64_t kMinParallel = int64_t(1) << 16;

struct Team {
  void (*body)(void *, int, int);
  void *ctx;
};

void microtask(int32_t *, int32_t *, Team *team) {
  team->body(team->ctx, omp_get_thread_num(), omp_get_num_threads());
}

} // namespace

void onEachThread(int64_t n, void (*body)(void *, int, int), void *ctx) {
  bool forkable = __kmpc_fork_call && omp_get_thread_num &&
                  omp_get_num_threads && omp_get_max_threads;
  if (!forkable || n < kMinParallel || omp_get_max_threads() < 2) {
    body(ctx, 0, 1);
    return;
  }
  Team team{body, ctx};
  static KmpIdent loc;
  __kmpc_fork_call(&loc, 1, reinterpret_cast<KmpMicrotask>(&microtask), &team);
}

} // namespace wlrt
