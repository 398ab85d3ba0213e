//===- Kronecker.cpp - Σ_k A_k ⊗ B_k, and its kpsvd split -----------------===//
#include "wl/Structures/Structure.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::ArgKind;
using lang::CallCategory;

namespace {

/// [m, n] of the `a` or `b` argument.
std::pair<int64_t, int64_t> shape2(const lang::Call &s,
                                   const std::string &key) {
  const lang::Arg *a = s.find(key);
  return {a->value.elems[0].asInt(), a->value.elems[1].asInt()};
}

/// OUT = m1·m2, IN = n1·n2; A [k, m1, n1], B [k, m2, n2]. With init = kpsvd
/// the factors are the best k-term approximation of the frozen base (Van
/// Loan–Pitsianis), which keeps the residual.
class Kronecker : public Structure {
public:
  lang::CallSpec callSpec() const override {
    lang::CallSpec s = spec(
        CallCategory::Structure, "kronecker",
        {req("a", ArgKind::Shape2), req("b", ArgKind::Shape2),
         atLeastOne(opt("terms", ArgKind::Integer, integer(1))), initArg()},
        "sum_i A_i (x) B_i; OUT = m1*m2, IN = n1*n2");
    s.extraInits = {"kpsvd"};
    return s;
  }
  bool needsFrozenBase(const lang::Call &s) const override {
    return isKpSvd(s);
  }
  void checkShape(const lang::Linear &l, lang::Call &s,
                  const lang::ErrorFn &error) const override {
    auto [m1, n1] = shape2(s, "a");
    auto [m2, n2] = shape2(s, "b");
    if (m1 * m2 != l.out || n1 * n2 != l.in)
      error(s.loc, "kronecker a = [" + std::to_string(m1) + ", " +
                       std::to_string(n1) + "], b = [" + std::to_string(m2) +
                       ", " + std::to_string(n2) + "] gives W of shape [" +
                       std::to_string(m1 * m2) + ", " +
                       std::to_string(n1 * n2) + "], but layer '" + l.name +
                       "' needs [" + std::to_string(l.out) + ", " +
                       std::to_string(l.in) + "] (OUT = m1*m2, IN = n1*n2)");
    int64_t k = s.getInt("terms"), maxTerms = std::min(m1 * n1, m2 * n2);
    if (k > maxTerms)
      error(lang::argLoc(s, "terms"), "kronecker terms = " + std::to_string(k) +
                                          " exceeds the largest useful number "
                                          "of terms, min(m1*n1, m2*n2) = " +
                                          std::to_string(maxTerms));
  }
  std::vector<lang::ParamDecl> params(int64_t, int64_t,
                                      const lang::Call &s) const override {
    const lang::Arg *a = s.find("a"), *b = s.find("b");
    if (!a || !b || a->value.elems.size() != 2 || b->value.elems.size() != 2)
      return {};
    int64_t k = s.getInt("terms", 1);
    auto [m1, n1] = shape2(s, "a");
    auto [m2, n2] = shape2(s, "b");
    return {{"weight.A", {k, m1, n1}}, {"weight.B", {k, m2, n2}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Kronecker;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    if (isKpSvd(tb.call())) // filled by the split
      return tb.init(InitKind::Zeros);
    // Σ_k A⊗B: k products per entry.
    return tb.initOr(tb.normal(
        std::pow(double(tb.call().getInt("terms", 1)) * tb.in(), -0.25)));
  }
  /// σ(Σ_i A_i ⊗ B_i) ≤ Σ_i σ(A_i)σ(B_i): every A_i and B_i ≤ √(c/k)
  /// (exact for one term: σ(A⊗B) = σ(A)σ(B), and any W = A⊗B with σ(W) ≤ c
  /// has such a split); row, column and Frobenius norms factor the same way
  /// for one term, and orthogonal factors give an orthogonal product.
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    double k = double(tb.call().getInt("terms", 1));
    FactorShare share;
    share.spectral = [k](double c) { return std::sqrt(c / k); };
    auto [m1, n1] = shape2(tb.call(), "a");
    auto [m2, n2] = shape2(tb.call(), "b");
    // A⊗B is orthonormal from orthonormal factors only when both face W's
    // way (AᵀA = BᵀB = I, or AAᵀ = BBᵀ = I); a tall A with a wide B is not.
    bool sameWay = (m1 >= n1 && m2 >= n2) || (m1 <= n1 && m2 <= n2);
    if (k == 1) {
      share.orthonormal = sameWay;
      share.rowOrColumn =
          share.frobenius = [](double c) { return std::sqrt(c); };
    }
    return throughFactor(tb, role, share);
  }
  BoundRule bound(const lang::Call &, bool alone) const override {
    return alone ? BoundRule::Kronecker : BoundRule::Gram;
  }
  /// Row-major (A ⊗ B) vec(X) = vec(A X Bᵀ), X = x as [n1, n2], as two
  /// GEMMs over the whole batch (the packed kernels' fast path) and two
  /// permuting copies of the activations (wl.contract of one operand):
  ///   T[b·j1, k·i2] = Σ_j2 X[b·j1, j2] B[k·i2, j2]       (GEMM 1)
  ///   P[b, i2, k, j1] = T[b, j1, k, i2]                   (copy)
  ///   Z[b·i2, i1] = Σ_{k,j1} P[b·i2, k·j1] Ã[i1, k·j1]    (GEMM 2)
  ///   Y[b, i1, i2] = Z[b, i2, i1]                         (copy)
  /// with Ã[i1, k, j1] = A[k, i1, j1] (a copy of the small factor).
  Value apply(const TermBuilder &tb, Value x) const override {
    auto [m1, n1] = shape2(tb.call(), "a");
    auto [m2, n2] = shape2(tb.call(), "b");
    int64_t k = tb.call().getInt("terms", 1);
    Type f32 = tb.f32();
    int64_t batch = cast<RankedTensorType>(x.getType()).getDimSize(0);
    // [B·f, cols]: the batch merged with the f rows that follow it.
    auto merged = [&](int64_t f, int64_t cols) {
      return RankedTensorType::get(
          {ShapedType::isDynamic(batch) ? ShapedType::kDynamic : batch * f,
           cols},
          f32);
    };
    auto permute = [&](Value v, RankedTensorType type,
                       SmallVector<unsigned> from, SmallVector<unsigned> to) {
      return tb.contract(type, {v}, unsigned(from.size()), {from, to});
    };
    Value x2 = tb.reshape(tb.reshape(x, tb.rows(x, {n1, n2})), merged(n1, n2));
    Value b2 = tb.reshape(tb.param("weight.B"), tb.matrix(k * m2, n2));
    Value t = tb.matmul(merged(n1, k * m2), x2, b2, false, true);
    // loops (b, j1, k, i2) of T [b, j1, k, i2] into P [b, i2, k, j1].
    Value t4 = tb.reshape(t, tb.rows(x, {n1, k, m2}));
    Value p = permute(t4, tb.rows(x, {m2, k, n1}), {0, 1, 2, 3}, {0, 3, 2, 1});
    Value p2 = tb.reshape(p, merged(m2, k * n1));
    // loops (k, i1, j1) of A [k, i1, j1] into Ã [i1, k, j1].
    Value a3 = permute(tb.param("weight.A"),
                       RankedTensorType::get({m1, k, n1}, f32), {0, 1, 2},
                       {1, 0, 2});
    Value a2 = tb.reshape(a3, tb.matrix(m1, k * n1));
    Value z = tb.matmul(merged(m2, m1), p2, a2, false, true);
    // loops (b, i2, i1) of Z [b, i2, i1] into Y [b, i1, i2].
    Value z3 = tb.reshape(z, tb.rows(x, {m2, m1}));
    Value y3 = permute(z3, tb.rows(x, {m1, m2}), {0, 1, 2}, {0, 2, 1});
    return tb.reshape(y3, tb.rows(x, {tb.out()}));
  }
  std::optional<Resplit> resplit(const lang::Call &s) const override {
    if (!isKpSvd(s))
      return std::nullopt;
    return Resplit{ResplitKind::KpSvd, {"weight.A", "weight.B"}};
  }

private:
  static bool isKpSvd(const lang::Call &s) {
    return s.getName("init") == "kpsvd";
  }
};

} // namespace

namespace wl {
void registerKronecker() {
  static Kronecker kronecker;
  registerStructure(&kronecker);
}
} // namespace wl
