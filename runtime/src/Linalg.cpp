//===- Linalg.cpp - SVD-based routines generated code may call -------------===//
//
// _mlir_ciface_wlrt_{svd_clip,rank_project,gram_bound,solve} (wl/wlgen.h): the
// constraint projections that need a singular value decomposition, the sound
// Gram-iteration bound of Certificate.cpp for generated code, and the LU solve
// of the Cayley map. The SVD is
// LAPACK's dgesdd (dgesvd when dgesdd does not converge), called through the
// Fortran ABI declared below (no LAPACKE), in float64. Generated libraries
// must therefore link LAPACK (`-llapack`; runtime/README.md).
//
// These are internal symbols: hidden (the runtime is compiled with
// -fvisibility=hidden), resolved at static link time against model.o, and
// never exported (the version script exports wl_* only). None of them may let
// an exception escape into the generated code.
//
//===----------------------------------------------------------------------===//
#include "Model.h"
#include "wl/wlgen.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

// LAPACK, Fortran ABI (LP64: INTEGER is int), hidden character lengths last.
extern "C" {
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s,
             double *u, const int *ldu, double *vt, const int *ldvt, double *work,
             const int *lwork, int *iwork, int *info, size_t jobzLen);
void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, double *a,
             const int *lda, double *s, double *u, const int *ldu, double *vt, const int *ldvt,
             double *work, const int *lwork, int *info, size_t jobuLen, size_t jobvtLen);
void sgetrf_(const int *m, const int *n, float *a, const int *lda, int *ipiv, int *info);
void sgetrs_(const char *trans, const int *n, const int *nrhs, const float *a, const int *lda,
             const int *ipiv, float *b, const int *ldb, int *info, size_t transLen);
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
bool thinSvd(const std::vector<double> &a, int64_t m64, int64_t n64, std::vector<double> &s,
             std::vector<double> &u, std::vector<double> &vt) {
  if (m64 > INT_MAX || n64 > INT_MAX)
    return false;
  const int m = int(m64), n = int(n64), k = std::min(m, n), ldvt = std::max(k, 1);
  s.assign(size_t(k), 0.0);
  u.assign(size_t(m64) * size_t(k), 0.0);
  vt.assign(size_t(k) * size_t(n64), 0.0);
  std::vector<double> work(1), copy;
  int info = 0, lwork = -1;
  const char jobS = 'S';

  // dgesdd (divide and conquer): fast, accurate.
  const int64_t mn = k, mx = std::max(m, n);
  const int64_t minWork = std::max<int64_t>(4 * mn * mn + 7 * mn, 3 * mn + std::max(mx, 4 * mn * mn + 4 * mn));
  if (minWork <= INT_MAX) {
    std::vector<int> iwork(size_t(8 * mn));
    copy = a;
    dgesdd_(&jobS, &m, &n, copy.data(), &m, s.data(), u.data(), &m, vt.data(), &ldvt, work.data(),
            &lwork, iwork.data(), &info, 1);
    if (info == 0) {
      double want = std::max(std::ceil(work[0]), double(minWork));
      if (want <= double(INT_MAX)) {
        lwork = int(want);
        work.assign(size_t(lwork), 0.0);
        dgesdd_(&jobS, &m, &n, copy.data(), &m, s.data(), u.data(), &m, vt.data(), &ldvt,
                work.data(), &lwork, iwork.data(), &info, 1);
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
  dgesvd_(&jobS, &jobS, &m, &n, copy.data(), &m, s.data(), u.data(), &m, vt.data(), &ldvt,
          work.data(), &lwork, &info, 1, 1);
  if (info != 0)
    return false;
  const double want = std::max({std::ceil(work[0]), double(3 * mn + mx), double(5 * mn), 1.0});
  if (want > double(INT_MAX))
    return false;
  lwork = int(want);
  work.assign(size_t(lwork), 0.0);
  dgesvd_(&jobS, &jobS, &m, &n, copy.data(), &m, s.data(), u.data(), &m, vt.data(), &ldvt,
          work.data(), &lwork, &info, 1, 1);
  return info == 0;
}

/// a -= Σ_{i in [from, to)} d[i] · U[:, i] VT[i, :] (column-major m×n, U m×k, VT k×n).
void subtractRankOnes(std::vector<double> &a, int64_t m, int64_t n, int64_t k,
                      const std::vector<double> &u, const std::vector<double> &vt,
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
void frobeniusClip(const View &v, double c) {
  double ss = 0;
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j) {
      double x = double(v.at(i, j));
      ss += x * x;
    }
  const double f = std::sqrt(ss);
  if (!std::isfinite(f) || f <= c)
    return;
  const double scale = c / f;
  for (int64_t i = 0; i < v.rows; ++i)
    for (int64_t j = 0; j < v.cols; ++j)
      v.at(i, j) = float(double(v.at(i, j)) * scale);
}

void svdClip(const View &v, double c) {
  // Wᵀ as a column-major cols×rows matrix A = U S VT; W = Aᵀ has the same
  // singular values, and modifying them on A modifies them on W.
  std::vector<double> a, s, u, vt;
  if (!loadColMajorT(v, a))
    return; // non-finite weights stay as they are (the certificate reports them)
  const int64_t m = v.cols, n = v.rows, k = std::min(m, n);
  if (!thinSvd(a, m, n, s, u, vt)) {
    frobeniusClip(v, c);
    return;
  }
  if (s.empty() || s[0] <= c)
    return; // already in the set: keep W bit for bit (the projection is idempotent)
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

/// B ← A⁻¹B (A⁻ᵀB when `transpose`) by LU with partial pivoting (sgetrf +
/// sgetrs) in float: the Cayley map's A = I − X/2 (X skew) has all singular
/// values ≥ 1, so float is accurate there. A singular A gives B = NaN.
void solveInPlace(const View &a, const View &b, bool transpose) {
  const int64_t n = a.rows, k = b.cols;
  if (a.cols != n || b.rows != n || n > INT_MAX || k > INT_MAX)
    throw std::invalid_argument("wlrt_solve: shapes do not match");
  // LAPACK is column-major: A's row-major data is Aᵀ, so solve with the
  // opposite transposition; B is copied column by column.
  std::vector<float> lu(size_t(n * n)), rhs(size_t(n * k));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      lu[size_t(i * n + j)] = a.at(i, j); // column-major Aᵀ
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      rhs[size_t(j * n + i)] = b.at(i, j);
  std::vector<int> pivots(static_cast<size_t>(n));
  int ni = int(n), ki = int(k), info = 0;
  sgetrf_(&ni, &ni, lu.data(), &ni, pivots.data(), &info);
  if (info == 0) {
    const char trans = transpose ? 'N' : 'T'; // the factors are of Aᵀ
    sgetrs_(&trans, &ni, &ki, lu.data(), &ni, pivots.data(), rhs.data(), &ni, &info, 1);
  }
  const float fill = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      b.at(i, j) = info == 0 ? rhs[size_t(j * n + i)] : fill;
}

} // namespace

} // namespace wlrt

using namespace wlrt;

extern "C" {

void _mlir_ciface_wlrt_svd_clip(wlgen_memref2d *w, float c) {
  View v;
  if (!viewOf(w, v) || std::isnan(c) || c == std::numeric_limits<float>::infinity())
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
    return std::numeric_limits<float>::infinity(); // out of memory: still an upper bound
  }
}

void _mlir_ciface_wlrt_solve(wlgen_memref2d *a, wlgen_memref2d *b, int64_t transpose) {
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
