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
