//===- LinalgTest.cpp - Routines for generated code (Linalg.cpp) ----------===//
//
// _mlir_ciface_wlrt_{svd_clip,rank_project,gram_bound,solve} and the
// re-splitting initialisers _mlir_ciface_wlrt_{pissa,svfit,kpsvd}_split on
// strided views, against matrices of known SVD and an independent Jacobi SVD.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "TestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

//===----------------------------------------------------------------------===//
// _mlir_ciface_wlrt_{svd_clip,rank_project,gram_bound}: checked against
// matrices built as W = U diag(s) Vᵀ from random orthonormal U, V, and against
// singular values from an independent one-sided Jacobi SVD (below).

/// rows×k with orthonormal columns (column-major: column j at [j*rows, ...)),
/// by modified Gram–Schmidt (twice) on standard normals.
static std::vector<double> orthonormalColumns(int64_t rows, int64_t k,
                                              uint64_t seed) {
  std::vector<double> q(size_t(rows * k));
  for (size_t i = 0; i < q.size(); ++i)
    q[i] = wlrt::standardNormal(seed, 7, i);
  for (int64_t j = 0; j < k; ++j) {
    double *qj = &q[size_t(j * rows)];
    for (int pass = 0; pass < 2; ++pass)
      for (int64_t p = 0; p < j; ++p) {
        const double *qp = &q[size_t(p * rows)];
        double d = 0;
        for (int64_t r = 0; r < rows; ++r)
          d += qp[r] * qj[r];
        for (int64_t r = 0; r < rows; ++r)
          qj[r] -= d * qp[r];
      }
    double nrm = 0;
    for (int64_t r = 0; r < rows; ++r)
      nrm += qj[r] * qj[r];
    nrm = std::sqrt(nrm);
    for (int64_t r = 0; r < rows; ++r)
      qj[r] /= nrm;
  }
  return q;
}

/// A matrix with known SVD: W = U diag(s) Vᵀ, row-major rows×cols in double.
struct KnownSvd {
  int64_t rows, cols, k;
  std::vector<double> u, v,
      s; // U rows×k, V cols×k (column-major), s descending
  /// U diag(f(s)) Vᵀ, row-major.
  template <class F> std::vector<double> build(F &&f) const {
    std::vector<double> w(size_t(rows * cols), 0.0);
    for (int64_t i = 0; i < k; ++i) {
      double si = f(s[size_t(i)], i);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          w[size_t(r * cols + c)] +=
              u[size_t(i * rows + r)] * si * v[size_t(i * cols + c)];
    }
    return w;
  }
};

static KnownSvd knownSvd(int64_t rows, int64_t cols, std::vector<double> s,
                         uint64_t seed) {
  KnownSvd k{rows,
             cols,
             std::min(rows, cols),
             orthonormalColumns(rows, std::min(rows, cols), seed),
             orthonormalColumns(cols, std::min(rows, cols), seed + 1000),
             std::move(s)};
  return k;
}

/// A float matrix embedded in a larger buffer at `offset` with row stride
/// `ld` (>= cols); every other float of the buffer is a sentinel.
struct Embedded {
  std::vector<float> buf;
  int64_t rows, cols, offset, ld;
  static constexpr float kSentinel = 12345.0f;
  Embedded(const std::vector<double> &w, int64_t r, int64_t c, int64_t off,
           int64_t ldim)
      : buf(size_t(off + r * ldim + 3), kSentinel), rows(r), cols(c),
        offset(off), ld(ldim) {
    for (int64_t i = 0; i < r; ++i)
      for (int64_t j = 0; j < c; ++j)
        buf[size_t(off + i * ldim + j)] = float(w[size_t(i * c + j)]);
  }
  wlgen_memref2d ref() {
    // allocated != aligned, like a real memref: only aligned + offset counts.
    return wlgen_memref2d{nullptr, buf.data(), offset, {rows, cols}, {ld, 1}};
  }
  std::vector<float> matrix() const {
    std::vector<float> w(size_t(rows * cols));
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        w[size_t(i * cols + j)] = buf[size_t(offset + i * ld + j)];
    return w;
  }
  bool sentinelsIntact() const {
    for (size_t x = 0; x < buf.size(); ++x) {
      int64_t rel = int64_t(x) - offset;
      bool inside = rel >= 0 && rel / ld < rows && rel % ld < cols;
      if (!inside && buf[x] != kSentinel)
        return false;
    }
    return true;
  }
};

static double maxAbsDiff(const std::vector<float> &a,
                         const std::vector<double> &b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i)
    d = std::max(d, std::fabs(double(a[i]) - b[i]));
  return d;
}

TEST(Linalg, SvdClip) {
  struct Case {
    int64_t rows, cols, offset, ld;
    std::vector<double> s;
    float c;
  };
  const Case cases[] = {
      {12, 7, 5, 7, {5, 4, 3, 2, 1.5, 1, 0.5}, 2.5f}, // tall, offset view
      {5, 9, 3, 12, {3, 2.9, 1, 0.2, 0.01}, 1.5f}, // wide, offset + padded rows
      {8, 8, 1, 8, {2, 2, 2, 1, 1, 0.5, 0.25, 0}, 1.0f}, // square, repeated,
                                                         // singular
      {1, 6, 2, 6, {4}, 0.5f},                           // a single row
  };
  uint64_t seed = 100;
  for (const Case &cs : cases) {
    const std::string tag =
        std::to_string(cs.rows) + "x" + std::to_string(cs.cols);
    KnownSvd k = knownSvd(cs.rows, cs.cols, cs.s, seed += 10);
    std::vector<double> w = k.build([](double s, int64_t) { return s; });
    Embedded e(w, cs.rows, cs.cols, cs.offset, cs.ld);
    const std::vector<double> before =
        jacobiSigma(asDoubles(e.matrix()), cs.rows, cs.cols);
    wlgen_memref2d ref = e.ref();
    _mlir_ciface_wlrt_svd_clip(&ref, cs.c);
    EXPECT_TRUE(e.sentinelsIntact()) << tag;
    // Against the known construction U diag(min(s, c)) Vᵀ ...
    const double c = cs.c;
    std::vector<double> want =
        k.build([c](double s, int64_t) { return std::min(s, c); });
    EXPECT_TRUE(maxAbsDiff(e.matrix(), want) < 2e-6 * cs.s[0])
        << tag + ": " + std::to_string(maxAbsDiff(e.matrix(), want));
    // ... and against independently computed singular values.
    std::vector<double> after =
        jacobiSigma(asDoubles(e.matrix()), cs.rows, cs.cols);
    bool ok = after.size() == before.size();
    for (size_t i = 0; ok && i < after.size(); ++i)
      ok = std::fabs(after[i] - std::min(before[i], c)) <= 2e-6 * cs.s[0];
    EXPECT_TRUE(ok) << tag + ": " + sigmaText(before) + "-> " +
                           sigmaText(after);
  }

  // A random (Gaussian) matrix clipped at its median singular value.
  {
    const int64_t rows = 40, cols = 60;
    std::vector<double> w(size_t(rows * cols));
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = float(wlrt::standardNormal(77, 1, i));
    Embedded e(w, rows, cols, 17, cols);
    std::vector<double> before = jacobiSigma(asDoubles(e.matrix()), rows, cols);
    const float c = float(before[20]);
    wlgen_memref2d ref = e.ref();
    _mlir_ciface_wlrt_svd_clip(&ref, c);
    std::vector<double> after = jacobiSigma(asDoubles(e.matrix()), rows, cols);
    bool ok = e.sentinelsIntact();
    for (size_t i = 0; ok && i < after.size(); ++i)
      ok = std::fabs(after[i] - std::min(before[i], double(c))) <=
           1e-5 * before[0];
    EXPECT_TRUE(ok) << sigmaText(before) + "-> " + sigmaText(after);
  }

  // Edge cases on a small matrix.
  KnownSvd k = knownSvd(4, 3, {3, 2, 1}, 900);
  std::vector<double> w = k.build([](double s, int64_t) { return s; });
  auto run = [&](float c, const std::vector<double> &src) {
    Embedded e(src, 4, 3, 2, 3);
    wlgen_memref2d ref = e.ref();
    _mlir_ciface_wlrt_svd_clip(&ref, c);
    EXPECT_TRUE(e.sentinelsIntact());
    return e.matrix();
  };
  const std::vector<float> orig = Embedded(w, 4, 3, 2, 3).matrix();
  auto same = [](const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() &&
           std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
  };
  EXPECT_TRUE(same(run(3.5f, w), orig)); // already inside the set: bit for bit
  EXPECT_TRUE(same(run(std::numeric_limits<float>::infinity(), w), orig));
  EXPECT_TRUE(same(run(std::numeric_limits<float>::quiet_NaN(), w), orig));
  const std::vector<float> zeros(12, 0.0f);
  EXPECT_TRUE(same(run(0.0f, w), zeros));
  EXPECT_TRUE(same(run(-1.0f, w), zeros));
  std::vector<double> withNan = w;
  withNan[5] = std::numeric_limits<double>::quiet_NaN();
  std::vector<float> nanOut = run(1.0f, withNan);
  EXPECT_TRUE(std::isnan(nanOut[5]) && nanOut[0] == float(w[0]) &&
              nanOut[11] == float(w[11]));
  _mlir_ciface_wlrt_svd_clip(nullptr, 1.0f); // no-op
  wlgen_memref2d empty{nullptr, nullptr, 0, {0, 3}, {3, 1}};
  _mlir_ciface_wlrt_svd_clip(&empty, 1.0f);
  EXPECT_TRUE(true);
}

TEST(Linalg, RankProject) {
  struct Case {
    int64_t rows, cols, offset, ld, r;
    std::vector<double> s;
  };
  const Case cases[] = {
      {12, 7, 5, 7, 3, {5, 4, 3, 2, 1.5, 1, 0.5}},
      {5, 9, 3, 11, 2, {3, 2.9, 1, 0.2, 0.01}},
      {6, 6, 0, 6, 1, {1, 0.8, 0.5, 0.4, 0.1, 0.05}},
  };
  uint64_t seed = 500;
  for (const Case &cs : cases) {
    const std::string tag = std::to_string(cs.rows) + "x" +
                            std::to_string(cs.cols) + " r" +
                            std::to_string(cs.r);
    KnownSvd k = knownSvd(cs.rows, cs.cols, cs.s, seed += 10);
    std::vector<double> w = k.build([](double s, int64_t) { return s; });
    Embedded e(w, cs.rows, cs.cols, cs.offset, cs.ld);
    const std::vector<float> in = e.matrix();
    const std::vector<double> before =
        jacobiSigma(asDoubles(in), cs.rows, cs.cols);
    wlgen_memref2d ref = e.ref();
    _mlir_ciface_wlrt_rank_project(&ref, cs.r);
    EXPECT_TRUE(e.sentinelsIntact()) << tag;
    const int64_t r = cs.r;
    std::vector<double> want =
        k.build([r](double s, int64_t i) { return i < r ? s : 0.0; });
    const std::vector<float> out = e.matrix();
    EXPECT_TRUE(maxAbsDiff(out, want) < 2e-6 * cs.s[0])
        << tag + ": " + std::to_string(maxAbsDiff(out, want));
    // Rank <= r, the top r singular values kept ...
    std::vector<double> after = jacobiSigma(asDoubles(out), cs.rows, cs.cols);
    bool ok = true;
    for (size_t i = 0; i < after.size(); ++i)
      ok &= std::fabs(after[i] - (int64_t(i) < r ? before[i] : 0.0)) <=
            2e-6 * cs.s[0];
    EXPECT_TRUE(ok) << tag + ": " + sigmaText(before) + "-> " +
                           sigmaText(after);
    // ... and Eckart–Young: ‖W − W'‖_F = sqrt(Σ_{i>r} s_i²).
    double err = 0, tail = 0;
    for (size_t i = 0; i < in.size(); ++i)
      err += (double(in[i]) - out[i]) * (double(in[i]) - out[i]);
    for (size_t i = size_t(r); i < before.size(); ++i)
      tail += before[i] * before[i];
    EXPECT_TRUE(std::fabs(std::sqrt(err) - std::sqrt(tail)) <= 2e-6 * cs.s[0])
        << tag + ": error " + std::to_string(std::sqrt(err)) + " vs " +
               std::to_string(std::sqrt(tail));
  }

  // A Gaussian matrix: the truncated SVD beats another rank-r matrix (W with
  // all but r columns zeroed) and attains the Eckart–Young error.
  {
    const int64_t rows = 30, cols = 20, r = 5;
    std::vector<double> w(size_t(rows * cols));
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = float(wlrt::standardNormal(78, 2, i));
    Embedded e(w, rows, cols, 9, cols);
    const std::vector<float> in = e.matrix();
    std::vector<double> sigma = jacobiSigma(asDoubles(in), rows, cols);
    wlgen_memref2d ref = e.ref();
    _mlir_ciface_wlrt_rank_project(&ref, r);
    const std::vector<float> out = e.matrix();
    double err = 0, tail = 0, other = 0;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        double d = double(in[size_t(i * cols + j)]) - out[size_t(i * cols + j)];
        err += d * d;
        if (j >= r)
          other += double(in[size_t(i * cols + j)]) * in[size_t(i * cols + j)];
      }
    for (size_t i = size_t(r); i < sigma.size(); ++i)
      tail += sigma[i] * sigma[i];
    EXPECT_TRUE(e.sentinelsIntact() &&
                std::fabs(std::sqrt(err) - std::sqrt(tail)) <= 1e-5 * sigma[0])
        << std::to_string(std::sqrt(err)) + " vs " +
               std::to_string(std::sqrt(tail));
    EXPECT_TRUE(err < other);
    std::vector<double> after = jacobiSigma(asDoubles(out), rows, cols);
    EXPECT_TRUE(after[size_t(r)] <= 1e-5 * sigma[0]) << sigmaText(after);
  }

  // Edge cases.
  KnownSvd k = knownSvd(3, 4, {3, 2, 1}, 901);
  std::vector<double> w = k.build([](double s, int64_t) { return s; });
  auto run = [&](int64_t r) {
    Embedded e(w, 3, 4, 1, 4);
    wlgen_memref2d ref = e.ref();
    _mlir_ciface_wlrt_rank_project(&ref, r);
    EXPECT_TRUE(e.sentinelsIntact());
    return e.matrix();
  };
  const std::vector<float> orig = Embedded(w, 3, 4, 1, 4).matrix();
  EXPECT_TRUE(run(3) == orig &&
              run(100) == orig); // rank <= min(rows, cols) already
  EXPECT_TRUE(run(0) == std::vector<float>(12, 0.0f) &&
              run(-2) == std::vector<float>(12, 0.0f));
  _mlir_ciface_wlrt_rank_project(nullptr, 1);
}

TEST(Linalg, GramBound) {
  const int64_t rows = 20, cols = 7;
  std::vector<double> w(size_t(rows * cols));
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = float(wlrt::standardNormal(79, 3, i));
  Embedded e(w, rows, cols, 13, cols), padded(w, rows, cols, 4, cols + 5);
  const std::vector<float> m = e.matrix();
  const double sigma = jacobiSigma(asDoubles(m), rows, cols)[0];
  const double exact = wlrt::gramSpectralBound(m.data(), rows, cols);
  wlgen_memref2d ref = e.ref(), pref = padded.ref();
  const float b = _mlir_ciface_wlrt_gram_bound(&ref);
  EXPECT_TRUE(double(b) >= sigma && double(b) >= exact) << std::to_string(b);
  // Rounded up: the smallest float >= the double bound.
  EXPECT_TRUE(double(std::nextafter(b, 0.0f)) < exact);
  EXPECT_TRUE(_mlir_ciface_wlrt_gram_bound(&pref) ==
              b); // strided copy: same bound
  EXPECT_TRUE(e.sentinelsIntact() && padded.sentinelsIntact());
  // Rank one: exact up to the margin.
  std::vector<double> r1 = {3, 4, 6, 8}; // [1, 2]ᵀ[3, 4], σ = 5·√5
  Embedded e1(r1, 2, 2, 6, 2);
  wlgen_memref2d ref1 = e1.ref();
  const float b1 = _mlir_ciface_wlrt_gram_bound(&ref1);
  EXPECT_TRUE(double(b1) >= 5 * std::sqrt(5.0) &&
              b1 <= 5 * std::sqrt(5.0) * (1 + 3e-6))
      << std::to_string(b1);
  std::vector<double> z(6, 0.0);
  Embedded ez(z, 2, 3, 1, 3);
  wlgen_memref2d refz = ez.ref();
  EXPECT_TRUE(_mlir_ciface_wlrt_gram_bound(&refz) == 0.0f);
  z[4] = std::numeric_limits<double>::infinity();
  Embedded en(z, 2, 3, 1, 3);
  wlgen_memref2d refn = en.ref();
  EXPECT_TRUE(std::isnan(_mlir_ciface_wlrt_gram_bound(&refn)));
  EXPECT_TRUE(_mlir_ciface_wlrt_gram_bound(nullptr) == 0.0f);
}

// _mlir_ciface_wlrt_solve: B ← A⁻¹B (or A⁻ᵀB) in place on strided views,
// checked by multiplying back in double; A is only read; a singular A gives
// NaN. Two matrices, one diagonally dominant and one whose LU must pivot at
// every column (a tiny diagonal), solved in turn (A1, A1ᵀ, A2, A2ᵀ, A1, …).
TEST(Linalg, Solve) {
  const int64_t n = 6, k = 3;
  std::vector<double> dominant(size_t(n * n)), pivoting(size_t(n * n)),
      b(size_t(n * k));
  for (size_t i = 0; i < dominant.size(); ++i) {
    bool diagonal = i % (n + 1) == 0;
    dominant[i] =
        float(wlrt::standardNormal(81, 1, i)) + (diagonal ? 4.0 : 0.0);
    pivoting[i] = diagonal ? 1e-3 * double(i + 1)
                           : float(wlrt::standardNormal(81, 3, i));
  }
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = float(wlrt::standardNormal(81, 2, i));
  auto checkSolve = [&](const std::vector<double> &a, int transpose) {
    Embedded ea(a, n, n, 5, n + 2), eb(b, n, k, 3, k + 1);
    const std::vector<float> aBefore = ea.matrix(), bIn = eb.matrix();
    wlgen_memref2d ra = ea.ref(), rb = eb.ref();
    _mlir_ciface_wlrt_solve(&ra, &rb, transpose);
    const std::vector<float> x = eb.matrix();
    double worst = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j) {
        double sum = 0; // (op(A)·X)[i, j]
        for (int64_t l = 0; l < n; ++l)
          sum += double(transpose ? aBefore[size_t(l * n + i)]
                                  : aBefore[size_t(i * n + l)]) *
                 double(x[size_t(l * k + j)]);
        worst =
            std::max(worst, std::fabs(sum - double(bIn[size_t(i * k + j)])));
      }
    EXPECT_TRUE(worst < 1e-4) << "solve residual " + std::to_string(worst);
    EXPECT_TRUE(ea.matrix() == aBefore); // A untouched
    EXPECT_TRUE(ea.sentinelsIntact() && eb.sentinelsIntact());
  };
  for (int round = 0; round < 2; ++round)
    for (const std::vector<double> *a : {&dominant, &pivoting})
      for (int transpose = 0; transpose <= 1; ++transpose)
        checkSolve(*a, transpose);
  std::vector<double> singular(size_t(n * n), 1.0); // rank one
  Embedded es(singular, n, n, 0, n), eb(b, n, k, 0, k);
  wlgen_memref2d rs = es.ref(), rb = eb.ref();
  _mlir_ciface_wlrt_solve(&rs, &rb, 0);
  EXPECT_TRUE(std::isnan(eb.matrix()[0]));
  _mlir_ciface_wlrt_solve(nullptr, &rb, 0); // no-op
}

// Large systems (2050², past 2²² elements): two different matrices in a row,
// a small solve between, and the first matrix again, each solved correctly.
TEST(Linalg, SolveLarge) {
  const int64_t n = 2050, k = 2;
  auto matrix = [&](uint64_t stream) {
    std::vector<double> a(size_t(n * n));
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = float(wlrt::standardNormal(83, stream, i)) +
             (i % size_t(n + 1) == 0 ? double(n) : 0.0);
    return a;
  };
  const std::vector<double> first = matrix(1), second = matrix(2);
  std::vector<double> b(size_t(n * k)), small(16, 0.0), smallB(4, 1.0);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = float(wlrt::standardNormal(83, 3, i));
  for (int i = 0; i < 4; ++i)
    small[size_t(i * 5)] = 2.0;
  auto residual = [&](const std::vector<double> &a) {
    Embedded ea(a, n, n, 0, n), eb(b, n, k, 0, k);
    const std::vector<float> aIn = ea.matrix(), bIn = eb.matrix();
    wlgen_memref2d ra = ea.ref(), rb = eb.ref();
    _mlir_ciface_wlrt_solve(&ra, &rb, 0);
    const std::vector<float> x = eb.matrix();
    double worst = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j) {
        double sum = 0;
        for (int64_t l = 0; l < n; ++l)
          sum += double(aIn[size_t(i * n + l)]) * double(x[size_t(l * k + j)]);
        worst = std::max(worst, std::fabs(sum - double(bIn[size_t(i * k + j)])));
      }
    return worst;
  };
  EXPECT_LT(residual(first), 1e-3);
  EXPECT_LT(residual(second), 1e-3);
  Embedded es(small, 4, 4, 0, 4), ebs(smallB, 4, 1, 0, 1);
  wlgen_memref2d rs = es.ref(), rbs = ebs.ref();
  _mlir_ciface_wlrt_solve(&rs, &rbs, 0);
  EXPECT_EQ(ebs.matrix()[0], 0.5f);
  EXPECT_LT(residual(first), 1e-3);
}

//===----------------------------------------------------------------------===//
// Re-splitting initialisers _mlir_ciface_wlrt_{pissa,svfit,kpsvd}_split:
// W0 = residual + factors exactly (to the residual's own float rounding), the
// factors are the SVD-optimal ones (checked against the independent Jacobi
// SVD above), on arbitrarily strided views; failures keep base + factors = W0.

/// A float tensor of rank 1..3 at `offset` with arbitrary strides inside a
/// larger buffer whose other floats are sentinels.
struct Strided {
  std::vector<int64_t> sizes, strides;
  int64_t offset;
  std::vector<float> buf;
  std::vector<char> inside;
  static constexpr float kSentinel = -777.0f;
  Strided(std::vector<int64_t> sz, std::vector<int64_t> st, int64_t off)
      : sizes(std::move(sz)), strides(std::move(st)), offset(off) {
    int64_t last = off;
    for (size_t d = 0; d < sizes.size(); ++d)
      last += sizes[d] > 0 ? (sizes[d] - 1) * strides[d] : 0;
    buf.assign(size_t(last + 4), kSentinel);
    inside.assign(buf.size(), 0);
    for (int64_t e = 0; e < numel(); ++e)
      inside[size_t(pos(e))] = 1;
  }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t s : sizes)
      n *= s;
    return n;
  }
  /// Buffer position of the e-th element in row-major order.
  int64_t pos(int64_t e) const {
    int64_t p = offset;
    for (size_t d = sizes.size(); d-- > 0;) {
      p += (e % sizes[d]) * strides[d];
      e /= sizes[d];
    }
    return p;
  }
  float &operator[](int64_t e) { return buf[size_t(pos(e))]; }
  float get(int64_t e) const { return buf[size_t(pos(e))]; }
  void set(const std::vector<double> &v) {
    for (int64_t e = 0; e < numel(); ++e)
      (*this)[e] = float(v[size_t(e)]);
  }
  std::vector<float> values() const {
    std::vector<float> v(static_cast<size_t>(numel()));
    for (int64_t e = 0; e < numel(); ++e)
      v[size_t(e)] = get(e);
    return v;
  }
  bool sentinelsIntact() const {
    for (size_t x = 0; x < buf.size(); ++x)
      if (!inside[x] && buf[x] != kSentinel)
        return false;
    return true;
  }
  wlgen_memref1d ref1() {
    return {nullptr, buf.data(), offset, {sizes[0]}, {strides[0]}};
  }
  wlgen_memref2d ref2() {
    return {nullptr,
            buf.data(),
            offset,
            {sizes[0], sizes[1]},
            {strides[0], strides[1]}};
  }
  wlgen_memref3d ref3() {
    return {nullptr,
            buf.data(),
            offset,
            {sizes[0], sizes[1], sizes[2]},
            {strides[0], strides[1], strides[2]}};
  }
};

static bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

static bool allZero(const std::vector<float> &a) {
  for (float x : a)
    if (x != 0.0f)
      return false;
  return true;
}

static std::vector<double> gaussian(int64_t n, uint64_t seed,
                                    double scale = 1.0) {
  std::vector<double> w(static_cast<size_t>(n));
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = double(float(scale * wlrt::standardNormal(seed, 4, i)));
  return w;
}

/// Checks W_res + P == W0 entrywise to the residual's float rounding: with P
/// and Σ|terms| given in double, |W_res + P − W0| <= 2^-24 |W_res| + 1e-13
/// (|W0| + Σ|terms|) (the second part covers the double sums), and relative to
/// max|W0| within 1e-6. Returns the worst relative deviation.
static double checkExact(const std::vector<float> &w0,
                         const std::vector<float> &res,
                         const std::vector<double> &p,
                         const std::vector<double> &absTerms,
                         const std::string &tag) {
  double scale = 0, worst = 0;
  for (float x : w0)
    scale = std::max(scale, std::fabs(double(x)));
  bool ok = true;
  for (size_t i = 0; i < w0.size(); ++i) {
    const double dev = std::fabs(double(res[i]) + p[i] - double(w0[i]));
    const double bound = std::ldexp(std::fabs(double(res[i])), -24) +
                         1e-13 * (std::fabs(double(w0[i])) + absTerms[i]);
    if (dev > bound) {
      ok = false;
      std::printf("  %s: entry %zu: deviation %.3g > bound %.3g\n", tag.c_str(),
                  i, dev, bound);
    }
    worst = std::max(worst, dev / scale);
  }
  EXPECT_TRUE(ok) << tag;
  EXPECT_TRUE(worst <= 1e-6) << tag + ": " + std::to_string(worst);
  return worst;
}

static double frobDiff(const std::vector<float> &a,
                       const std::vector<double> &b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return std::sqrt(s);
}

static double tailNorm(const std::vector<double> &sigma, size_t from) {
  double t = 0;
  for (size_t i = from; i < sigma.size(); ++i)
    t += sigma[i] * sigma[i];
  return std::sqrt(t);
}

TEST(Linalg, PissaSplit) {
  struct Case {
    int64_t out, in, r;
    std::vector<int64_t> ws, as, bs; // strides of base, A, B
    int64_t wo, ao, bo;              // offsets
    bool gaussianW;
  };
  const Case cases[] = {
      {12, 7, 3, {9, 1}, {1, 3}, {4, 1}, 5, 2, 1, false},   // padded rows,
                                                            // column-major A
      {5, 9, 2, {1, 5}, {9, 1}, {1, 5}, 3, 0, 4, false},    // column-major base
                                                            // and B
      {6, 4, 5, {4, 1}, {4, 1}, {5, 1}, 0, 0, 0, false},    // r > min(OUT, IN):
                                                            // extra terms zero
      {30, 20, 5, {20, 1}, {20, 1}, {5, 1}, 7, 1, 2, true}, // Gaussian
      {1, 6, 1, {6, 1}, {6, 1}, {1, 1}, 0, 0, 0, true},     // a single row
  };
  uint64_t seed = 1200;
  for (const Case &cs : cases) {
    const std::string tag = "pissa " + std::to_string(cs.out) + "x" +
                            std::to_string(cs.in) + " r" + std::to_string(cs.r);
    const int64_t k = std::min(cs.out, cs.in), r = cs.r;
    std::vector<double> w;
    if (cs.gaussianW) {
      w = gaussian(cs.out * cs.in, seed += 3);
    } else {
      std::vector<double> s;
      for (int64_t i = 0; i < k; ++i)
        s.push_back(4.0 / double(i + 1) + 0.1);
      w = knownSvd(cs.out, cs.in, s, seed += 3).build([](double x, int64_t) {
        return x;
      });
    }
    Strided base({cs.out, cs.in}, cs.ws, cs.wo), a({r, cs.in}, cs.as, cs.ao),
        b({cs.out, r}, cs.bs, cs.bo);
    base.set(w);
    a.set(gaussian(r * cs.in, 5)); // the LoRA init the split replaces
    const std::vector<float> w0 = base.values();
    const std::vector<double> sigma = jacobiSigma(asDoubles(w0), cs.out, cs.in);
    wlgen_memref2d rw = base.ref2(), ra = a.ref2(), rb = b.ref2();
    _mlir_ciface_wlrt_pissa_split(&rw, &ra, &rb);
    EXPECT_TRUE(base.sentinelsIntact() && a.sentinelsIntact() &&
                b.sentinelsIntact())
        << tag;
    const std::vector<float> res = base.values(), av = a.values(),
                             bv = b.values();
    // P = B·A from the stored floats (exact products in double).
    std::vector<double> p(w0.size(), 0.0), absTerms(w0.size(), 0.0);
    for (int64_t i = 0; i < cs.out; ++i)
      for (int64_t c = 0; c < cs.in; ++c)
        for (int64_t j = 0; j < r; ++j) {
          const double t =
              double(bv[size_t(i * r + j)]) * double(av[size_t(j * cs.in + c)]);
          p[size_t(i * cs.in + c)] += t;
          absTerms[size_t(i * cs.in + c)] += std::fabs(t);
        }
    checkExact(w0, res, p, absTerms, tag);
    // B·A is the principal rank-r part: ‖W0 − BA‖_F = sqrt(Σ_{i≥r} σ_i²) ...
    const double err = frobDiff(w0, p),
                 tail = tailNorm(sigma, size_t(std::min(r, k)));
    EXPECT_TRUE(std::fabs(err - tail) <= 1e-5 * sigma[0])
        << tag + ": error " + std::to_string(err) + " vs tail " +
               std::to_string(tail);
    // ... the residual holds the other singular values ...
    std::vector<double> rs = jacobiSigma(asDoubles(res), cs.out, cs.in);
    bool ok = true;
    for (size_t i = 0; i < rs.size(); ++i) {
      const double want = i + size_t(std::min(r, k)) < sigma.size()
                              ? sigma[i + size_t(std::min(r, k))]
                              : 0.0;
      ok &= std::fabs(rs[i] - want) <= 1e-5 * sigma[0];
    }
    EXPECT_TRUE(ok) << tag + ": residual " + sigmaText(rs) + "of " +
                           sigmaText(sigma);
    // ... and the split is balanced: BᵀB = A Aᵀ = diag(σ_1..σ_r) (σ = 0 past
    // min(OUT, IN)), with each column of B's largest entry positive (the sign
    // convention).
    double dev = 0;
    bool signs = true;
    for (int64_t x = 0; x < r; ++x) {
      for (int64_t y = 0; y < r; ++y) {
        double btb = 0, aat = 0;
        for (int64_t i = 0; i < cs.out; ++i)
          btb += double(bv[size_t(i * r + x)]) * bv[size_t(i * r + y)];
        for (int64_t c = 0; c < cs.in; ++c)
          aat += double(av[size_t(x * cs.in + c)]) * av[size_t(y * cs.in + c)];
        const double want = x == y && x < k ? sigma[size_t(x)] : 0.0;
        dev = std::max({dev, std::fabs(btb - want), std::fabs(aat - want)});
      }
      if (x < k) {
        int64_t arg = 0;
        for (int64_t i = 1; i < cs.out; ++i)
          if (std::fabs(bv[size_t(i * r + x)]) >
              std::fabs(bv[size_t(arg * r + x)]))
            arg = i;
        signs &= bv[size_t(arg * r + x)] > 0;
      }
    }
    EXPECT_TRUE(dev <= 1e-5 * sigma[0])
        << tag + ": balance " + std::to_string(dev);
    EXPECT_TRUE(signs) << tag + ": sign convention";
  }

  // Failures: base unchanged, B = 0, A kept (zeroed when non-finite).
  const int64_t out = 4, in = 3, r = 2;
  const std::vector<double> w = gaussian(out * in, 1300);
  auto run = [&](const std::vector<double> &wv, const std::vector<double> &av,
                 int64_t aCols, bool nullBase, const char *what) {
    Strided base({out, in}, {in, 1}, 2), a({r, aCols}, {aCols, 1}, 1),
        b({out, r}, {r, 1}, 3);
    base.set(wv);
    a.set(av);
    b.set(gaussian(out * r, 9)); // not zero before
    const std::vector<float> w0 = base.values(), a0 = a.values();
    wlgen_memref2d rw = base.ref2(), ra = a.ref2(), rb = b.ref2();
    _mlir_ciface_wlrt_pissa_split(nullBase ? nullptr : &rw, &ra, &rb);
    EXPECT_TRUE(base.sentinelsIntact() && a.sentinelsIntact() &&
                b.sentinelsIntact())
        << what;
    EXPECT_TRUE(sameBits(base.values(), w0)) << what;
    EXPECT_TRUE(allZero(b.values())) << what;
    return std::make_pair(a0, a.values());
  };
  std::vector<double> wNan = w;
  wNan[7] = std::numeric_limits<double>::quiet_NaN();
  auto kept = run(wNan, gaussian(r * in, 10), in, false, "pissa: NaN in W0");
  EXPECT_TRUE(sameBits(kept.first, kept.second));
  std::vector<double> aNan = gaussian(r * in, 10);
  aNan[1] = std::numeric_limits<double>::infinity();
  auto zeroed = run(wNan, aNan, in, false, "pissa: NaN in W0 and A");
  EXPECT_TRUE(allZero(zeroed.second));
  auto mism =
      run(w, gaussian(r * (in + 1), 11), in + 1, false, "pissa: A's shape");
  EXPECT_TRUE(sameBits(mism.first, mism.second));
  run(w, gaussian(r * in, 12), in, true, "pissa: NULL base");
  {
    // r = 0: nothing to split, base unchanged.
    Strided base({out, in}, {in, 1}, 0);
    base.set(w);
    const std::vector<float> w0 = base.values();
    wlgen_memref2d rw = base.ref2(), ra{nullptr, nullptr, 0, {0, in}, {in, 1}},
                   rb{nullptr, nullptr, 0, {out, 0}, {0, 1}};
    _mlir_ciface_wlrt_pissa_split(&rw, &ra, &rb);
    EXPECT_TRUE(sameBits(base.values(), w0));
  }
  _mlir_ciface_wlrt_pissa_split(nullptr, nullptr, nullptr); // no-op
}

TEST(Linalg, SvfitSplit) {
  struct Case {
    int64_t out, in, r;
    std::vector<int64_t> ws, us, vs;
    int64_t ss;
  };
  const Case cases[] = {
      {9, 6, 3, {6, 1}, {1, 9}, {3, 1}, 2},       // column-major U, strided s
      {4, 7, 5, {1, 4}, {5, 1}, {5, 1}, 1},       // r > min(OUT, IN)
      {16, 16, 16, {17, 1}, {16, 1}, {16, 1}, 1}, // full rank: residual ≈ 0
  };
  uint64_t seed = 1400;
  for (const Case &cs : cases) {
    const std::string tag = "svfit " + std::to_string(cs.out) + "x" +
                            std::to_string(cs.in) + " r" + std::to_string(cs.r);
    const int64_t k = std::min(cs.out, cs.in), r = cs.r;
    Strided base({cs.out, cs.in}, cs.ws, 3), u({cs.out, r}, cs.us, 1),
        s({r}, {cs.ss}, 2), v({cs.in, r}, cs.vs, 0);
    base.set(gaussian(cs.out * cs.in, seed += 5, 0.3));
    const std::vector<float> w0 = base.values();
    const std::vector<double> sigma = jacobiSigma(asDoubles(w0), cs.out, cs.in);
    wlgen_memref2d rw = base.ref2(), ru = u.ref2(), rv = v.ref2();
    wlgen_memref1d rs = s.ref1();
    _mlir_ciface_wlrt_svfit_split(&rw, &ru, &rs, &rv);
    EXPECT_TRUE(base.sentinelsIntact() && u.sentinelsIntact() &&
                s.sentinelsIntact() && v.sentinelsIntact())
        << tag;
    const std::vector<float> res = base.values(), uv = u.values(),
                             sv = s.values(), vv = v.values();
    std::vector<double> p(w0.size(), 0.0), absTerms(w0.size(), 0.0);
    for (int64_t i = 0; i < cs.out; ++i)
      for (int64_t c = 0; c < cs.in; ++c)
        for (int64_t j = 0; j < r; ++j) {
          const double t = double(uv[size_t(i * r + j)]) *
                           double(sv[size_t(j)]) *
                           double(vv[size_t(c * r + j)]);
          p[size_t(i * cs.in + c)] += t;
          absTerms[size_t(i * cs.in + c)] += std::fabs(t);
        }
    checkExact(w0, res, p, absTerms, tag);
    // s = the top singular values (0 past min(OUT, IN)); U, V orthonormal
    // columns.
    bool sOk = true;
    for (int64_t j = 0; j < r; ++j)
      sOk &= std::fabs(double(sv[size_t(j)]) -
                       (j < k ? sigma[size_t(j)] : 0.0)) <= 1e-6 * sigma[0];
    EXPECT_TRUE(sOk) << tag + ": s vs " + sigmaText(sigma);
    double dev = 0;
    const int64_t kr = std::min(r, k);
    for (int64_t x = 0; x < kr; ++x)
      for (int64_t y = 0; y < kr; ++y) {
        double utu = 0, vtv = 0;
        for (int64_t i = 0; i < cs.out; ++i)
          utu += double(uv[size_t(i * r + x)]) * uv[size_t(i * r + y)];
        for (int64_t c = 0; c < cs.in; ++c)
          vtv += double(vv[size_t(c * r + x)]) * vv[size_t(c * r + y)];
        dev = std::max(
            {dev, std::fabs(utu - (x == y)), std::fabs(vtv - (x == y))});
      }
    EXPECT_TRUE(dev <= 1e-6) << tag + ": orthonormality " + std::to_string(dev);
    const double err = frobDiff(w0, p), tail = tailNorm(sigma, size_t(kr));
    EXPECT_TRUE(std::fabs(err - tail) <= 1e-5 * sigma[0])
        << tag + ": error " + std::to_string(err) + " vs tail " +
               std::to_string(tail);
  }
  // Failure: s = 0, U and V kept, base unchanged.
  {
    Strided base({3, 4}, {4, 1}, 0), u({3, 2}, {2, 1}, 0), s({2}, {1}, 0),
        v({4, 2}, {2, 1}, 0);
    std::vector<double> w = gaussian(12, 1500);
    w[0] = std::numeric_limits<double>::infinity();
    base.set(w);
    u.set(gaussian(6, 1501));
    s.set({1.0, 2.0});
    v.set(gaussian(8, 1502));
    const std::vector<float> w0 = base.values(), u0 = u.values(),
                             v0 = v.values();
    wlgen_memref2d rw = base.ref2(), ru = u.ref2(), rv = v.ref2();
    wlgen_memref1d rs = s.ref1();
    _mlir_ciface_wlrt_svfit_split(&rw, &ru, &rs, &rv);
    EXPECT_TRUE(sameBits(base.values(), w0) && allZero(s.values()));
    EXPECT_TRUE(sameBits(u.values(), u0) && sameBits(v.values(), v0));
    // Mismatched s: the same rule.
    Strided s3({3}, {1}, 0);
    s3.set({1.0, 2.0, 3.0});
    base.set(gaussian(12, 1503));
    const std::vector<float> w1 = base.values();
    rw = base.ref2();
    rs = s3.ref1();
    _mlir_ciface_wlrt_svfit_split(&rw, &ru, &rs, &rv);
    EXPECT_TRUE(sameBits(base.values(), w1) && allZero(s3.values()));
  }
  _mlir_ciface_wlrt_svfit_split(nullptr, nullptr, nullptr, nullptr);
}

/// The Van Loan–Pitsianis rearrangement of W [m1·m2, n1·n2], row-major
/// [(m1·n1), (m2·n2)], written out independently of the runtime.
static std::vector<double> rearrange(const std::vector<float> &w, int64_t m1,
                                     int64_t n1, int64_t m2, int64_t n2) {
  std::vector<double> r(size_t(m1 * n1 * m2 * n2));
  for (int64_t i1 = 0; i1 < m1; ++i1)
    for (int64_t j1 = 0; j1 < n1; ++j1)
      for (int64_t i2 = 0; i2 < m2; ++i2)
        for (int64_t j2 = 0; j2 < n2; ++j2)
          r[size_t((i1 * n1 + j1) * (m2 * n2) + i2 * n2 + j2)] =
              w[size_t((i1 * m2 + i2) * (n1 * n2) + j1 * n2 + j2)];
  return r;
}

TEST(Linalg, KpsvdSplit) {
  struct Case {
    int64_t m1, n1, m2, n2, k;
    int kind; // 0 Gaussian, 1 an exact sum of 2 Kronecker products, 2 a single
              // row R
  };
  const Case cases[] = {
      {3, 2, 4, 5, 2, 0}, {3, 2, 4, 5, 1, 0}, {3, 2, 4, 5, 4, 0},
      {2, 3, 3, 2, 2, 1}, {2, 3, 3, 2, 3, 1}, {1, 1, 3, 4, 2, 2},
  };
  uint64_t seed = 1600;
  for (const Case &cs : cases) {
    const std::string tag =
        "kpsvd [" + std::to_string(cs.m1) + "," + std::to_string(cs.n1) +
        "]x[" + std::to_string(cs.m2) + "," + std::to_string(cs.n2) + "] k" +
        std::to_string(cs.k);
    const int64_t rows = cs.m1 * cs.m2, cols = cs.n1 * cs.n2, k = cs.k;
    std::vector<double> w(size_t(rows * cols), 0.0);
    if (cs.kind == 1) {
      for (int t = 0; t < 2; ++t) {
        std::vector<double> x = gaussian(cs.m1 * cs.n1, seed + 10 + t),
                            y = gaussian(cs.m2 * cs.n2, seed + 20 + t);
        for (int64_t i1 = 0; i1 < cs.m1; ++i1)
          for (int64_t j1 = 0; j1 < cs.n1; ++j1)
            for (int64_t i2 = 0; i2 < cs.m2; ++i2)
              for (int64_t j2 = 0; j2 < cs.n2; ++j2)
                w[size_t((i1 * cs.m2 + i2) * cols + j1 * cs.n2 + j2)] +=
                    x[size_t(i1 * cs.n1 + j1)] * y[size_t(i2 * cs.n2 + j2)];
      }
    } else {
      w = gaussian(rows * cols, seed);
    }
    seed += 50;
    // Padded / permuted layouts: base with padded rows, A column-major inside
    // each term, B with padded rows and terms.
    Strided base({rows, cols}, {cols + 2, 1}, 3),
        a({k, cs.m1, cs.n1}, {cs.m1 * cs.n1 + 1, 1, cs.m1}, 2),
        b({k, cs.m2, cs.n2}, {cs.m2 * (cs.n2 + 1) + 3, cs.n2 + 1, 1}, 1);
    base.set(w);
    const std::vector<float> w0 = base.values();
    const std::vector<double> sigma =
        jacobiSigma(rearrange(w0, cs.m1, cs.n1, cs.m2, cs.n2), cs.m1 * cs.n1,
                    cs.m2 * cs.n2);
    wlgen_memref2d rw = base.ref2();
    wlgen_memref3d ra = a.ref3(), rb = b.ref3();
    _mlir_ciface_wlrt_kpsvd_split(&rw, &ra, &rb);
    EXPECT_TRUE(base.sentinelsIntact() && a.sentinelsIntact() &&
                b.sentinelsIntact())
        << tag;
    const std::vector<float> res = base.values(), av = a.values(),
                             bv = b.values();
    // P = Σ_t A_t ⊗ B_t (row-major Kronecker), from the stored floats.
    std::vector<double> p(w0.size(), 0.0), absTerms(w0.size(), 0.0);
    for (int64_t t = 0; t < k; ++t)
      for (int64_t i1 = 0; i1 < cs.m1; ++i1)
        for (int64_t j1 = 0; j1 < cs.n1; ++j1)
          for (int64_t i2 = 0; i2 < cs.m2; ++i2)
            for (int64_t j2 = 0; j2 < cs.n2; ++j2) {
              const double x =
                  double(av[size_t((t * cs.m1 + i1) * cs.n1 + j1)]) *
                  double(bv[size_t((t * cs.m2 + i2) * cs.n2 + j2)]);
              const size_t at =
                  size_t((i1 * cs.m2 + i2) * cols + j1 * cs.n2 + j2);
              p[at] += x;
              absTerms[at] += std::fabs(x);
            }
    checkExact(w0, res, p, absTerms, tag);
    // Optimal: ‖W0 − Σ A_t ⊗ B_t‖_F = sqrt(Σ_{t≥k} σ_t(R)²) (Eckart–Young on
    // R).
    const size_t kk = std::min(size_t(k), sigma.size());
    const double err = frobDiff(w0, p), tail = tailNorm(sigma, kk);
    EXPECT_TRUE(std::fabs(err - tail) <= 1e-5 * sigma[0])
        << tag + ": error " + std::to_string(err) + " vs tail " +
               std::to_string(tail) + " of " + sigmaText(sigma);
    if (cs.kind != 0) {
      EXPECT_TRUE(err <= 1e-5 * sigma[0])
          << tag + ": exact Kronecker sum not recovered";
    }
    // Balanced: ‖A_t‖_F² = ‖B_t‖_F² = σ_t (0 past the rank of R).
    bool bal = true;
    for (int64_t t = 0; t < k; ++t) {
      double na = 0, nb = 0;
      for (int64_t e = 0; e < cs.m1 * cs.n1; ++e)
        na += double(av[size_t(t * cs.m1 * cs.n1 + e)]) *
              av[size_t(t * cs.m1 * cs.n1 + e)];
      for (int64_t e = 0; e < cs.m2 * cs.n2; ++e)
        nb += double(bv[size_t(t * cs.m2 * cs.n2 + e)]) *
              bv[size_t(t * cs.m2 * cs.n2 + e)];
      const double want = size_t(t) < sigma.size() ? sigma[size_t(t)] : 0.0;
      bal &= std::fabs(na - want) <= 1e-5 * sigma[0] &&
             std::fabs(nb - want) <= 1e-5 * sigma[0];
    }
    EXPECT_TRUE(bal) << tag + ": term norms";
  }
  // Failures: base unchanged, B = 0, A kept.
  {
    Strided base({6, 6}, {6, 1}, 0), a({2, 2, 3}, {6, 3, 1}, 0),
        b({2, 3, 2}, {6, 2, 1}, 0), b3({3, 3, 2}, {6, 2, 1}, 0);
    std::vector<double> w = gaussian(36, 1700);
    w[20] = std::numeric_limits<double>::quiet_NaN();
    base.set(w);
    a.set(gaussian(12, 1701));
    b.set(gaussian(12, 1702));
    b3.set(gaussian(18, 1703));
    const std::vector<float> w0 = base.values(), a0 = a.values();
    wlgen_memref2d rw = base.ref2();
    wlgen_memref3d ra = a.ref3(), rb = b.ref3(), rb3 = b3.ref3();
    _mlir_ciface_wlrt_kpsvd_split(&rw, &ra, &rb);
    EXPECT_TRUE(sameBits(base.values(), w0) && allZero(b.values()) &&
                sameBits(a.values(), a0));
    base.set(gaussian(36, 1704));
    const std::vector<float> w1 = base.values();
    _mlir_ciface_wlrt_kpsvd_split(&rw, &ra, &rb3); // 3 terms of B, 2 of A
    EXPECT_TRUE(sameBits(base.values(), w1) && allZero(b3.values()) &&
                sameBits(a.values(), a0));
    Strided bWrong({2, 2, 2}, {4, 2, 1}, 0); // [2·2, 3·2] is not 6x6
    bWrong.set(gaussian(8, 1705));
    wlgen_memref3d rbw = bWrong.ref3();
    _mlir_ciface_wlrt_kpsvd_split(&rw, &ra, &rbw);
    EXPECT_TRUE(sameBits(base.values(), w1) && allZero(bWrong.values()));
  }
  _mlir_ciface_wlrt_kpsvd_split(nullptr, nullptr, nullptr);
}
