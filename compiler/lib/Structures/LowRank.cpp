//===- LowRank.cpp - lowrank (U Vᵀ) and svd (U diag(s) Vᵀ) ----------------===//
#include "wl/Structures/Structure.h"

#include <cmath>

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::ArgKind;
using lang::CallCategory;

namespace {

/// U Vᵀ, U [OUT, r], V [IN, r]; y = U (Vᵀ x), W never formed.
class LowRank : public RankedStructure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "lowrank",
                {atLeastOne(req("rank", ArgKind::Integer)), initArg()},
                "U V^T with U [OUT, r], V [IN, r]");
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &s) const override {
    int64_t r = s.getInt("rank");
    return {{"weight.U", {out, r}}, {"weight.V", {in, r}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::LowRank;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    // Σ_r U V: r products per entry, each factor's std (r·IN)^(-1/4) gives
    // the dense init's variance 1/IN.
    return tb.initOr(
        tb.normal(std::pow(double(tb.call().getInt("rank")) * tb.in(), -0.25)));
  }
  /// A spectral bound clips the singular values of U Vᵀ exactly after
  /// every step (thin SVDs of U, V and the r × r core), W never formed.
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    return productBound(tb, role, "weight.U", "weight.V",
                        /*transposed=*/false, /*scale=*/1.0);
  }
  Value apply(const TermBuilder &tb, Value x) const override {
    int64_t r = tb.call().getInt("rank");
    Value v = tb.matmul(tb.rows(x, {r}), x, tb.param("weight.V"), false, false);
    return tb.matmul(tb.rows(x, {tb.out()}), v, tb.param("weight.U"), false,
                     true);
  }
};

/// U diag(s) Vᵀ with U, V orthonormal (the polar retraction after each
/// step): σ(W) = |s|, so a spectral bound clamps s.
class Svd : public RankedStructure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "svd",
                {atLeastOne(req("rank", ArgKind::Integer)), initArg()},
                "U diag(s) V^T with U, V orthonormal");
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &s) const override {
    int64_t r = s.getInt("rank");
    return {{"weight.U", {out, r}}, {"weight.s", {r}}, {"weight.V", {in, r}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Svd;
  }
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    if (role == "weight.s")
      return clampedScale(tb, StructureKind::Svd);
    return ParamSetup{tb.init(InitKind::Orthogonal),
                      {tb.retraction(StructureKind::Svd)}};
  }
  /// max |s| times sound bounds of ‖U‖ and ‖V‖ (about 1: retracted).
  BoundRule bound(const lang::Call &, bool alone) const override {
    return alone ? BoundRule::Svd : BoundRule::Gram;
  }
  /// y = ((x V) · s) Uᵀ.
  Value apply(const TermBuilder &tb, Value x) const override {
    return applySvd(tb, x);
  }
  Value weight(const TermBuilder &tb) const override {
    int64_t r = tb.call().getInt("rank");
    Value s = tb.param("weight.s");
    Value u = tb.param("weight.U");
    Value us =
        ScaleColumnsOp::create(tb.b, tb.loc, tb.matrix(tb.out(), r), u, s);
    return tb.matmul(tb.matrix(tb.out(), tb.in()), us, tb.param("weight.V"),
                     false, true);
  }
};

} // namespace

namespace wl {
Value applySvd(const TermBuilder &tb, Value x) {
  return applyDiagProduct(tb, x, "weight.U", "weight.s", "weight.V",
                          /*rightTransposed=*/false, /*scale=*/1.0);
}

Value applyDiagProduct(const TermBuilder &tb, Value x, StringRef left,
                       StringRef diag, StringRef right, bool rightTransposed,
                       double scale) {
  int64_t r = tb.call().getInt("rank");
  Value t = tb.matmul(tb.rows(x, {r}), x, tb.param(right), false,
                      /*transposeRhs=*/rightTransposed);
  t = ScaleColumnsOp::create(tb.b, tb.loc, tb.rows(x, {r}), t, tb.param(diag));
  Value y = tb.matmul(tb.rows(x, {tb.out()}), t, tb.param(left), false,
                      /*transposeRhs=*/true);
  if (scale == 1.0)
    return y;
  return ScaleOp::create(tb.b, tb.loc, y.getType(), y,
                         tb.b.getF64FloatAttr(scale));
}

double alphaOverRank(const lang::Call &term) {
  double r = double(term.getInt("rank"));
  return term.find("alpha") ? term.getNumber("alpha") / r : 1.0;
}

void registerLowRank() {
  static LowRank lowrank;
  registerStructure(&lowrank);
}
void registerSvd() {
  static Svd svd;
  registerStructure(&svd);
}
} // namespace wl
