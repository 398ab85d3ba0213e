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
#include <vector>

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

/// The threads of libomp's default team (omp_get_max_threads), 1 without
/// libomp.
int teamThreads();

/// Calls lane(ctx, l) for every l in [0, lanes) on libomp's team, lane l on
/// thread l mod threads, with that thread's own parallel loops kept on it
/// (nthreads 1 inside), so that independent pieces of work run side by side;
/// all on the calling thread, in order, without libomp.
void runLanes(int lanes, void (*lane)(void *ctx, int l), void *ctx);

/// runLanes with a callable f(l).
template <class F> void forEachLane(int lanes, F &&f) {
  using Fn = std::remove_reference_t<F>;
  runLanes(
      lanes, [](void *c, int l) { (*static_cast<Fn *>(c))(l); }, &f);
}

/// How independent pieces of work run on `threads` threads (planPieces):
/// first `alone`, one after another, each on the whole team; then `lanes`
/// side by side, one thread each (runLanes).
struct PiecePlan {
  std::vector<int32_t> alone;
  std::vector<std::vector<int32_t>> lanes;
};

/// The plan for pieces of the given costs: a piece too big to share a thread
/// goes alone (largest first) until the rest, dealt largest first to the
/// least loaded of `threads` lanes, leave no lane more than kLaneSlack above
/// an even split. Pieces of small matrices (a transformer's Muon updates)
/// then run side by side instead of each forking the team for every small
/// product; a dominant piece keeps the whole team. Fewer than two busy lanes
/// means everything alone.
PiecePlan planPieces(const std::vector<double> &costs, int threads);

} // namespace wlrt

#endif // WLRT_PARALLEL_H
