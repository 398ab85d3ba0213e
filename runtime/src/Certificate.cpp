//===- Certificate.cpp - Sound Lipschitz / spectral-norm upper bounds
//------===//
//
// Gram iteration (Delattre et al., ICML 2023; ALGORITHMS.md) in float64 with a
// rounding margin, and the evaluation of the metadata's "lipschitz" graph.
//
//===----------------------------------------------------------------------===//
#include "Cuda.h"
#include "Model.h"
#include "wl/wlgen.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace wlrt {

namespace {

// x86-64 ELF builds carry an AVX2 and an AVX-512 clone of the Gram product,
// picked at load time (ifunc). The file is compiled with -ffp-contract=off
// (runtime/CMakeLists.txt), so no clone fuses a multiply-add: every clone, and
// the portable loop, computes bit-identical results. WLRT_NO_TARGET_CLONES:
// clang builds (runtime/CMakeLists.txt).
#if defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute) &&     \
    !defined(WLRT_NO_TARGET_CLONES)
#if __has_attribute(target_clones)
#define WLRT_GRAM_CLONES                                                       \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef WLRT_GRAM_CLONES
#define WLRT_GRAM_CLONES
#endif

constexpr int64_t kGramMR = 4; ///< rows of a C tile (divides kGramNR)
constexpr int64_t kGramNR =
    8; ///< columns of a C tile = width of a packed panel
constexpr int64_t kGramKC = 256; ///< rows of P per packed block

/// C = Pᵀ P for row-major P [m, n]; C is [n, n], symmetric. P is processed in
/// blocks of kGramKC rows, each packed into column panels [kc][kGramNR]
/// (zero-padded), so that a 4×8 tile of the upper triangle accumulates in
/// registers while both of its operands stream contiguously from cache. Each
/// entry is still the sum over k in natural order (a tile resumes from the C
/// values of the previous block), so results equal the plain i-k-j loop bit
/// for bit. About 3× faster than that loop on one AVX2/AVX-512 core (1024²
/// bound: ~0.25 s instead of ~0.8 s); the loop is compute-bound, and fusing
/// or reassociating would change the bits.
WLRT_GRAM_CLONES
void gramAtA(const double *p, int64_t m, int64_t n, double *c) {
  const int64_t panels = (n + kGramNR - 1) / kGramNR;
  const int64_t kc = std::min<int64_t>(m, kGramKC);
  std::vector<double> pack(size_t(panels * kGramNR * kc));
  std::fill(c, c + n * n, 0.0);
  for (int64_t k0 = 0; k0 < m; k0 += kc) {
    const int64_t kb = std::min(kc, m - k0);
    // Panel q holds columns [q·NR, q·NR + NR) of rows k0 .. k0 + kb as
    // [kb][NR].
    for (int64_t q = 0; q < panels; ++q) {
      double *dst = pack.data() + q * kGramNR * kc;
      const int64_t j0 = q * kGramNR, jb = std::min(kGramNR, n - j0);
      for (int64_t k = 0; k < kb; ++k) {
        const double *src = p + (k0 + k) * n + j0;
        double *d = dst + k * kGramNR;
        int64_t j = 0;
        for (; j < jb; ++j)
          d[j] = src[j];
        for (; j < kGramNR; ++j)
          d[j] = 0.0;
      }
    }
    for (int64_t i0 = 0; i0 < n; i0 += kGramMR) {
      // Column i0 + ii of P is entry (i0 % NR) + ii of panel i0 / NR.
      const double *ap =
          pack.data() + (i0 / kGramNR) * kGramNR * kc + i0 % kGramNR;
      const int64_t ib = std::min(kGramMR, n - i0);
      for (int64_t q = i0 / kGramNR; q < panels; ++q) {
        const double *bp = pack.data() + q * kGramNR * kc;
        const int64_t j0 = q * kGramNR, jb = std::min(kGramNR, n - j0);
        double acc[kGramMR][kGramNR];
        for (int64_t ii = 0; ii < kGramMR; ++ii)
          for (int64_t jj = 0; jj < kGramNR; ++jj)
            acc[ii][jj] =
                (ii < ib && jj < jb) ? c[(i0 + ii) * n + j0 + jj] : 0.0;
        for (int64_t k = 0; k < kb; ++k) {
          const double *a = ap + k * kGramNR, *b = bp + k * kGramNR;
          for (int64_t ii = 0; ii < kGramMR; ++ii) {
            const double s = a[ii];
            for (int64_t jj = 0; jj < kGramNR; ++jj)
              acc[ii][jj] += s * b[jj];
          }
        }
        for (int64_t ii = 0; ii < ib; ++ii)
          for (int64_t jj = 0; jj < jb; ++jj)
            c[(i0 + ii) * n + j0 + jj] = acc[ii][jj];
      }
    }
  }
  // Tiles on the diagonal also filled some lower entries; the mirror
  // overwrites them with the (identical) upper ones.
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      c[j * n + i] = c[i * n + j];
}

double frobenius(const double *a, int64_t count) {
  double s = 0;
  for (int64_t i = 0; i < count; ++i)
    s += a[i] * a[i];
  return std::sqrt(s);
}

} // namespace

// Rounding margin. Write S_t for the computed, normalised G_{t-1}/r_t (r_t is
// any positive number, used identically in the product, so its own rounding
// does not matter) and G_t = S_tᵀS_t + E_t for the computed product. Standard
// dot-product error bounds give |E_t| <= γ_len |S_t|ᵀ|S_t| entrywise, so
// ||E_t||_2 <= ||E_t||_F <= γ_len ||S_t||_F² ≈ γ_len (len = m for t = 1, n
// after), plus ~u from the division by r_t. Since σ1(G_t) >= ||G_t||_F/√n >=
// 1/n, σ1(S_t)² <= σ1(G_t)(1 + δ_t) with δ_t <= n·γ_len ≈ n·m·u. Unrolling
// the square roots, the computed bound is sound once inflated by
// Π_t (1 + δ_t)^{1/2^t} · (1 + u)^2 · (1 + error of ||G_T||_F, log, exp),
// which is <= 1 + n·m·u + O(100·u). We inflate by 1 + 1e-6 + 4·n·m·u: for
// every matrix up to 4096×4096 (n·m·u ≈ 1.9e-9) the fixed 1e-6 dominates by
// more than two orders of magnitude, and the n·m term keeps larger ones sound.
double gramRoundingMargin(int64_t n, int64_t m) {
  const double u = std::ldexp(1.0, -53);
  return 1e-6 + 4.0 * double(n) * double(m) * u;
}

double gramSpectralBound(const float *w, int64_t rows, int64_t cols,
                         int iterations) {
  const int64_t n = std::min(rows, cols), m = std::max(rows, cols);
  // P [m, n]: W itself when rows >= cols, else Wᵀ, so that PᵀP is n×n (the
  // small Gram side) and σ(P) = σ(W).
  std::vector<double> p(size_t(m * n));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      double x = double(w[r * cols + c]);
      if (!std::isfinite(x))
        return std::numeric_limits<double>::quiet_NaN();
      if (rows >= cols)
        p[size_t(r * cols + c)] = x;
      else
        p[size_t(c * rows + r)] = x;
    }
  double logBound = 0; // Σ_t log(r_t) / 2^{t-1}
  double weight = 1;   // 1 / 2^{t-1}
  std::vector<double> g(size_t(n * n));
  const double *cur = p.data();
  int64_t curRows = m;
  std::vector<double> s; // normalised copy
  for (int t = 1; t <= iterations; ++t) {
    double r = frobenius(cur, curRows * n);
    if (r == 0.0)
      return t == 1 ? 0.0
                    : std::numeric_limits<double>::infinity(); // W = 0 exactly
    s.assign(cur, cur + curRows * n);
    for (double &x : s)
      x /= r;
    gramAtA(s.data(), curRows, n, g.data());
    logBound += weight * std::log(r);
    weight *= 0.5;
    cur = g.data();
    curRows = n;
  }
  double last = frobenius(cur, curRows * n);
  if (last == 0.0) // impossible in exact arithmetic (||SᵀS||_F >= 1/√n)
    return std::numeric_limits<double>::infinity();
  logBound += weight * std::log(last);
  return std::exp(logBound) * (1.0 + gramRoundingMargin(n, m));
}

} // namespace wlrt

// The generated materialisation of structured weights (wlgen.h). Weak and
// hidden like wlgen_project: null when model.o does not define it.
extern "C" __attribute__((weak, visibility("hidden"))) void
_mlir_ciface_wlgen_weight(wlgen_memref1d *arena, int64_t layer,
                          wlgen_memref2d *out);

namespace wlrt {

wl_status effectiveWeight(wl_model *m, int layer, float *out, const char *fn) {
  const LayerInfo &l = m->md->layers[size_t(layer)];
  if (l.hasDenseWeight()) {
    const ParamInfo &w = m->md->params[size_t(l.weightIndex)];
    std::copy(m->arena + w.offset, m->arena + w.offset + w.numel, out);
    return WL_OK;
  }
  if (!_mlir_ciface_wlgen_weight)
    return setError(m, WL_ERR_ARG,
                    std::string(fn) + ": layer '" + l.name +
                        "' has structure '" + l.structure +
                        "', and this library has no generated wlgen_weight to "
                        "materialise it");
  wlgen_memref1d arena{m->arena, m->arena, 0, {m->md->arenaSize}, {1}};
  if (!m->md->cudaTarget) {
    wlgen_memref2d result{out, out, 0, {l.out, l.in}, {l.in, 1}};
    _mlir_ciface_wlgen_weight(&arena, layer, &result);
    return WL_OK;
  }
  // Generated GPU code writes managed memory only: materialise into the
  // model's staging buffer, then copy out.
  try {
    const size_t bytes = size_t(l.out * l.in) * sizeof(float);
    clearDeviceError();
    void *staged = growBuffer(m->stageWeight, bytes);
    wlgen_memref2d result{staged, staged, 0, {l.out, l.in}, {l.in, 1}};
    _mlir_ciface_wlgen_weight(&arena, layer, &result);
    checkDevice(m);
    if (!deviceCopy(out, staged, bytes, "weight")) {
      std::string msg;
      throw DeviceError(takeDeviceError(msg) ? msg : "cannot copy the weight");
    }
  } catch (const DeviceError &e) {
    return setError(m, WL_ERR_DEVICE,
                    std::string(fn) + ": layer '" + l.name + "': " + e.what());
  }
  return WL_OK;
}

namespace {

/// Gram iterations for a matrix whose short side is n: 6 (ALGORITHMS.md's
/// default) while the bound provably stays within 4.5% of σ_max (n ≤ 280),
/// more beyond. After T iterations the bound is (Σ σᵢ^(2^(T+1)))^(1/2^(T+1))
/// ≤ n^(1/2^(T+1))·σ_max (equality for a flat spectrum): T = 6 would be 5.1%
/// over at n = 576, T = 7 is 2.5% there and within 4.5% up to n ≈ 78 000.
int gramIterations(int64_t n, double within = 1.045) {
  int t = 6;
  while (t < 12 && std::pow(double(n), std::ldexp(1.0, -(t + 1))) > within)
    ++t;
  return t;
}

/// Each matrix's Gram bound in a stack [g, rows, cols] at `first`, within
/// `within` of its σ_max (worst case); NaN for a non-finite entry.
std::vector<double> stackBounds(const float *first, int64_t g, int64_t rows,
                                int64_t cols, double within) {
  std::vector<double> bounds(static_cast<size_t>(g));
  int iterations = gramIterations(std::min(rows, cols), within);
  for (int64_t i = 0; i < g; ++i)
    bounds[size_t(i)] =
        gramSpectralBound(first + i * rows * cols, rows, cols, iterations);
  return bounds;
}

/// max of bounds, NaN if any is NaN.
double maxOf(const std::vector<double> &bounds) {
  double top = 0;
  for (double b : bounds) {
    if (std::isnan(b))
      return b;
    top = std::max(top, b);
  }
  return top;
}

/// sqrt(1 + ‖PᵀP − I‖_F) for P [rows, cols] given row-major (transposed
/// when `columns` is false, i.e. the Gram matrix of the rows): a sound bound
/// of σ_max(P) for a nearly orthonormal P (σ_max² = λ_max(PᵀP) ≤ 1 + ‖PᵀP −
/// I‖₂). Products of floats are exact in double; each Gram entry's sum of `len`
/// terms is off by at most len·u·Σ|p||p|, so the error matrix has Frobenius
/// norm ≤ len·u·‖P‖_F² (doubled for the norm's own rounding).
double orthonormalBound(const float *p, int64_t rows, int64_t cols,
                        bool columns) {
  const int64_t n = columns ? cols : rows, len = columns ? rows : cols;
  std::vector<double> d(size_t(rows * cols));
  double frob2 = 0;
  for (int64_t i = 0; i < rows * cols; ++i) {
    d[size_t(i)] = double(p[i]);
    if (!std::isfinite(d[size_t(i)]))
      return std::numeric_limits<double>::quiet_NaN();
    frob2 += d[size_t(i)] * d[size_t(i)];
  }
  std::vector<double> g(size_t(n * n));
  if (columns) {
    gramAtA(d.data(), rows, cols, g.data());
  } else {
    std::vector<double> t(size_t(rows * cols));
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        t[size_t(j * rows + i)] = d[size_t(i * cols + j)];
    gramAtA(t.data(), cols, rows, g.data());
  }
  double off = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double e = g[size_t(i * n + j)] - (i == j ? 1.0 : 0.0);
      off += e * e;
    }
  const double u = std::ldexp(1.0, -53);
  double slack = 2.0 * double(len + 2) * u * frob2;
  return std::sqrt(1.0 + std::sqrt(off) * (1 + 4 * u * double(n)) + slack) *
         (1.0 + 4 * u);
}

/// The sound σ_max bound of layer `layer` by the rule its structure chose
/// (ALGORITHMS.md, Certificates): Gram iteration on the weight, the
/// orthonormality rule (orthogonal weights; also svd's factors), max|d|
/// (diagonal), the block, Kronecker and Monarch rules on the factors. NaN for a
/// non-finite weight, negative after an error recorded on m.
double structureBound(wl_model *m, int layer, const char *fn) {
  const LayerInfo &l = m->md->layers[size_t(layer)];
  auto factor = [&](size_t i) -> const float * {
    return m->arena + m->md->params[size_t(l.factors[i])].offset;
  };
  if (l.bound == BoundRule::MaxAbs || l.bound == BoundRule::Svd) {
    // max |d| (exact), or max |s| · bound(U) · bound(V) (the factors' shapes
    // were checked when the metadata was read).
    const bool svd = l.bound == BoundRule::Svd;
    const ParamInfo &scale = m->md->params[size_t(l.factors[svd ? 1 : 0])];
    double top = 0;
    for (int64_t i = 0; i < scale.numel; ++i) {
      double x = std::fabs(double(m->arena[scale.offset + i]));
      if (!std::isfinite(x))
        return std::numeric_limits<double>::quiet_NaN();
      top = std::max(top, x);
    }
    if (!svd)
      return top;
    int64_t r = scale.numel;
    return top * orthonormalBound(factor(0), l.out, r, true) *
           orthonormalBound(factor(2), l.in, r, true);
  }
  auto stack = [&](size_t i, double within) {
    const std::vector<int64_t> &shape =
        m->md->params[size_t(l.factors[i])].shape;
    return stackBounds(factor(i), shape[0], shape[1], shape[2], within);
  };
  // The structure rules (shapes checked when the metadata was read). A
  // product of two bounds asks each for half the slack, so one Kronecker
  // term stays within ~4.5% of σ(A)σ(B).
  switch (l.bound) {
  case BoundRule::BlockMax:
    return maxOf(stack(0, 1.045));
  case BoundRule::Monarch:
    return maxOf(stack(0, 1.022)) * maxOf(stack(1, 1.022));
  case BoundRule::Kronecker: {
    std::vector<double> a = stack(0, 1.022), b = stack(1, 1.022);
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i)
      sum += a[i] * b[i];
    // The float sum of k non-negative terms, rounded up.
    return sum * (1.0 + double(a.size() + 2) * std::ldexp(1.0, -52));
  }
  default:
    break;
  }
  std::vector<float> w(size_t(l.out * l.in));
  if (effectiveWeight(m, layer, w.data(), fn) != WL_OK)
    return -1.0;
  if (l.bound == BoundRule::Orthonormal) // QᵀQ = I on the short side
    return orthonormalBound(w.data(), l.out, l.in, /*columns=*/l.out >= l.in);
  return gramSpectralBound(w.data(), l.out, l.in,
                           gramIterations(std::min(l.out, l.in)));
}

/// The spectral bound of layer `layer`'s effective weight, for the entry
/// point `fn`. Returns a negative value after recording an error on m.
double spectralBound(wl_model *m, int layer, const char *fn) {
  const LayerInfo &l = m->md->layers[size_t(layer)];
  double b = structureBound(m, layer, fn);
  if (std::isnan(b)) {
    setError(m, WL_ERR_NONFINITE,
             std::string(fn) + ": layer '" + l.name +
                 "' has a non-finite weight");
    return -1.0;
  }
  return b;
}

/// The bound of one layer, computed once per call (cache[layer] < 0: not yet).
/// Returns a negative value after recording an error on m.
double layerBound(wl_model *m, int layer, std::vector<double> &cache) {
  double &b = cache[size_t(layer)];
  if (b < 0)
    b = spectralBound(m, layer, "wl_lipschitz_bound");
  return b;
}

/// a·b where a factor 0 wins over +inf: a value that does not vary (L = 0)
/// or a zero weight contributes nothing, whatever the other bound.
double mul0(double a, double b) { return a == 0.0 || b == 0.0 ? 0.0 : a * b; }

/// An upper bound of the l2 norm of n floats, summed in double (relative
/// error ≤ n·u of the sum of squares).
double l2Bound(const float *x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i)
    s += double(x[i]) * double(x[i]);
  return std::sqrt(s) * (1.0 + double(n + 2) * std::ldexp(1.0, -52));
}

/// What one node's value is known to satisfy over the input domain.
struct Bound {
  double m = 0;   ///< magnitude: ≥ the largest block's l2 norm
  double lip = 0; ///< Lipschitz bound w.r.t. the certificate's input
};

/// The graph's evaluation (ALGORITHMS.md, "Certificates of sequence
/// models"): M and L node by node, with the node where a +inf magnitude
/// first appeared, for the message.
class LipEvaluator {
public:
  LipEvaluator(wl_model *m, const std::vector<LipNode> &nodes)
      : m(m), nodes(nodes), cache(m->md->layers.size(), -1.0),
        value(nodes.size()), unbounded(nodes.size(), -1) {}

  /// The output's L; negative after recording an error on m. A +inf result
  /// leaves its reason in m->lastError (not an error).
  double run() {
    for (size_t k = 0; k < nodes.size(); ++k)
      if (!eval(k))
        return -1.0;
    if (nodes.empty())
      return -1.0;
    double l = value.back().lip;
    if (std::isinf(l))
      setError(m, WL_OK, "wl_lipschitz_bound: +inf: " + whyInfinite());
    return l;
  }

private:
  wl_model *m;
  const std::vector<LipNode> &nodes;
  std::vector<double> cache; ///< spectral bounds per layer (< 0: not yet)
  std::vector<Bound> value;
  /// The node whose magnitude rule first gave +inf upstream of each node
  /// (-1: finite), for the message.
  std::vector<int64_t> unbounded;
  std::string originReason; ///< why the input's magnitude is +inf
  /// sliceBounds' results per (layer, heads).
  std::map<std::pair<int, int64_t>, std::vector<double>> slices;

  const Bound &at(const LipNode &n, size_t i) {
    return value[size_t(n.args[i])];
  }

  /// σ_max bound of a layer's effective weight.
  double weightBound(int layer) { return layerBound(m, layer, cache); }

  /// The σ_max bounds of the `heads` row slices of a layer's effective
  /// weight (an attention head's rows), each at most the whole bound;
  /// computed once per call. Empty after recording an error on m.
  const std::vector<double> &sliceBounds(int layer, int64_t heads) {
    std::vector<double> &b = slices[{layer, heads}];
    if (!b.empty())
      return b;
    double whole = weightBound(layer);
    if (whole < 0)
      return b;
    const LayerInfo &l = m->md->layers[size_t(layer)];
    std::vector<float> w(size_t(l.out * l.in));
    if (effectiveWeight(m, layer, w.data(), "wl_lipschitz_bound") != WL_OK)
      return b;
    const int64_t rows = l.out / heads;
    for (int64_t h = 0; h < heads; ++h)
      b.push_back(std::min(
          whole, gramSpectralBound(w.data() + h * rows * l.in, rows, l.in,
                                   gramIterations(std::min(rows, l.in)))));
    return b;
  }

  /// ‖b[r0, r1)‖₂ of the layer's bias (all of it when r1 ≤ r0); 0 without;
  /// negative after recording an error on m.
  double biasNorm(int layer, int64_t r0 = 0, int64_t r1 = 0) {
    const LayerInfo &l = m->md->layers[size_t(layer)];
    if (l.bias.empty())
      return 0;
    const ParamInfo &p = m->md->params[size_t(m->md->findParam(l.bias))];
    if (r1 <= r0)
      r1 = p.numel;
    double b = l2Bound(m->arena + p.offset + r0, r1 - r0);
    if (std::isnan(b) || std::isinf(b)) {
      setError(m, WL_ERR_NONFINITE,
               "wl_lipschitz_bound: layer '" + l.name +
                   "' has a non-finite bias");
      return -1.0;
    }
    return b;
  }

  /// max over rows [0, rows) of the embedding table's row norms.
  double maxRowNorm(int layer, int64_t rows) {
    const LayerInfo &l = m->md->layers[size_t(layer)];
    std::vector<float> w(size_t(l.out * l.in));
    if (effectiveWeight(m, layer, w.data(), "wl_lipschitz_bound") != WL_OK)
      return -1.0;
    double top = 0;
    for (int64_t r = 0; r < std::min(rows, l.out); ++r) {
      double b = l2Bound(w.data() + r * l.in, l.in);
      top = std::isnan(b) || std::isnan(top) ? NAN : std::max(top, b);
    }
    if (std::isnan(top) || std::isinf(top)) {
      setError(m, WL_ERR_NONFINITE,
               "wl_lipschitz_bound: layer '" + l.name +
                   "' has a non-finite weight");
      return -1.0;
    }
    return top;
  }

  /// The magnitude of the float input in the node's measure (blocks of
  /// inputSize / length floats, or one l2 vector).
  double inputMagnitude(const LipNode &n) {
    const Metadata &md = *m->md;
    if (md.inputKind == 1) {
      originReason = "token ids are not a continuous input";
      return HUGE_VAL;
    }
    if (!md.inputDomain.present) {
      originReason = "the float input has no declared domain (declare it "
                     "`with norm_bound(c, norm = row)`)";
      return HUGE_VAL;
    }
    // k domain rows per block (a block inside one domain row: k = 1).
    const int64_t block = md.inputSize / std::max<int64_t>(n.length, 1);
    const int64_t row = md.inputDomain.rowSize;
    const double k = block % row == 0   ? double(block / row)
                     : row % block == 0 ? 1.0
                                        : double(md.inputSize / row);
    return md.inputDomain.bound * (1 + 1e-6) * std::sqrt(k);
  }

  /// One head's bounds (M, L) of the slice of q, k or v node `a`: the rows
  /// of the head of a layer's weight and bias when `a` is a layer node (a
  /// slice's norms are at most the whole one's), else the whole bounds.
  bool headSlice(int64_t a, int64_t heads, int64_t h, Bound &out) {
    const LipNode &n = nodes[size_t(a)];
    out = value[size_t(a)];
    if (n.op != LipNode::Op::Layer || heads == 1)
      return true;
    const LayerInfo &l = m->md->layers[size_t(n.layer)];
    if (l.out % heads)
      return true;
    const int64_t r0 = h * (l.out / heads), r1 = r0 + l.out / heads;
    const std::vector<double> &ws = sliceBounds(n.layer, heads);
    if (ws.empty())
      return false;
    double w = ws[size_t(h)], bias = biasNorm(n.layer, r0, r1);
    if (bias < 0)
      return false;
    const Bound &x = value[size_t(n.args[0])];
    out.m = std::min(out.m, mul0(w, x.m) + bias);
    out.lip = std::min(out.lip, mul0(w, x.lip));
    return true;
  }

  /// L_h ≤ L_v + s·(L_q·M_k + M_q·L_k)·M_v per head (ALGORITHMS.md), the
  /// heads' outputs stacked: L ≤ sqrt(Σ L_h²), M ≤ sqrt(Σ (M_v^h)²).
  bool attention(const LipNode &n, Bound &out) {
    double l2 = 0, m2 = 0;
    for (int64_t h = 0; h < n.heads; ++h) {
      Bound q, k, v;
      if (!headSlice(n.args[0], n.heads, h, q) ||
          !headSlice(n.args[1], n.heads, h, k) ||
          !headSlice(n.args[2], n.heads, h, v))
        return false;
      double scores = mul0(q.lip, k.m) + mul0(q.m, k.lip);
      double lh = v.lip + mul0(mul0(std::fabs(n.factor), scores), v.m);
      l2 += lh * lh;
      m2 += v.m * v.m;
    }
    out = {std::sqrt(m2), std::sqrt(l2)};
    return true;
  }

  bool eval(size_t k) {
    const LipNode &n = nodes[k];
    Bound &out = value[k];
    switch (n.op) {
    case LipNode::Op::Input:
      out = {inputMagnitude(n), 1.0};
      break;
    case LipNode::Op::Positions:
      out = {HUGE_VAL, 0.0}; // ids: only an embedding reads them
      break;
    case LipNode::Op::Embedding: {
      // Token ids: its output is the certificate's input (L = 1), every row
      // reachable; positions: a constant (L = 0) of the first T rows.
      const LipNode &ids = nodes[size_t(n.args[0])];
      bool tokens = ids.op == LipNode::Op::Input;
      double top = maxRowNorm(n.layer, tokens ? INT64_MAX : ids.length);
      if (top < 0)
        return false;
      out = {top, tokens ? 1.0 : 0.0};
      break;
    }
    case LipNode::Op::Layer: {
      double w = weightBound(n.layer), bias = biasNorm(n.layer);
      if (w < 0 || bias < 0)
        return false;
      out = {mul0(w, at(n, 0).m) + bias, mul0(w, at(n, 0).lip)};
      break;
    }
    case LipNode::Op::Scale:
      out = {mul0(std::fabs(n.factor), at(n, 0).m),
             mul0(std::fabs(n.factor), at(n, 0).lip)};
      break;
    case LipNode::Op::Activation: {
      double m0 = at(n, 0).m, root = std::sqrt(double(n.width));
      out.lip = mul0(n.factor, at(n, 0).lip);
      if (n.magnitude == LipNode::Magnitude::Keep)
        out.m = m0;
      else if (n.magnitude == LipNode::Magnitude::Sigmoid)
        out.m = std::min(m0 / 4 + root / 2, root);
      else
        out.m = HUGE_VAL;
      break;
    }
    case LipNode::Op::Add:
      out = {};
      for (size_t i = 0; i < n.args.size(); ++i) {
        out.m += at(n, i).m;
        out.lip += at(n, i).lip;
      }
      break;
    case LipNode::Op::Attention:
      if (!attention(n, out))
        return false;
      break;
    case LipNode::Op::MeanPool: // a mean of blocks: no larger than the max
      out = at(n, 0);
      break;
    case LipNode::Op::RowNorm: // ‖y_t‖ < √d; Lipschitz 1/√eps (ActivationOps)
      out = {std::sqrt(double(n.width)), mul0(n.factor, at(n, 0).lip)};
      break;
    case LipNode::Op::Flatten: { // ‖(x_1..x_T)‖₂ ≤ √T·max_t ‖x_t‖₂
      double root = std::sqrt(double(n.length));
      out = {root * at(n, 0).m, root * at(n, 0).lip};
      break;
    }
    }
    // Where a +inf magnitude came from: here, or the first argument's origin.
    if (std::isinf(out.m) && n.op != LipNode::Op::Positions) {
      unbounded[k] = int64_t(k);
      for (int64_t a : n.args)
        if (unbounded[size_t(a)] >= 0) {
          unbounded[k] = unbounded[size_t(a)];
          break;
        }
    }
    return true;
  }

  /// Why the output's L is +inf: the first attention whose L is +inf and
  /// the origin of its unbounded input, else an overflow.
  std::string whyInfinite() {
    for (size_t k = 0; k < nodes.size(); ++k) {
      const LipNode &n = nodes[k];
      if (n.op != LipNode::Op::Attention || !std::isinf(value[k].lip))
        continue;
      for (int64_t a : n.args)
        if (unbounded[size_t(a)] >= 0)
          return "attention (lipschitz node " + std::to_string(k) +
                 ") is Lipschitz only on bounded inputs, and its input (node " +
                 std::to_string(a) + ") has no finite magnitude bound: " +
                 reasonAt(unbounded[size_t(a)]);
    }
    return "the bound overflows a double";
  }

  std::string reasonAt(int64_t origin) {
    const LipNode &n = nodes[size_t(origin)];
    if (n.op == LipNode::Op::Input) {
      inputMagnitude(n); // sets originReason
      return originReason;
    }
    if (n.op == LipNode::Op::Activation)
      return "node " + std::to_string(origin) +
             " is an activation without a magnitude rule";
    return "node " + std::to_string(origin) + " overflows";
  }
};

/// Evaluates the Lipschitz graph (SSA order: every argument is already
/// evaluated); the result is the last node's L. Returns a negative value
/// after recording an error on m.
double evalLip(wl_model *m, const std::vector<LipNode> &nodes) {
  return LipEvaluator(m, nodes).run();
}

} // namespace

} // namespace wlrt

using namespace wlrt;

namespace {

/// Runs body() for the bound entry point `fn` on model m: -1 when m is NULL
/// or body throws, with the error recorded on m (or the thread).
template <class F> double boundCall(wl_model *m, const char *fn, F &&body) {
  if (!m) {
    setError(nullptr, WL_ERR_ARG, std::string(fn) + ": model is NULL");
    return -1.0;
  }
  return catchAll(std::forward<F>(body), [&](const std::exception *e) {
    setCaughtError(m, fn, e);
    return -1.0;
  });
}

} // namespace

extern "C" {

WL_API double wl_layer_spectral_bound(wl_model *m, const char *layer) {
  const char *fn = "wl_layer_spectral_bound";
  return boundCall(m, fn, [&] {
    if (!layer) {
      setError(m, WL_ERR_ARG, std::string(fn) + ": layer is NULL");
      return -1.0;
    }
    int li = m->md->findLayer(layer);
    if (li < 0) {
      setError(m, WL_ERR_ARG,
               std::string(fn) + ": unknown layer '" + layer + "'");
      return -1.0;
    }
    return spectralBound(m, li, fn);
  });
}

WL_API double wl_lipschitz_bound(wl_model *m) {
  return boundCall(m, "wl_lipschitz_bound", [&] {
    if (!m->md->hasLipschitz) {
      setError(
          m, WL_ERR_ARG,
          "wl_lipschitz_bound: the model's metadata has no lipschitz graph");
      return -1.0;
    }
    return evalLip(m, m->md->lipschitz);
  });
}

} // extern "C"
