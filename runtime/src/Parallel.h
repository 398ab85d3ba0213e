//===- Parallel.h - runtime loops on the generated code's thread pool ----===//
//
// The few runtime loops that stream whole tensors every step (the step
// guard's snapshot and finiteness check, zeroing the gradients) run on
// libomp's team, the pool the generated kernels already keep warm, instead of
// on one core: on 2 threads the guard of a 1M-parameter AdamW step fell from
// ~2.3 ms to ~1.2 ms. No new pool, and a library without libomp (the
// runtime's unit tests) runs the loops on the calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef WLRT_PARALLEL_H
#define WLRT_PARALLEL_H

#include <cstdint>
#include <type_traits>
#include <utility>

namespace wlrt {

/// Calls body(ctx, thread, threads) once on each thread of libomp's default
/// team, concurrently; on the calling thread alone, as (0, 1), when libomp is
/// not loaded or the n elements of the work are too few to fork for.
void onEachThread(int64_t n, void (*body)(void *ctx, int thread, int threads),
                  void *ctx);

/// onEachThread with a callable f(thread, threads).
template <class F> void parallelShares(int64_t n, F &&f) {
  using Fn = std::remove_reference_t<F>;
  onEachThread(
      n,
      [](void *c, int thread, int threads) {
        (*static_cast<Fn *>(c))(thread, threads);
      },
      &f);
}

/// Thread `thread`'s share of [0, n) split evenly over `threads`, in thread
/// order: contiguous, like the row tiles a generated loop's static schedule
/// gives each thread.
inline std::pair<int64_t, int64_t> shareOf(int64_t n, int thread, int threads) {
  return {n * thread / threads, n * (thread + 1) / threads};
}

/// Calls f(begin, end) on disjoint chunks covering [0, n), one per thread of
/// the team (onEachThread).
template <class F> void parallelChunks(int64_t n, F &&f) {
  parallelShares(n, [&](int thread, int threads) {
    auto [begin, end] = shareOf(n, thread, threads);
    if (begin < end)
      f(begin, end);
  });
}

} // namespace wlrt

#endif // WLRT_PARALLEL_H
