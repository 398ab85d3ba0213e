//===- Linalg.cpp - SVD-based routines generated code may call
//-------------===//
//
// _mlir_ciface_wlrt_{svd_clip,rank_project,gram_bound,solve} (wl/wlgen.h): the
// constraint projections that need a singular value decomposition, the sound
// Gram-iteration bound of Certificate.cpp for generated code, and the LU solve
// of the Cayley map; _mlir_ciface_wlrt_{pissa,svfit,kpsvd,sorsa,loldu}_split:
// the creation-time initialisers that re-split a frozen base into a residual
// and SVD-derived factors. The SVD is LAPACK's dgesdd (dgesvd when dgesdd does
// not converge), called through the Fortran ABI declared below (no LAPACKE), in
// float64. Generated libraries must therefore link LAPACK (`-llapack`;
// runtime/README.md).
//
// These are internal symbols: hidden (the runtime is compiled with
// -fvisibility=hidden), resolved at static link time against model.o, and
// never exported (the version script exports wl_* only). None of them may let
// an exception escape into the generated code.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "Model.h"
#include "wl/wlgen.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

// LAPACK, Fortran ABI (LP64: INTEGER is int), hidden character lengths last.
extern "C" {
void dgesdd_(const char *jobz, const int *m, const int *n, double *a,
             const int *lda, double *s, double *u, const int *ldu, double *vt,
             const int *ldvt, double *work, const int *lwork, int *iwork,
             int *info, size_t jobzLen);
void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n,
             double *a, const int *lda, double *s, double *u, const int *ldu,
             double *vt, const int *ldvt, double *work, const int *lwork,
             int *info, size_t jobuLen, size_t jobvtLen);
void sgetrf_(const int *m, const int *n, float *a, const int *lda, int *ipiv,
             int *info);
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv,
             int *info);
// BLAS: the triangular solves of wlrt_solve (from the right, see solveInPlace).
void strsm_(const char *side, const char *uplo, const char *transa,
            const char *diag, const int *m, const int *n, const float *alpha,
            const float *a, const int *lda, float *b, const int *ldb,
            size_t sideLen, size_t uploLen, size_t transaLen, size_t diagLen);
}

namespace wlrt {

namespace {

/// A 2-D strided float view of a memref descriptor: element (i, j) is
/// aligned[offset + i·strides[0] + j·strides[1]].
struct View {
  float *base = nullptr;
  int64_t rows = 0, cols = 0, s0 = 0, s1 = 0;
  float &at(int64_t i, int64_t j) const { return base[i * s0 + j * s1]; }
  bool contiguous() const { return s1 == 1 && (s0 == cols || rows == 1); }
};

/// False for a NULL or empty descriptor (nothing to do).
bool viewOf(const wlgen_memref2d *w, View &v) {
  if (!w || !w->aligned || w->sizes[0] <= 0 || w->sizes[1] <= 0)
    return false;
  v.base = static_cast<float *>(w->aligned) + w->offset;
  v.rows = w->sizes[0];
  v.cols = w->sizes[1];
  v.s0 = w->strides[0];
  v.s1 = w->strides[1];
  return true;
}

/// A = Wᵀ in column-major order with leading dimension cols, i.e. W's
/// elements in row-major order, as double. False if W has a non-finite entry.
bool loadColMajorT(const View &v, std::vector<double> &a) {
  a.resize(size_t(v.rows * v.cols));
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j) {
      double x = double(v.at(i, j));
      if (!std::isfinite(x))
        return false;
      a[size_t(i * v.cols + j)] = x;
    }
  return true;
}

/// Inverse of loadColMajorT, rounding to float.
void storeColMajorT(const std::vector<double> &a, const View &v) {
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j)
      v.at(i, j) = float(a[size_t(i * v.cols + j)]);
}

/// The thin SVD A = U diag(s) VT of the column-major m×n matrix A (lda = m):
/// s descending (k = min(m, n)), U m×k (ldu = m), VT k×n (ldvt = k). A is
/// left intact. False when LAPACK fails (or the sizes exceed its int range).
bool thinSvd(const std::vector<double> &a, int64_t m64, int64_t n64,
             std::vector<double> &s, std::vector<double> &u,
             std::vector<double> &vt) {
  if (m64 > INT_MAX || n64 > INT_MAX)
    return false;
  const int m = int(m64), n = int(n64), k = std::min(m, n),
            ldvt = std::max(k, 1);
  s.assign(size_t(k), 0.0);
  u.assign(size_t(m64) * size_t(k), 0.0);
  vt.assign(size_t(k) * size_t(n64), 0.0);
  std::vector<double> work(1), copy;
  int info = 0, lwork = -1;
  const char jobS = 'S';

  // dgesdd (divide and conquer): fast, accurate.
  const int64_t mn = k, mx = std::max(m, n);
  const int64_t minWork = std::max<int64_t>(
      4 * mn * mn + 7 * mn, 3 * mn + std::max(mx, 4 * mn * mn + 4 * mn));
  if (minWork <= INT_MAX) {
    std::vector<int> iwork(size_t(8 * mn));
    copy = a;
    dgesdd_(&jobS, &m, &n, copy.data(), &m, s.data(), u.data(), &m, vt.data(),
            &ldvt, work.data(), &lwork, iwork.data(), &info, 1);
    if (info == 0) {
      double want = std::max(std::ceil(work[0]), double(minWork));
      if (want <= double(INT_MAX)) {
        lwork = int(want);
        work.assign(size_t(lwork), 0.0);
        dgesdd_(&jobS, &m, &n, copy.data(), &m, s.data(), u.data(), &m,
                vt.data(), &ldvt, work.data(), &lwork, iwork.data(), &info, 1);
        if (info == 0)
          return true;
      }
    }
  }

  // dgesvd (QR iteration): the fallback when dgesdd fails to converge.
  copy = a;
  lwork = -1;
  work.assign(1, 0.0);
  info = 0;
  dgesvd_(&jobS, &jobS, &m, &n, copy.data(), &m, s.data(), u.data(), &m,
          vt.data(), &ldvt, work.data(), &lwork, &info, 1, 1);
  if (info != 0)
    return false;
  const double want =
      std::max({std::ceil(work[0]), double(3 * mn + mx), double(5 * mn), 1.0});
  if (want > double(INT_MAX))
    return false;
  lwork = int(want);
  work.assign(size_t(lwork), 0.0);
  dgesvd_(&jobS, &jobS, &m, &n, copy.data(), &m, s.data(), u.data(), &m,
          vt.data(), &ldvt, work.data(), &lwork, &info, 1, 1);
  return info == 0;
}

/// a -= Σ_{i in [from, to)} d[i] · U[:, i] VT[i, :] (column-major m×n, U m×k,
/// VT k×n).
void subtractRankOnes(std::vector<double> &a, int64_t m, int64_t n, int64_t k,
                      const std::vector<double> &u,
                      const std::vector<double> &vt,
                      const std::vector<double> &d, int64_t from, int64_t to) {
  for (int64_t b = 0; b < n; ++b) {
    double *col = a.data() + b * m;
    for (int64_t i = from; i < to; ++i) {
      const double coef = d[size_t(i)] * vt[size_t(i + b * k)];
      if (coef == 0.0)
        continue;
      const double *ui = u.data() + i * m;
      for (int64_t r = 0; r < m; ++r)
        col[r] -= ui[r] * coef;
    }
  }
}

/// The fallback of svdClip when no SVD is available: W *= c/‖W‖_F if
/// ‖W‖_F > c. Since σ_max <= ‖W‖_F, the result is in the constraint set
/// (up to float rounding), though not the nearest point. Allocates nothing.
/// ‖V‖_F, summed in double.
double frobeniusNorm(const View &v) {
  double ss = 0;
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j) {
      double x = double(v.at(i, j));
      ss += x * x;
    }
  return std::sqrt(ss);
}

/// V ← V·scale in place.
void scaleInPlace(const View &v, double scale) {
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j)
      v.at(i, j) = float(double(v.at(i, j)) * scale);
}

void frobeniusClip(const View &v, double c) {
  const double f = frobeniusNorm(v);
  if (!std::isfinite(f) || f <= c)
    return;
  scaleInPlace(v, c / f);
}

void svdClip(const View &v, double c) {
  // Wᵀ as a column-major cols×rows matrix A = U S VT; W = Aᵀ has the same
  // singular values, and modifying them on A modifies them on W.
  std::vector<double> a, s, u, vt;
  if (!loadColMajorT(v, a))
    return; // non-finite weights stay as they are (the certificate reports
            // them)
  const int64_t m = v.cols, n = v.rows, k = std::min(m, n);
  if (!thinSvd(a, m, n, s, u, vt)) {
    frobeniusClip(v, c);
    return;
  }
  if (s.empty() || s[0] <= c)
    return; // already in the set: keep W bit for bit (the projection is
            // idempotent)
  // W' = W − Σ_{s_i > c} (s_i − c) u_i v_iᵀ: only the clipped directions
  // change, so the others keep W's own rounding.
  int64_t clipped = 0;
  std::vector<double> d(size_t(k), 0.0);
  while (clipped < k && s[size_t(clipped)] > c) {
    d[size_t(clipped)] = s[size_t(clipped)] - c;
    ++clipped;
  }
  subtractRankOnes(a, m, n, k, u, vt, d, 0, clipped);
  storeColMajorT(a, v);
}

void rankProject(const View &v, int64_t r) {
  const int64_t k = std::min(v.rows, v.cols);
  if (r >= k)
    return; // every matrix has rank <= min(rows, cols)
  if (r <= 0) {
    for (int64_t i = 0; i < v.rows; ++i)
      for (int64_t j = 0; j < v.cols; ++j)
        v.at(i, j) = 0.0f;
    return;
  }
  std::vector<double> a, s, u, vt;
  if (!loadColMajorT(v, a))
    return;
  const int64_t m = v.cols, n = v.rows;
  if (!thinSvd(a, m, n, s, u, vt))
    return; // no SVD (LAPACK failure or out of memory): W unchanged
  // W' = Σ_{i < r} s_i u_i v_iᵀ (Eckart–Young), accumulated from zero.
  std::fill(a.begin(), a.end(), 0.0);
  std::vector<double> neg(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i)
    neg[size_t(i)] = -s[size_t(i)];
  subtractRankOnes(a, m, n, k, u, vt, neg, 0, r);
  storeColMajorT(a, v);
}

/// gramSpectralBound of the view, rounded up to float. NaN for a non-finite
/// entry, 0 for an empty matrix.
float gramBoundUp(const View &v) {
  double b;
  if (v.contiguous()) {
    b = gramSpectralBound(v.base, v.rows, v.cols);
  } else {
    std::vector<float> w(size_t(v.rows * v.cols));
    for (int64_t i = 0; i < v.rows; ++i)
      for (int64_t j = 0; j < v.cols; ++j)
        w[size_t(i * v.cols + j)] = v.at(i, j);
    b = gramSpectralBound(w.data(), v.rows, v.cols);
  }
  if (std::isnan(b))
    return std::numeric_limits<float>::quiet_NaN();
  float f = float(b); // round to nearest (inf above FLT_MAX)
  if (double(f) < b)
    f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

/// The LU factors of a square matrix A given row-major, i.e. of M = Aᵀ as
/// LAPACK (column-major) reads the same bytes: M = P L U (sgetrf; info != 0:
/// singular).
struct LuFactors {
  std::vector<float> lu;
  std::vector<int> pivots;
  int info = -1;
};

LuFactors factorsOf(const View &a) {
  const int64_t n = a.rows;
  LuFactors f;
  f.lu.resize(size_t(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      f.lu[size_t(i * n + j)] = a.at(i, j);
  f.pivots.assign(size_t(n), 0);
  int ni = int(n);
  sgetrf_(&ni, &ni, f.lu.data(), &ni, f.pivots.data(), &f.info);
  return f;
}

/// Swaps columns i and pivots[i] - 1 of the column-major [k, n] matrix y, for
/// i = 0, 1, … (y ← y·P with M = P L U) or, `reverse`, i = n − 1, …, 0
/// (y ← y·Pᵀ).
void swapColumns(std::vector<float> &y, int64_t k, const std::vector<int> &pivots,
                 bool reverse) {
  const int64_t n = int64_t(pivots.size());
  for (int64_t step = 0; step < n; ++step) {
    int64_t i = reverse ? n - 1 - step : step, j = pivots[size_t(i)] - 1;
    if (j != i)
      std::swap_ranges(y.begin() + i * k, y.begin() + (i + 1) * k,
                       y.begin() + j * k);
  }
}

/// B ← A⁻¹B (A⁻ᵀB when `transpose`) by LU with partial pivoting (sgetrf, then
/// two strsm) in float: the Cayley map's A = I − X/2 (X skew) has all singular
/// values ≥ 1, so float is accurate there. A singular A gives B = NaN. Row-major
/// data read column-major is the transpose, so with M = Aᵀ = P L U and
/// Y = Xᵀ (the row-major X read column-major, [k, n]) the solve is from the
/// right and no operand is transposed in memory: X = A⁻¹B is Y M = Bᵀ, and
/// X = A⁻ᵀB is Y Mᵀ = Bᵀ.
void solveInPlace(const View &a, const View &b, bool transpose) {
  const int64_t n = a.rows, k = b.cols;
  if (a.cols != n || b.rows != n || n > INT_MAX || k > INT_MAX)
    throw std::invalid_argument("wlrt_solve: shapes do not match");
  const LuFactors f = factorsOf(a);
  std::vector<float> y(size_t(n * k)); // Bᵀ, then Xᵀ: column-major [k, n]
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      y[size_t(i * k + j)] = b.at(i, j);
  if (f.info == 0) {
    int ni = int(n), ki = int(k);
    const float one = 1;
    auto trsm = [&](char uplo, char trans, char diag) {
      strsm_("R", &uplo, &trans, &diag, &ki, &ni, &one, f.lu.data(), &ni,
             y.data(), &ki, 1, 1, 1, 1);
    };
    if (!transpose) { // Y P L U = Bᵀ: Y P = Bᵀ U⁻¹ L⁻¹
      trsm('U', 'N', 'N');
      trsm('L', 'N', 'U');
      swapColumns(y, k, f.pivots, /*reverse=*/true);
    } else { // Y Uᵀ Lᵀ = Bᵀ P
      swapColumns(y, k, f.pivots, /*reverse=*/false);
      trsm('L', 'T', 'U');
      trsm('U', 'T', 'N');
    }
  }
  const float fill = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      b.at(i, j) = f.info == 0 ? y[size_t(i * k + j)] : fill;
}

//===----------------------------------------------------------------------===//
// Re-splitting initialisers (PiSSA, SVFit, KPSVD): W0 = residual + factors.
//
// Each computes an SVD of the (possibly rearranged) base in float64, rounds
// the factors to float, and then forms the residual from the floats actually
// stored: W_res = fl32(W0 − P) with P the exact product of the stored
// factors, the subtraction done in double (every product of two floats is
// exact in double). So W_res + P reproduces W0 up to the one rounding of the
// residual to float: |W_res + P − W0| ≤ 2⁻²⁴·|W_res| + (t + 2)·2⁻⁵³·(|W0| +
// Σ|terms|) entrywise, t the number of terms. On failure (mismatched shapes,
// a non-finite entry in W0, no SVD, out of memory) the "multiplier" factor
// (PiSSA's B, SVFit's s, KPSVD's B) is zeroed and the others are kept (zeroed
// too when they hold a non-finite entry), and the base is not touched, so
// base + factors is still exactly W0.

/// A possibly empty 1-D/2-D/3-D strided float view; false for NULL
/// descriptors, negative sizes, or a NULL pointer with elements.
struct View1 {
  float *base = nullptr;
  int64_t n = 0, s0 = 0;
  float &at(int64_t i) const { return base[i * s0]; }
};
struct View3 {
  float *base = nullptr;
  int64_t n0 = 0, n1 = 0, n2 = 0, s0 = 0, s1 = 0, s2 = 0;
  float &at(int64_t i, int64_t j, int64_t k) const {
    return base[i * s0 + j * s1 + k * s2];
  }
  int64_t numel() const { return n0 * n1 * n2; }
};

bool anyView(const wlgen_memref1d *d, View1 &v) {
  if (!d || d->sizes[0] < 0 || (d->sizes[0] > 0 && !d->aligned))
    return false;
  v.base = d->aligned ? static_cast<float *>(d->aligned) + d->offset : nullptr;
  v.n = d->sizes[0];
  v.s0 = d->strides[0];
  return true;
}

bool anyView(const wlgen_memref2d *d, View &v) {
  if (!d || d->sizes[0] < 0 || d->sizes[1] < 0 ||
      (d->sizes[0] > 0 && d->sizes[1] > 0 && !d->aligned))
    return false;
  v.base = d->aligned ? static_cast<float *>(d->aligned) + d->offset : nullptr;
  v.rows = d->sizes[0];
  v.cols = d->sizes[1];
  v.s0 = d->strides[0];
  v.s1 = d->strides[1];
  return true;
}

bool anyView(const wlgen_memref3d *d, View3 &v) {
  if (!d || d->sizes[0] < 0 || d->sizes[1] < 0 || d->sizes[2] < 0 ||
      (d->sizes[0] > 0 && d->sizes[1] > 0 && d->sizes[2] > 0 && !d->aligned))
    return false;
  v.base = d->aligned ? static_cast<float *>(d->aligned) + d->offset : nullptr;
  v.n0 = d->sizes[0];
  v.n1 = d->sizes[1];
  v.n2 = d->sizes[2];
  v.s0 = d->strides[0];
  v.s1 = d->strides[1];
  v.s2 = d->strides[2];
  return true;
}

// Zero a view / test it for non-finite entries (empty views: nothing to do).
void zero(const View1 &v) {
  for (int64_t i = 0; i < v.n; ++i)
    v.at(i) = 0.0f;
}
void zero(const View &v) {
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j)
      v.at(i, j) = 0.0f;
}
void zero(const View3 &v) {
  for (int64_t i = 0; i < v.n0; ++i)
    for (int64_t j = 0; j < v.n1; ++j)
      for (int64_t k = 0; k < v.n2; ++k)
        v.at(i, j, k) = 0.0f;
}
bool finite(const View &v) {
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j)
      if (!std::isfinite(v.at(i, j)))
        return false;
  return true;
}
bool finite(const View3 &v) {
  for (int64_t i = 0; i < v.n0; ++i)
    for (int64_t j = 0; j < v.n1; ++j)
      for (int64_t k = 0; k < v.n2; ++k)
        if (!std::isfinite(v.at(i, j, k)))
          return false;
  return true;
}
/// The top singular triplets of the column-major m×n matrix `a` (lda = m)
/// with a sign convention: each left vector's entry of largest magnitude (the
/// first such) is positive. s descending (k = min(m, n)), U m×k (column j at
/// j·m), VT k×n (ldvt = k). False when LAPACK fails.
bool signedSvd(const std::vector<double> &a, int64_t m, int64_t n,
               std::vector<double> &s, std::vector<double> &u,
               std::vector<double> &vt) {
  if (!thinSvd(a, m, n, s, u, vt))
    return false;
  const int64_t k = std::min(m, n);
  for (int64_t j = 0; j < k; ++j) {
    double *uj = u.data() + j * m;
    int64_t arg = 0;
    for (int64_t i = 1; i < m; ++i)
      if (std::fabs(uj[i]) > std::fabs(uj[arg]))
        arg = i;
    if (uj[arg] < 0) {
      for (int64_t i = 0; i < m; ++i)
        uj[i] = -uj[i];
      for (int64_t c = 0; c < n; ++c)
        vt[size_t(j + c * k)] = -vt[size_t(j + c * k)];
    }
  }
  for (double &x : s)
    x = std::max(x, 0.0);
  return true;
}

/// W's entries as the column-major rows×cols matrix (lda = rows), as double;
/// false if one is non-finite.
bool loadColMajor(const View &v, std::vector<double> &a) {
  a.resize(size_t(v.rows * v.cols));
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j) {
      const double x = double(v.at(i, j));
      if (!std::isfinite(x))
        return false;
      a[size_t(i + j * v.rows)] = x;
    }
  return true;
}

/// The balanced factors of the top `terms` singular triplets of an m×n
/// matrix (signedSvd's column-major U [m, k], row-major-by-column Vᵀ [k, n],
/// k = min(m, n)): L[:, t] = fl(√σ_t u_t), R[t, :] = fl(√σ_t v_tᵀ), rounded to
/// float and kept as (exact) doubles, laid out as subtractProducts wants; zero
/// beyond k. PiSSA's B·A and KPSVD's vec(A_t) vec(B_t)ᵀ.
void balancedFactors(const std::vector<double> &s, const std::vector<double> &u,
                     const std::vector<double> &vt, int64_t m, int64_t n,
                     int64_t terms, std::vector<double> &l,
                     std::vector<double> &r) {
  const int64_t k = std::min(m, n);
  l.assign(size_t(m * terms), 0.0);
  r.assign(size_t(terms * n), 0.0);
  for (int64_t t = 0; t < std::min(terms, k); ++t) {
    const double root = std::sqrt(s[size_t(t)]);
    for (int64_t i = 0; i < m; ++i)
      l[size_t(i + t * m)] = double(float(u[size_t(i + t * m)] * root));
    for (int64_t c = 0; c < n; ++c)
      r[size_t(t + c * terms)] = double(float(root * vt[size_t(t + c * k)]));
  }
}

/// res (column-major m×n) −= Σ_{t<terms} L[:, t] R[t, :], with L m×terms
/// (column t at t·m) and R terms×n (R[t, c] at t + c·terms), natural order.
void subtractProducts(std::vector<double> &res, int64_t m, int64_t n,
                      int64_t terms, const std::vector<double> &l,
                      const std::vector<double> &r) {
  for (int64_t c = 0; c < n; ++c) {
    double *col = res.data() + c * m;
    for (int64_t t = 0; t < terms; ++t) {
      const double coef = r[size_t(t + c * terms)];
      if (coef == 0.0)
        continue;
      const double *lt = l.data() + t * m;
      for (int64_t i = 0; i < m; ++i)
        col[i] -= lt[i] * coef;
    }
  }
}

/// ‖U‖_F·‖V‖_F ≥ σ(U Vᵀ): both scaled by √(c/that) when it exceeds c (the
/// sound fallback of productClip without an SVD).
void productFrobeniusClip(const View &u, const View &v, double c) {
  const double f = frobeniusNorm(u) * frobeniusNorm(v);
  if (!std::isfinite(f) || f <= c)
    return;
  scaleInPlace(u, std::sqrt(c / f));
  scaleInPlace(v, std::sqrt(c / f));
}

/// The SVD of a product U diag(d) Vᵀ (d = 1 when empty) for U [m, r], V
/// [n, r], without forming it: with the thin SVDs U = P_u S_u Q_uᵀ and
/// V = P_v S_v Q_vᵀ, the product is P_u K P_vᵀ for the small core
/// K = S_u Q_uᵀ diag(d) Q_v S_v, whose SVD K = X S Yᵀ gives its singular
/// values S and vectors P_u X, P_v Y. O((m + n)·r²).
struct ProductSvd {
  std::vector<double> pu, pv; ///< column-major [m, ku], [n, kv]
  std::vector<double> s, x, yt; ///< the core's: S [k], X [ku, k], Yᵀ [k, kv]
  int64_t ku = 0, kv = 0;

  /// False when a factor has a non-finite entry or LAPACK fails.
  bool compute(const View &u, const View1 *d, const View &v) {
    std::vector<double> a, su, qut, sv, qvt;
    if (!loadColMajor(u, a) || !thinSvd(a, u.rows, u.cols, su, pu, qut) ||
        !loadColMajor(v, a) || !thinSvd(a, v.rows, v.cols, sv, pv, qvt))
      return false;
    const int64_t r = u.cols;
    ku = int64_t(su.size());
    kv = int64_t(sv.size());
    std::vector<double> core(size_t(ku * kv), 0.0);
    for (int64_t j = 0; j < kv; ++j)
      for (int64_t i = 0; i < ku; ++i) {
        double dot = 0;
        for (int64_t t = 0; t < r; ++t)
          dot += qut[size_t(i + t * ku)] * (d ? double(d->at(t)) : 1.0) *
                 qvt[size_t(j + t * kv)];
        core[size_t(i + j * ku)] = su[size_t(i)] * sv[size_t(j)] * dot;
      }
    return thinSvd(core, ku, kv, s, x, yt);
  }

  /// Column j < r of U' = P_u X diag(w) and V' = P_v Y diag(w) for the
  /// weights w_j = weight(s_j), written into u and v; zero beyond the core's
  /// rank. Each column is a sum of P's columns (contiguous, column-major).
  template <typename Weight>
  void rebuild(const View &u, const View &v, Weight weight) const {
    const int64_t k = int64_t(s.size());
    auto columns = [&](const View &out, const std::vector<double> &p,
                       int64_t kp, auto coefficient) {
      std::vector<double> column(static_cast<size_t>(out.rows));
      for (int64_t j = 0; j < out.cols; ++j) {
        std::fill(column.begin(), column.end(), 0.0);
        for (int64_t i = 0; j < k && i < kp; ++i) {
          const double f = coefficient(i, j) * weight(s[size_t(j)]);
          const double *pi = p.data() + i * out.rows;
          for (int64_t row = 0; row < out.rows; ++row)
            column[size_t(row)] += pi[row] * f;
        }
        for (int64_t row = 0; row < out.rows; ++row)
          out.at(row, j) = float(column[size_t(row)]);
      }
    };
    columns(u, pu, ku,
            [&](int64_t i, int64_t j) { return x[size_t(i + j * ku)]; });
    columns(v, pv, kv,
            [&](int64_t i, int64_t j) { return yt[size_t(j + i * k)]; });
  }
};

/// σ(U Vᵀ) ≤ c for U [m, r], V [n, r], without forming U Vᵀ (ProductSvd).
/// When the product's singular values S exceed c the factors become the
/// balanced U = P_u X √min(S, c), V = P_v Y √min(S, c); otherwise they stay
/// bit for bit.
void productClip(const View &u, const View &v, double c) {
  // σ(U Vᵀ) ≤ ‖U‖_F‖V‖_F: well inside the set there is nothing to clip, and
  // the SVDs are skipped.
  const double f = frobeniusNorm(u) * frobeniusNorm(v);
  if (std::isfinite(f) && f <= c)
    return;
  ProductSvd svd;
  if (!svd.compute(u, nullptr, v))
    return productFrobeniusClip(u, v, c);
  if (svd.s.empty() || svd.s[0] <= c)
    return; // already in the set: keep the factors bit for bit
  svd.rebuild(u, v, [c](double s) { return std::sqrt(std::min(s, c)); });
}

/// ‖U‖_F·max|d|·‖V‖_F ≥ σ(U diag(d) Vᵀ): d scaled by c/that when it
/// exceeds c (the sound fallback of diagProductClip without an SVD).
void diagFrobeniusClip(const View &u, const View1 &d, const View &v, double c) {
  double dmax = 0;
  for (int64_t t = 0; t < d.n; ++t)
    dmax = std::max(dmax, std::fabs(double(d.at(t))));
  const double f = frobeniusNorm(u) * dmax * frobeniusNorm(v);
  if (!std::isfinite(f) || f <= c)
    return;
  for (int64_t t = 0; t < d.n; ++t)
    d.at(t) = float(double(d.at(t)) * (c / f));
}

/// σ(U diag(d) Vᵀ) ≤ c for U [m, r], d [r], V [n, r] (sorsa's B, S, Aᵀ;
/// loldu's (PL)_r, z, U_rᵀ), W never formed (ProductSvd). When the
/// product's σ_max exceeds c: `fixed` (U and V frozen) scales d by
/// c/σ_max; otherwise the factors become U = P_u X, d = min(S, c),
/// V = P_v Y, the nearest point in the set (the clipped SVD). Otherwise
/// they stay bit for bit.
void diagProductClip(const View &u, const View1 &d, const View &v, double c,
                     bool fixed) {
  double dmax = 0;
  for (int64_t t = 0; t < d.n; ++t)
    dmax = std::max(dmax, std::fabs(double(d.at(t))));
  // σ(U diag(d) Vᵀ) ≤ ‖U‖_F max|d| ‖V‖_F: nothing to clip.
  const double f = frobeniusNorm(u) * dmax * frobeniusNorm(v);
  if (std::isfinite(f) && f <= c)
    return;
  ProductSvd svd;
  if (!svd.compute(u, &d, v))
    return diagFrobeniusClip(u, d, v, c);
  if (svd.s.empty() || svd.s[0] <= c)
    return;
  if (fixed) {
    for (int64_t t = 0; t < d.n; ++t)
      d.at(t) = float(double(d.at(t)) * (c / svd.s[0]));
    return;
  }
  svd.rebuild(u, v, [](double) { return 1.0; });
  const int64_t k = int64_t(svd.s.size());
  for (int64_t t = 0; t < d.n; ++t)
    d.at(t) = t < k ? float(std::min(svd.s[size_t(t)], c)) : 0.0f;
}

/// bone(mode = bat): the term's row block i is M_i (I ⊗ B_i) for B [ni, r,
/// r] and M = base + (1ᵀ ⊗ I) (base [ni·r, nj·r]), so σ(ΔW)² ≤ Σ_i σ(M_i)²
/// σ(B_i)² =: β² (each block row's norm, the sum of their squares). With
/// sound Gram bounds of every M_i and B_i, every B_i is scaled by c/β when
/// β > c. O(r·OUT·IN) per call. A non-finite entry leaves B unchanged (the
/// step guard reports it).
void rowBlockScale(const View &base, const View3 &b, double c) {
  const int64_t ni = b.n0, r = b.n1, in = base.cols;
  if (b.n2 != r || base.rows != ni * r || r == 0 || in % r != 0)
    return;
  std::vector<float> m(size_t(r * in));
  double beta2 = 0;
  for (int64_t i = 0; i < ni; ++i) {
    // M_i: the base's rows i·r .. i·r + r − 1, plus I on each r × r block.
    for (int64_t row = 0; row < r; ++row)
      for (int64_t col = 0; col < in; ++col)
        m[size_t(row * in + col)] = base.at(i * r + row, col) +
                                    (col % r == row ? 1.0f : 0.0f);
    const View mi{m.data(), r, in, in, 1};
    const View bi{&b.at(i, 0, 0), r, r, b.s1, b.s2};
    const double mb = double(gramBoundUp(mi)) * double(gramBoundUp(bi));
    beta2 += mb * mb;
  }
  // The sum and the root round to nearest: a relative 1e-6 keeps β above.
  const double beta = std::sqrt(beta2) * (1.0 + 1e-6);
  if (!std::isfinite(beta) || beta <= c)
    return;
  const double scale = c / beta;
  for (int64_t i = 0; i < ni; ++i)
    for (int64_t j = 0; j < r; ++j)
      for (int64_t k = 0; k < r; ++k)
        b.at(i, j, k) = float(double(b.at(i, j, k)) * scale);
}

/// PiSSA: W0 [OUT, IN] = W_res + B·A with B = U_r diag(√S_r) [OUT, r],
/// A = diag(√S_r) V_rᵀ [r, IN]. Returns false (nothing written) on failure.
bool pissaSplit(const View &w, const View &a, const View &b) {
  const int64_t out = w.rows, in = w.cols, r = a.rows;
  if (a.cols != in || b.rows != out || b.cols != r)
    return false;
  if (r == 0 || out == 0 || in == 0)
    return true; // B·A is empty or an empty sum: nothing to split
  std::vector<double> m0, s, u, vt;
  if (!loadColMajor(w, m0))
    return false;
  if (!signedSvd(m0, out, in, s, u, vt))
    return false;
  // The float factors, kept as (exact) doubles: B column-major [out, r], A [r,
  // in].
  std::vector<double> bf, af;
  balancedFactors(s, u, vt, out, in, r, bf, af);
  subtractProducts(m0, out, in, r, bf, af);
  for (int64_t i = 0; i < out; ++i)
    for (int64_t j = 0; j < r; ++j)
      b.at(i, j) = float(bf[size_t(i + j * out)]);
  for (int64_t j = 0; j < r; ++j)
    for (int64_t c = 0; c < in; ++c)
      a.at(j, c) = float(af[size_t(j + c * r)]);
  for (int64_t i = 0; i < out; ++i)
    for (int64_t c = 0; c < in; ++c)
      w.at(i, c) = float(m0[size_t(i + c * out)]);
  return true;
}

/// The top-r SVD split W0 = W_res + scale·U_r diag(s) V_rᵀ into u [OUT, r],
/// s [r], v [IN, r], W_res formed in double from the floats stored (so
/// W_res + scale·u diag(s) vᵀ is W0 to rounding). SVFit (scale 1) and SORSA
/// (B = u, S = s, A = vᵀ). Returns false (nothing written) on failure.
bool topSvdSplit(const View &w, const View &uo, const View1 &so, const View &vo,
                 double scale) {
  const int64_t out = w.rows, in = w.cols, r = so.n;
  if (uo.rows != out || uo.cols != r || vo.rows != in || vo.cols != r)
    return false;
  if (r == 0 || out == 0 || in == 0)
    return true;
  std::vector<double> m0, s, u, vt;
  if (!loadColMajor(w, m0))
    return false;
  if (!signedSvd(m0, out, in, s, u, vt))
    return false;
  const int64_t k = std::min(out, in);
  // L = scale·fl(U_r)·diag(fl(s)), R = fl(V_r)ᵀ.
  std::vector<float> uf(size_t(out * r)), sf(static_cast<size_t>(r)),
      vf(size_t(in * r));
  std::vector<double> l(size_t(out * r)), rt(size_t(r * in));
  for (int64_t j = 0; j < r; ++j) {
    sf[size_t(j)] = j < k ? float(s[size_t(j)]) : 0.0f;
    for (int64_t i = 0; i < out; ++i) {
      uf[size_t(i + j * out)] = j < k ? float(u[size_t(i + j * out)]) : 0.0f;
      l[size_t(i + j * out)] =
          scale * double(uf[size_t(i + j * out)]) * double(sf[size_t(j)]);
    }
    for (int64_t c = 0; c < in; ++c) {
      vf[size_t(c + j * in)] = j < k ? float(vt[size_t(j + c * k)]) : 0.0f;
      rt[size_t(j + c * r)] = double(vf[size_t(c + j * in)]);
    }
  }
  subtractProducts(m0, out, in, r, l, rt);
  for (int64_t j = 0; j < r; ++j) {
    so.at(j) = sf[size_t(j)];
    for (int64_t i = 0; i < out; ++i)
      uo.at(i, j) = uf[size_t(i + j * out)];
    for (int64_t c = 0; c < in; ++c)
      vo.at(c, j) = vf[size_t(c + j * in)];
  }
  for (int64_t i = 0; i < out; ++i)
    for (int64_t c = 0; c < in; ++c)
      w.at(i, c) = float(m0[size_t(i + c * out)]);
  return true;
}

/// A view of vᵀ (no copy).
View transposed(const View &v) {
  return View{v.base, v.cols, v.rows, v.s1, v.s0};
}

/// LoLDU: W0 [OUT, IN] = P L U by LU with partial pivoting (dgetrf, float64),
/// D = diag(U), U₁ = D⁻¹U; pl [OUT, r] = (P L)[:, :r], z [r] = D_r,
/// u [r, IN] = U₁[:r, :]; W_res = W0 − s·pl diag(z) u, formed in double from
/// the floats stored. Returns "" on success, else why (nothing written).
std::string lolduSplit(const View &w, const View &pl, const View1 &z,
                       const View &u, double s) {
  const int64_t out = w.rows, in = w.cols, r = z.n, k = std::min(out, in);
  if (pl.rows != out || pl.cols != r || u.rows != r || u.cols != in || r > k)
    return "mismatched shapes";
  if (r == 0)
    return "";
  std::vector<double> lu, m0;
  if (!loadColMajor(w, lu) || !loadColMajor(w, m0))
    return "the frozen base has a non-finite entry";
  double largest = 0;
  for (double x : m0)
    largest = std::max(largest, std::fabs(x));
  int m = int(out), n = int(in), info = 0;
  std::vector<int> pivots(static_cast<size_t>(k));
  dgetrf_(&m, &n, lu.data(), &m, pivots.data(), &info);
  if (info < 0)
    return "LAPACK dgetrf failed (argument " + std::to_string(-info) + ")";
  // A pivot at the base's float resolution is rounding noise, not a direction.
  const double tiny = double(std::max(out, in)) * 0x1p-24 * largest;
  for (int64_t i = 0; i < r; ++i) {
    const double d = lu[size_t(i + i * out)];
    if (!(std::fabs(d) > tiny))
      return "pivot " + std::to_string(i + 1) + " of the LU of the " +
             std::to_string(out) + "x" + std::to_string(in) +
             " frozen base is " +
             (d == 0 ? "zero" : "tiny (" + std::to_string(d) + ")") +
             ": rank = " + std::to_string(r) +
             " needs as many nonzero pivots; the base has fewer, use a smaller "
             "rank";
  }
  // (P L)_r: L's first r columns (unit lower), then the row interchanges
  // undone in reverse (A = P L U).
  std::vector<double> plr(size_t(out * r), 0.0);
  for (int64_t j = 0; j < r; ++j)
    for (int64_t i = j; i < out; ++i)
      plr[size_t(i + j * out)] = i == j ? 1.0 : lu[size_t(i + j * out)];
  for (int64_t i = k - 1; i >= 0; --i)
    if (int64_t p = pivots[size_t(i)] - 1; p != i)
      for (int64_t j = 0; j < r; ++j)
        std::swap(plr[size_t(i + j * out)], plr[size_t(p + j * out)]);
  // The floats stored, kept as doubles: l[:, t] = s·pl[:, t]·z[t], rt[t, :] =
  // u[t, :].
  std::vector<float> plf(size_t(out * r)), zf(static_cast<size_t>(r)),
      uf(size_t(r * in));
  std::vector<double> l(size_t(out * r)), rt(size_t(r * in));
  for (int64_t t = 0; t < r; ++t) {
    const double d = lu[size_t(t + t * out)];
    zf[size_t(t)] = float(d);
    for (int64_t i = 0; i < out; ++i) {
      plf[size_t(i + t * out)] = float(plr[size_t(i + t * out)]);
      l[size_t(i + t * out)] =
          s * double(plf[size_t(i + t * out)]) * double(zf[size_t(t)]);
    }
    for (int64_t c = 0; c < in; ++c) {
      uf[size_t(t + c * r)] = c < t ? 0.0f : float(lu[size_t(t + c * out)] / d);
      rt[size_t(t + c * r)] = double(uf[size_t(t + c * r)]);
    }
  }
  subtractProducts(m0, out, in, r, l, rt);
  for (int64_t t = 0; t < r; ++t) {
    z.at(t) = zf[size_t(t)];
    for (int64_t i = 0; i < out; ++i)
      pl.at(i, t) = plf[size_t(i + t * out)];
    for (int64_t c = 0; c < in; ++c)
      u.at(t, c) = uf[size_t(t + c * r)];
  }
  for (int64_t i = 0; i < out; ++i)
    for (int64_t c = 0; c < in; ++c)
      w.at(i, c) = float(m0[size_t(i + c * out)]);
  return "";
}

/// KPSVD (Van Loan–Pitsianis): W0 [m1·m2, n1·n2] = W_res + Σ_t A_t ⊗ B_t,
/// a [k, m1, n1], b [k, m2, n2], via the SVD of the rearrangement R
/// [(m1·n1), (m2·n2)], R[i1·n1 + j1, i2·n2 + j2] = W0[i1·m2 + i2, j1·n2 + j2].
bool kpsvdSplit(const View &w, const View3 &a, const View3 &b) {
  const int64_t terms = a.n0, m1 = a.n1, n1 = a.n2, m2 = b.n1, n2 = b.n2;
  if (b.n0 != terms || w.rows != m1 * m2 || w.cols != n1 * n2)
    return false;
  const int64_t rows = m1 * n1, cols = m2 * n2;
  if (terms == 0 || rows == 0 || cols == 0)
    return true;
  std::vector<double> rm(size_t(rows * cols));
  for (int64_t i1 = 0; i1 < m1; ++i1)
    for (int64_t i2 = 0; i2 < m2; ++i2)
      for (int64_t j1 = 0; j1 < n1; ++j1)
        for (int64_t j2 = 0; j2 < n2; ++j2) {
          const double x = double(w.at(i1 * m2 + i2, j1 * n2 + j2));
          if (!std::isfinite(x))
            return false;
          rm[size_t((i1 * n1 + j1) + (i2 * n2 + j2) * rows)] = x;
        }
  std::vector<double> s, u, vt;
  if (!signedSvd(rm, rows, cols, s, u, vt))
    return false;
  // vec(A_t) = fl(√σ_t u_t) (column t of L), vec(B_t) = fl(√σ_t v_t) (row t of
  // R).
  std::vector<double> l, rt;
  balancedFactors(s, u, vt, rows, cols, terms, l, rt);
  // R − Σ_t vec(A_t) vec(B_t)ᵀ is the rearrangement of W0 − Σ_t A_t ⊗ B_t.
  subtractProducts(rm, rows, cols, terms, l, rt);
  for (int64_t t = 0; t < terms; ++t) {
    for (int64_t i1 = 0; i1 < m1; ++i1)
      for (int64_t j1 = 0; j1 < n1; ++j1)
        a.at(t, i1, j1) = float(l[size_t((i1 * n1 + j1) + t * rows)]);
    for (int64_t i2 = 0; i2 < m2; ++i2)
      for (int64_t j2 = 0; j2 < n2; ++j2)
        b.at(t, i2, j2) = float(rt[size_t(t + (i2 * n2 + j2) * terms)]);
  }
  for (int64_t i1 = 0; i1 < m1; ++i1)
    for (int64_t i2 = 0; i2 < m2; ++i2)
      for (int64_t j1 = 0; j1 < n1; ++j1)
        for (int64_t j2 = 0; j2 < n2; ++j2)
          w.at(i1 * m2 + i2, j1 * n2 + j2) =
              float(rm[size_t((i1 * n1 + j1) + (i2 * n2 + j2) * rows)]);
  return true;
}

//===----------------------------------------------------------------------===//
// Sparse spectral training (sst, ALGORITHMS.md): W = U diag(s) Vᵀ with U
// [OUT, m], s [m], V [IN, m], m = min(OUT, IN), and the mask `sampled` [m].

/// The SVD of `w` [OUT, IN] (float64, signedSvd's sign convention) into u,
/// s, v. False (nothing written) when w has a non-finite entry or LAPACK
/// fails.
bool sstDecompose(const std::vector<double> &w, int64_t out, int64_t in,
                  const View &u, const View1 &s, const View &v) {
  std::vector<double> sv, uu, vt;
  if (!signedSvd(w, out, in, sv, uu, vt))
    return false;
  const int64_t m = s.n;
  for (int64_t j = 0; j < m; ++j) {
    s.at(j) = float(sv[size_t(j)]);
    for (int64_t i = 0; i < out; ++i)
      u.at(i, j) = float(uu[size_t(i + j * out)]);
    for (int64_t c = 0; c < in; ++c)
      v.at(c, j) = float(vt[size_t(j + c * m)]);
  }
  return true;
}

/// r distinct columns, drawn one at a time among those not yet drawn with
/// probability ∝ p(i) = ½(1/m + s_i/Σs) (1/m when Σs is 0 or not finite);
/// draw j of round `round` is counter round·r + j of the layer's stream.
void sstSample(const View1 &s, const View1 &sampled, int64_t r, uint64_t seed,
               int64_t stream, int64_t round) {
  const int64_t m = s.n;
  double total = 0;
  for (int64_t i = 0; i < m; ++i)
    total += std::max(double(s.at(i)), 0.0);
  std::vector<double> p(size_t(m), 1.0 / double(m));
  if (total > 0 && std::isfinite(total))
    for (int64_t i = 0; i < m; ++i)
      p[size_t(i)] = 0.5 * (1.0 / double(m) +
                            std::max(double(s.at(i)), 0.0) / total);
  // Streams apart from the initialisers' (whose streams are param indices).
  const uint64_t streamKey = 0x5353540000000000ull + uint64_t(stream);
  std::vector<bool> drawn(size_t(m), false);
  for (int64_t j = 0; j < std::min(r, m); ++j) {
    double left = 0;
    int64_t last = -1;
    for (int64_t i = 0; i < m; ++i)
      if (!drawn[size_t(i)]) {
        left += p[size_t(i)];
        last = i;
      }
    double u = uniform01(randomBits(seed, streamKey, uint64_t(round * r + j))) *
               left;
    int64_t pick = last; // rounding at the top end
    for (int64_t i = 0; i < m; ++i) {
      if (drawn[size_t(i)])
        continue;
      if (u < p[size_t(i)]) {
        pick = i;
        break;
      }
      u -= p[size_t(i)];
    }
    drawn[size_t(pick)] = true;
  }
  for (int64_t i = 0; i < m; ++i)
    sampled.at(i) = drawn[size_t(i)] ? 1.0f : 0.0f;
}

/// Each column of `v` scaled to unit norm (a zero column stays zero).
void normaliseColumns(const View &v) {
  for (int64_t j = 0; j < v.cols; ++j) {
    double sum = 0;
    for (int64_t i = 0; i < v.rows; ++i)
      sum += double(v.at(i, j)) * double(v.at(i, j));
    if (!(sum > 0) || !std::isfinite(sum))
      continue;
    const double inv = 1.0 / std::sqrt(sum);
    for (int64_t i = 0; i < v.rows; ++i)
      v.at(i, j) = float(double(v.at(i, j)) * inv);
  }
}

/// U diag(s) Vᵀ [OUT, IN], column-major, in double.
std::vector<double> sstWeight(const View &u, const View1 &s, const View &v) {
  const int64_t out = u.rows, in = v.rows;
  std::vector<double> w(size_t(out * in), 0.0);
  for (int64_t j = 0; j < s.n; ++j) {
    const double sj = double(s.at(j));
    for (int64_t c = 0; c < in; ++c) {
      const double vc = sj * double(v.at(c, j));
      double *col = w.data() + c * out;
      for (int64_t i = 0; i < out; ++i)
        col[i] += double(u.at(i, j)) * vc;
    }
  }
  return w;
}

/// The four views of an sst layer, their shapes checked.
bool sstViews(wlgen_memref2d *u, wlgen_memref1d *s, wlgen_memref2d *v,
              wlgen_memref1d *sampled, View &vu, View1 &vs, View &vv,
              View1 &vm) {
  return anyView(u, vu) && anyView(s, vs) && anyView(v, vv) &&
         anyView(sampled, vm) && vu.cols == vs.n && vv.cols == vs.n &&
         vm.n == vs.n && vs.n == std::min(vu.rows, vv.rows) && vs.n > 0;
}

} // namespace

} // namespace wlrt

using namespace wlrt;

extern "C" {

void _mlir_ciface_wlrt_svd_clip(wlgen_memref2d *w, float c) {
  View v;
  if (!viewOf(w, v) || std::isnan(c) ||
      c == std::numeric_limits<float>::infinity())
    return;
  const double cc = std::max(double(c), 0.0);
  if (cc == 0.0) { // the set is {0}: exact, no SVD
    for (int64_t i = 0; i < v.rows; ++i)
      for (int64_t j = 0; j < v.cols; ++j)
        v.at(i, j) = 0.0f;
    return;
  }
  try {
    svdClip(v, cc);
  } catch (...) {
    frobeniusClip(v, cc); // out of memory: still land in the set
  }
}

void _mlir_ciface_wlrt_product_clip(wlgen_memref2d *u, wlgen_memref2d *v,
                                    float c) {
  View uv, vv;
  if (!viewOf(u, uv) || !viewOf(v, vv) || uv.cols != vv.cols || std::isnan(c) ||
      c == std::numeric_limits<float>::infinity())
    return;
  const double cc = std::max(double(c), 0.0);
  try {
    productClip(uv, vv, cc);
  } catch (...) {
    productFrobeniusClip(uv, vv, cc); // out of memory: still land in the set
  }
}

void _mlir_ciface_wlrt_diag_product_clip(wlgen_memref2d *u, wlgen_memref1d *d,
                                         wlgen_memref2d *v, float c,
                                         int64_t fixed) {
  View uv, vv;
  View1 dv;
  if (!viewOf(u, uv) || !viewOf(v, vv) || !anyView(d, dv) ||
      uv.cols != vv.cols || dv.n != uv.cols || std::isnan(c) ||
      c == std::numeric_limits<float>::infinity())
    return;
  const double cc = std::max(double(c), 0.0);
  try {
    diagProductClip(uv, dv, vv, cc, fixed != 0);
  } catch (...) {
    diagFrobeniusClip(uv, dv, vv, cc); // out of memory: still in the set
  }
}

void _mlir_ciface_wlrt_row_block_scale(wlgen_memref2d *base,
                                       wlgen_memref3d *b, float c) {
  View vw;
  View3 vb;
  if (!viewOf(base, vw) || !anyView(b, vb) || std::isnan(c) ||
      c == std::numeric_limits<float>::infinity())
    return;
  try {
    rowBlockScale(vw, vb, std::max(double(c), 0.0));
  } catch (...) {
    // Out of memory for M_i: B unchanged; the next step tries again.
  }
}

void _mlir_ciface_wlrt_rank_project(wlgen_memref2d *w, int64_t r) {
  View v;
  if (!viewOf(w, v))
    return;
  try {
    rankProject(v, r);
  } catch (...) {
    // Out of memory before anything was written: W unchanged.
  }
}

float _mlir_ciface_wlrt_gram_bound(wlgen_memref2d *w) {
  View v;
  if (!viewOf(w, v))
    return 0.0f;
  try {
    return gramBoundUp(v);
  } catch (...) {
    return std::numeric_limits<float>::infinity(); // out of memory: still an
                                                   // upper bound
  }
}

void _mlir_ciface_wlrt_solve(wlgen_memref2d *a, wlgen_memref2d *b,
                             int64_t transpose) {
  View va, vb;
  if (!viewOf(a, va) || !viewOf(b, vb))
    return;
  try {
    solveInPlace(va, vb, transpose != 0);
  } catch (...) {
    // Out of memory or mismatched shapes: B = NaN, which the caller's
    // non-finite checks report instead of a silently wrong weight.
    for (int64_t i = 0; i < vb.rows; ++i)
      for (int64_t j = 0; j < vb.cols; ++j)
        vb.at(i, j) = std::numeric_limits<float>::quiet_NaN();
  }
}

} // extern "C"

/// Runs a split; false when it failed or ran out of memory (before anything
/// was written), so the caller falls back to factors that leave W0 intact.
template <typename Split> static bool attemptSplit(Split split) {
  try {
    return split();
  } catch (...) {
    return false;
  }
}

extern "C" {

void _mlir_ciface_wlrt_pissa_split(wlgen_memref2d *base, wlgen_memref2d *a,
                                   wlgen_memref2d *b) {
  View w, va, vb;
  const bool okA = anyView(a, va), okB = anyView(b, vb);
  const bool done = anyView(base, w) && okA && okB &&
                    attemptSplit([&] { return pissaSplit(w, va, vb); });
  if (!done && okB) {
    zero(vb); // B = 0: base + B·A = base = W0
    if (okA && !finite(va))
      zero(va);
  }
}

void _mlir_ciface_wlrt_svfit_split(wlgen_memref2d *base, wlgen_memref2d *u,
                                   wlgen_memref1d *s, wlgen_memref2d *v) {
  View w, vu, vv;
  View1 vs;
  const bool okU = anyView(u, vu), okS = anyView(s, vs), okV = anyView(v, vv);
  const bool done = anyView(base, w) && okU && okS && okV && attemptSplit([&] {
                      return topSvdSplit(w, vu, vs, vv, 1.0);
                    });
  if (!done && okS) {
    zero(vs); // s = 0: base + U diag(s) Vᵀ = W0
    if (okU && !finite(vu))
      zero(vu);
    if (okV && !finite(vv))
      zero(vv);
  }
}

void _mlir_ciface_wlrt_kpsvd_split(wlgen_memref2d *base, wlgen_memref3d *a,
                                   wlgen_memref3d *b) {
  View w;
  View3 va, vb;
  const bool okA = anyView(a, va), okB = anyView(b, vb);
  const bool done = anyView(base, w) && okA && okB &&
                    attemptSplit([&] { return kpsvdSplit(w, va, vb); });
  if (!done && okB) {
    zero(vb); // every B_t = 0: base + Σ A_t ⊗ B_t = W0
    if (okA && !finite(va))
      zero(va);
  }
}

void _mlir_ciface_wlrt_sorsa_split(wlgen_memref2d *base, wlgen_memref2d *a,
                                   wlgen_memref1d *s, wlgen_memref2d *b,
                                   float scale) {
  View w, va, vb;
  View1 vs;
  const bool okA = anyView(a, va), okS = anyView(s, vs), okB = anyView(b, vb);
  const bool done =
      anyView(base, w) && okA && okS && okB && attemptSplit([&] {
        return topSvdSplit(w, vb, vs, transposed(va), double(scale));
      });
  if (!done && okS) {
    zero(vs); // S = 0: base + s·B diag(S) A = W0
    if (okA && !finite(va))
      zero(va);
    if (okB && !finite(vb))
      zero(vb);
  }
}

void _mlir_ciface_wlrt_loldu_split(wlgen_memref2d *base, wlgen_memref2d *l,
                                   wlgen_memref1d *z, wlgen_memref2d *u,
                                   float scale) {
  View w, vl, vu;
  View1 vz;
  const bool okL = anyView(l, vl), okZ = anyView(z, vz), okU = anyView(u, vu);
  std::string why = "mismatched shapes";
  bool done = false;
  if (anyView(base, w) && okL && okZ && okU) {
    why = "out of memory";
    done = attemptSplit([&] {
      why = lolduSplit(w, vl, vz, vu, double(scale));
      return why.empty();
    });
  }
  if (done)
    return;
  failCreation("loldu: " + why); // wl_create fails with this message
  if (okZ)
    zero(vz); // z = 0: base + s·(PL)_r diag(z) U_r = W0
}

void _mlir_ciface_wlrt_sst_init(wlgen_memref2d *u, wlgen_memref1d *s,
                                wlgen_memref2d *v, wlgen_memref1d *sampled,
                                int64_t rank, int64_t stream) {
  View vu, vv;
  View1 vs, vm;
  if (!sstViews(u, s, v, sampled, vu, vs, vv, vm)) {
    failCreation("sst: mismatched shapes of U, s, V, sampled");
    return;
  }
  // W0 is in U [OUT, IN] when OUT ≥ IN, else in V [IN, OUT] as W0ᵀ.
  const View w0 = vu.rows >= vv.rows ? vu : transposed(vv);
  std::vector<double> w;
  const bool done = attemptSplit([&] {
    return loadColMajor(w0, w) &&
           sstDecompose(w, w0.rows, w0.cols, vu, vs, vv);
  });
  if (!done) {
    failCreation("sst: the initial weight has a non-finite entry or its SVD "
                 "failed");
    return;
  }
  sstSample(vs, vm, rank, activeSeed(), stream, 0);
}

void _mlir_ciface_wlrt_sst_step(wlgen_memref2d *u, wlgen_memref1d *s,
                                wlgen_memref2d *v, wlgen_memref1d *sampled,
                                int64_t rank, int64_t stream, int64_t step,
                                int64_t every) {
  View vu, vv;
  View1 vs, vm;
  if (!sstViews(u, s, v, sampled, vu, vs, vv, vm) || every < 1)
    return;
  for (int64_t j = 0; j < vs.n; ++j)
    vs.at(j) = std::max(vs.at(j), 0.0f); // NaN stays: the step guard sees it
  normaliseColumns(vu);
  normaliseColumns(vv);
  if (step % every != 0)
    return;
  // The round ends: re-decompose (W unchanged to rounding) and sample.
  attemptSplit([&] {
    return sstDecompose(sstWeight(vu, vs, vv), vu.rows, vv.rows, vu, vs, vv);
  });
  sstSample(vs, vm, rank, activeSeed(), stream, step / every);
}

void _mlir_ciface_wlrt_sst_reset_state(wlgen_memref2d *state,
                                       wlgen_memref1d *sampled) {
  View vs;
  View1 vm;
  if (!anyView(state, vs) || !anyView(sampled, vm) || vs.cols != vm.n)
    return;
  for (int64_t j = 0; j < vs.cols; ++j)
    if (vm.at(j) != 0.0f)
      for (int64_t i = 0; i < vs.rows; ++i)
        vs.at(i, j) = 0.0f;
}

} // extern "C"
