//===- Orthogonal.cpp - orthogonal(method = cayley | exp | householder | polar)
//
// Q with QᵀQ = I (QQᵀ = I when OUT < IN): every singular value is 1, so
// `orthonormal` and `spectral_bound(c >= 1)` hold by the structure (by
// construction, or for polar as far as the projection after each step
// converges). ALGORITHMS.md has the maps and their VJPs.
//
//===----------------------------------------------------------------------===//
#include "wl/Structures/Structure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::ArgKind;
using lang::CallCategory;

namespace {

/// A number as a user writes it (%g): 1, 0.5, 1e-3.
std::string asWritten(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", v);
  return buffer;
}

class Orthogonal : public Structure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "orthogonal",
                {choice("method", {"cayley", "exp", "householder", "polar"},
                        std::string("cayley")),
                 atLeastOne(opt("reflectors", ArgKind::Integer, std::nullopt))},
                "Q with Q^T Q = I (Q Q^T = I when OUT < IN)");
  }
  void checkShape(const lang::Linear &l, lang::Call &s,
                  const lang::ErrorFn &error) const override {
    int64_t nmax = std::max(l.in, l.out);
    const lang::Arg *r = s.find("reflectors");
    if (kind(s) != StructureKind::OrthogonalHouseholder) {
      if (r)
        error(r->loc, "'reflectors' only applies to orthogonal(method = "
                      "householder), not method = " +
                          s.getName("method"));
    } else if (!r) { // n = max(IN, OUT) reflectors: any orthogonal Q
      lang::Arg d;
      d.key = "reflectors";
      d.value.kind = lang::Value::Kind::Number;
      d.value.number = static_cast<double>(nmax);
      d.value.isInteger = true;
      d.value.loc = s.loc;
      d.loc = s.loc;
      d.implicit = true;
      s.args.push_back(d);
    } else if (r->value.asInt() > nmax) {
      error(r->loc,
            "householder reflectors = " + std::to_string(r->value.asInt()) +
                " exceeds n = max(IN, OUT) = " + std::to_string(nmax) +
                lang::ofLayer(l));
    }
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &s) const override {
    int64_t n = std::max(in, out);
    switch (kind(s)) {
    case StructureKind::OrthogonalHouseholder:
      return {{"weight.v", {s.getInt("reflectors", n), n}}};
    case StructureKind::OrthogonalPolar:
      return {{"weight", {out, in}}};
    default:
      return {{"weight.S", {n, n}}};
    }
  }
  StructureKind kind(const lang::Call &s) const override {
    std::optional<StructureKind> kind =
        symbolizeStructureKind("orthogonal_" + s.getName("method", "cayley"));
    return kind.value_or(StructureKind::OrthogonalCayley);
  }
  /// sqrt(1 + ‖WᵀW − I‖_F): about 1 for Q, and still sound when other terms
  /// are added to it.
  BoundRule bound(const lang::Call &, bool) const override {
    return BoundRule::Orthonormal;
  }
  FailureOr<ParamSetup> setup(const TermBuilder &tb, StringRef) const override {
    StructureKind k = kind(tb.call());
    int64_t n = std::max(tb.in(), tb.out());
    ParamSetup setup;
    switch (k) {
    case StructureKind::OrthogonalPolar: // projected back after each step
      setup.init = tb.init(InitKind::Orthogonal);
      setup.constraints.push_back(tb.retraction(k));
      break;
    case StructureKind::OrthogonalHouseholder:
      setup.init = tb.normal(1.0);
      break;
    default:
      setup.init = tb.normal(1.0 / std::sqrt(double(n)));
    }
    for (const lang::Call &c : tb.getTerm().constraints) {
      Attribute a = tb.constraint(c, ConstraintOrigin::Structure, k);
      auto bound = dyn_cast<SpectralBoundAttr>(a);
      if (bound && bound.bound() < 1.0)
        return emitError(tb.locOf(c.loc))
                   << "spectral_bound(" << asWritten(c.getNumber("c"))
                   << ") cannot hold for orthogonal("
                   << tb.call().getName("method", "cayley")
                   << "): every singular value of an orthogonal weight is 1",
               failure();
      if (!bound && !isa<OrthonormalAttr>(a))
        return (void)tb.unsupported(c), failure();
      setup.constraints.push_back(a);
    }
    return setup;
  }
  Value apply(const TermBuilder &tb, Value x) const override {
    if (kind(tb.call()) != StructureKind::OrthogonalHouseholder)
      return tb.linear(x, weight(tb)); // the map forms W
    // H₁⋯H_k applied to the batch, Q never formed.
    return HouseholderOp::create(tb.b, tb.loc, tb.rows(x, {tb.out()}), x,
                                 tb.param("weight.v"));
  }
  Value weight(const TermBuilder &tb) const override {
    int64_t in = tb.in(), out = tb.out(), n = std::max(in, out);
    // A rectangular Q is the leading [OUT, IN] block of the square one.
    auto corner = [&](Value q) -> Value {
      if (in == n && out == n)
        return q;
      return LeadingBlockOp::create(tb.b, tb.loc, tb.matrix(out, in), q);
    };
    switch (kind(tb.call())) {
    case StructureKind::OrthogonalCayley:
      return corner(CayleyOp::create(tb.b, tb.loc, tb.matrix(n, n),
                                     tb.param("weight.S")));
    case StructureKind::OrthogonalExp:
      return corner(ExpSkewOp::create(tb.b, tb.loc, tb.matrix(n, n),
                                      tb.param("weight.S")));
    case StructureKind::OrthogonalHouseholder: {
      // Rows of Q·[I_IN; 0] restricted to OUT are the columns of W: Wᵀ, then
      // transposed.
      Value eye = EyeOp::create(tb.b, tb.loc, tb.matrix(in, in));
      Value wt = HouseholderOp::create(tb.b, tb.loc, tb.matrix(in, out), eye,
                                       tb.param("weight.v"));
      return TransposeOp::create(tb.b, tb.loc, tb.matrix(out, in), wt);
    }
    default:
      return tb.param("weight");
    }
  }
};

} // namespace

namespace wl {
void registerOrthogonal() {
  static Orthogonal orthogonal;
  registerStructure(&orthogonal);
}
} // namespace wl
