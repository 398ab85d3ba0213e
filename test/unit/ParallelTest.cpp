//===- ParallelTest.cpp - the runtime's per-thread shares -----------------===//
//
// shareOf splits [0, n) into contiguous shares in thread order, as the
// generated loops' static schedule splits rows: the step guard's copy and
// check rely on them covering each region exactly once. Without libomp (as
// here) the team is the calling thread alone.
//
//===----------------------------------------------------------------------===//
#include "Parallel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

TEST(Parallel, SharesCoverEachElementOnce) {
  for (int64_t n : {0, 1, 2, 3, 10, 1023, 1024, 65537, 3 * 65536 + 7})
    for (int threads : {1, 2, 3, 7, 16}) {
      int64_t next = 0, smallest = n, largest = 0;
      for (int t = 0; t < threads; ++t) {
        auto [begin, end] = wlrt::shareOf(n, t, threads);
        EXPECT_EQ(begin, next)
            << "n " << n << " thread " << t << " of " << threads;
        EXPECT_LE(begin, end);
        smallest = std::min(smallest, end - begin);
        largest = std::max(largest, end - begin);
        next = end;
      }
      EXPECT_EQ(next, n) << "n " << n << " threads " << threads;
      EXPECT_LE(largest - smallest, 1) << "n " << n << " threads " << threads;
    }
}

TEST(Parallel, ChunksWithoutLibompRunOnTheCaller) {
  const int64_t n = int64_t(1) << 20; // large enough to fork with libomp
  std::vector<int> seen(size_t(n), 0);
  int calls = 0;
  wlrt::parallelChunks(n, [&](int64_t begin, int64_t end) {
    ++calls;
    for (int64_t i = begin; i < end; ++i)
      ++seen[size_t(i)];
  });
  EXPECT_EQ(calls, 1);
  for (int64_t i = 0; i < n; i += 4099)
    EXPECT_EQ(seen[size_t(i)], 1) << i;
  EXPECT_EQ(seen.back(), 1);
  int shares = 0;
  wlrt::parallelShares(n, [&](int thread, int threads) {
    EXPECT_EQ(thread, 0);
    EXPECT_EQ(threads, 1);
    ++shares;
  });
  EXPECT_EQ(shares, 1);
}

namespace {
/// Every piece exactly once in a plan of n pieces.
void expectEachPieceOnce(const wlrt::PiecePlan &plan, size_t n) {
  std::vector<int> seen(n, 0);
  for (int32_t k : plan.alone)
    ++seen[size_t(k)];
  for (const std::vector<int32_t> &lane : plan.lanes)
    for (int32_t k : lane)
      ++seen[size_t(k)];
  for (size_t k = 0; k < n; ++k)
    EXPECT_EQ(seen[k], 1) << "piece " << k;
}

double laneLoad(const std::vector<int32_t> &lane,
                const std::vector<double> &costs) {
  double load = 0;
  for (int32_t k : lane)
    load += costs[size_t(k)];
  return load;
}
} // namespace

TEST(Parallel, ManySimilarPiecesShareTheThreads) {
  // A small transformer's Muon updates: nine D × D and four D × 4D matrices
  // and the embedding.
  std::vector<double> costs(9, 79.7e6);
  costs.insert(costs.end(), 4, 256e6);
  costs.push_back(63e6);
  for (int threads : {2, 3}) {
    wlrt::PiecePlan plan = wlrt::planPieces(costs, threads);
    expectEachPieceOnce(plan, costs.size());
    EXPECT_TRUE(plan.alone.empty()) << threads << " threads";
    ASSERT_EQ(plan.lanes.size(), size_t(threads));
    double total = 0, busiest = 0;
    for (const std::vector<int32_t> &lane : plan.lanes) {
      total += laneLoad(lane, costs);
      busiest = std::max(busiest, laneLoad(lane, costs));
    }
    EXPECT_LE(busiest, 1.15 * total / threads) << threads << " threads";
  }
}

TEST(Parallel, ADominantPieceKeepsTheWholeTeam) {
  // A 1024 × 1024 AdamW update beside its bias and a 10-row head: the big
  // one runs alone, and so does the head (it cannot be balanced against two
  // biases); the two biases may share.
  std::vector<double> costs = {1.0e7, 1.0e4, 1.0e5, 10};
  wlrt::PiecePlan plan = wlrt::planPieces(costs, 2);
  expectEachPieceOnce(plan, costs.size());
  ASSERT_GE(plan.alone.size(), 2u);
  EXPECT_EQ(plan.alone[0], 0);
  EXPECT_EQ(plan.alone[1], 2);
}

TEST(Parallel, OneThreadOrOnePieceRunsAlone) {
  std::vector<double> costs = {5, 5, 5, 5};
  wlrt::PiecePlan one = wlrt::planPieces(costs, 1);
  EXPECT_TRUE(one.lanes.empty());
  EXPECT_EQ(one.alone.size(), costs.size());
  wlrt::PiecePlan single = wlrt::planPieces({7}, 4);
  EXPECT_TRUE(single.lanes.empty());
  EXPECT_EQ(single.alone, std::vector<int32_t>{0});
  wlrt::PiecePlan none = wlrt::planPieces({}, 2);
  EXPECT_TRUE(none.lanes.empty());
  EXPECT_TRUE(none.alone.empty());
}

TEST(Parallel, LanesWithoutLibompRunInOrderOnTheCaller) {
  std::vector<int> order;
  wlrt::forEachLane(4, [&](int lane) { order.push_back(lane); });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(wlrt::teamThreads(), 1);
}
