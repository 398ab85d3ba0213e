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

#include <algorithm>
#include <numeric>

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
void omp_set_num_threads(int) __attribute__((weak));
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

bool haveLibomp() {
  return __kmpc_fork_call && omp_get_thread_num && omp_get_num_threads &&
         omp_get_max_threads && omp_set_num_threads;
}

void forkTeam(void (*body)(void *, int, int), void *ctx) {
  Team team{body, ctx};
  static KmpIdent loc;
  __kmpc_fork_call(&loc, 1, reinterpret_cast<KmpMicrotask>(&microtask), &team);
}

/// Pieces more than this share above an even split of the lanes' work: the
/// biggest goes alone instead.
constexpr double kLaneSlack = 0.15;

} // namespace

int teamThreads() { return haveLibomp() ? omp_get_max_threads() : 1; }

void onEachThread(int64_t n, void (*body)(void *, int, int), void *ctx) {
  if (!haveLibomp() || n < kMinParallel || omp_get_max_threads() < 2) {
    body(ctx, 0, 1);
    return;
  }
  forkTeam(body, ctx);
}

void runLanes(int lanes, void (*lane)(void *, int), void *ctx) {
  struct Lanes {
    int count;
    void (*lane)(void *, int);
    void *ctx;
  } all{lanes, lane, ctx};
  auto body = [](void *c, int thread, int threads) {
    auto *all = static_cast<Lanes *>(c);
    if (threads > 1)
      omp_set_num_threads(1); // this task's nested loops stay on its thread
    for (int l = thread; l < all->count; l += threads)
      all->lane(all->ctx, l);
  };
  if (!haveLibomp() || lanes < 2 || omp_get_max_threads() < 2) {
    body(&all, 0, 1);
    return;
  }
  forkTeam(body, &all);
}

PiecePlan planPieces(const std::vector<double> &costs, int threads) {
  std::vector<int32_t> order(costs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return costs[a] > costs[b]; });
  PiecePlan plan;
  for (size_t first = 0; first < order.size(); ++first) {
    std::vector<std::vector<int32_t>> lanes(size_t(std::max(threads, 1)));
    std::vector<double> load(lanes.size(), 0.0);
    double total = 0;
    for (size_t i = first; i < order.size(); ++i) {
      size_t lightest =
          size_t(std::min_element(load.begin(), load.end()) - load.begin());
      lanes[lightest].push_back(order[i]);
      load[lightest] += costs[size_t(order[i])];
      total += costs[size_t(order[i])];
    }
    size_t busy = size_t(std::count_if(load.begin(), load.end(),
                                       [](double l) { return l > 0; }));
    double even = total / double(lanes.size());
    if (busy >= 2 && *std::max_element(load.begin(), load.end()) <=
                         (1 + kLaneSlack) * even) {
      plan.lanes = std::move(lanes);
      return plan;
    }
    plan.alone.push_back(order[first]);
  }
  return plan;
}

} // namespace wlrt
