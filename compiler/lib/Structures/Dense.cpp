//===- Dense.cpp - dense, frozen and diagonal weights ---------------------===//
//
// The structures whose tensor is W itself or its diagonal (LANGUAGE.md,
// "Structures"; ALGORITHMS.md for the initialisers).
//
//===----------------------------------------------------------------------===//
#include "wl/Structures/Structure.h"

#include <cmath>

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::CallCategory;

namespace {

/// W itself, [OUT, IN]: every constraint applies to it directly.
class Dense : public Structure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "dense", {initArg()},
                "W itself, [OUT, IN]; default init normal(std = 1/sqrt(IN))");
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &) const override {
    return {{"weight", {out, in}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Dense;
  }
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    ParamSetup setup;
    for (const lang::Call &c : tb.getTerm().constraints)
      setup.constraints.push_back(tb.constraint(c, ConstraintOrigin::Written));
    // The default: normal with std 1/sqrt(IN).
    FailureOr<InitAttr> init =
        tb.initOr(tb.normal(1.0 / std::sqrt(double(tb.in()))));
    if (failed(init))
      return failure();
    setup.init = *init;
    return setup;
  }
  Value apply(const TermBuilder &tb, Value x) const override {
    return tb.linear(x, tb.param("weight"));
  }
  Value weight(const TermBuilder &tb) const override {
    return tb.param("weight");
  }
};

/// A fixed base W0 that the adapters build on.
class Frozen : public Structure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "frozen",
                {req("init", lang::ArgKind::Init)},
                "a fixed base W0 (not trainable)");
  }
  bool isFrozenBase() const override { return true; }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &) const override {
    return {{"weight.base", {out, in}, /*trainable=*/false}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Frozen;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    return tb.initOr(tb.init(InitKind::Zeros)); // `init` is required
  }
  Value apply(const TermBuilder &tb, Value x) const override {
    return tb.linear(x, tb.param("weight.base"));
  }
};

/// diag(d): σ(W) = |d|, so a spectral bound clamps d (exact).
class Diagonal : public Structure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "diagonal", {initArg()},
                "diag(d); IN = OUT");
  }
  void checkShape(const lang::Linear &l, lang::Call &s,
                  const lang::ErrorFn &error) const override {
    if (l.in != l.out)
      error(s.loc, "diagonal needs a square layer (IN = OUT), but layer '" +
                       l.name + "' is " + std::to_string(l.in) + " -> " +
                       std::to_string(l.out));
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t,
                                      const lang::Call &) const override {
    return {{"weight.d", {in}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Diagonal;
  }
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    return clampedScale(tb, StructureKind::Diagonal);
  }
  /// σ(W) = max |d| exactly, without forming W.
  BoundRule bound(const lang::Call &, bool alone) const override {
    return alone ? BoundRule::MaxAbs : BoundRule::Gram;
  }
  Value apply(const TermBuilder &tb, Value x) const override {
    return ScaleColumnsOp::create(tb.b, tb.loc, tb.rows(x, {tb.out()}), x,
                                  tb.param("weight.d"));
  }
  Value weight(const TermBuilder &tb) const override {
    int64_t n = std::max(tb.in(), tb.out());
    Value d = tb.param("weight.d");
    Value eye = EyeOp::create(tb.b, tb.loc, tb.matrix(n, n));
    return ScaleColumnsOp::create(tb.b, tb.loc, tb.matrix(n, n), eye, d);
  }

  /// The scale of `diagonal` (d) and `svd` (s): ones unless written; a
  /// spectral bound is the exact clamp of its entries.
  static FailureOr<ParamSetup> clampedScale(const TermBuilder &tb,
                                            StructureKind kind) {
    ParamSetup setup;
    FailureOr<InitAttr> init = tb.initOr(tb.init(InitKind::Ones));
    if (failed(init))
      return failure();
    setup.init = *init;
    for (const lang::Call &c : tb.getTerm().constraints) {
      auto bound = dyn_cast_or_null<SpectralBoundAttr>(
          tb.constraint(c, ConstraintOrigin::Written));
      if (!bound)
        return (void)tb.unsupported(c), failure();
      setup.constraints.push_back(SpectralBoundAttr::get(
          tb.b.getContext(), bound.getC(), SpectralMethod::Clamp,
          /*strict=*/false, bound.getLoc(), ConstraintOrigin::Written,
          StructureKindAttr::get(tb.b.getContext(), kind)));
    }
    return setup;
  }
};

} // namespace

namespace wl {
FailureOr<ParamSetup> clampedScale(const TermBuilder &tb, StructureKind kind) {
  return Diagonal::clampedScale(tb, kind);
}

void registerDense() {
  static Dense dense;
  registerStructure(&dense);
}
void registerFrozen() {
  static Frozen frozen;
  registerStructure(&frozen);
}
void registerDiagonal() {
  static Diagonal diagonal;
  registerStructure(&diagonal);
}
} // namespace wl
