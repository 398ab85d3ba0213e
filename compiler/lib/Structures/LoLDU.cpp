//===- LoLDU.cpp - loldu(rank, alpha): only the LU's pivots train ---------===//
//
// LoLDU (SKDDJ/LoLDU, ALGORITHMS.md): the frozen base W0 = P L D U₁ by LU
// with partial pivoting at creation (wlrt_loldu_split); the first r pivots
// give (PL)_r [OUT, r] and U_r [r, IN] (both frozen) and z = D_r, the only
// trained tensor; the base keeps W_res = W0 − s·(PL)_r diag(D_r) U_r with
// s = alpha/r, so W_eff = W_res + s·(PL)_r diag(z) U_r equals W0 at creation.
//
//===----------------------------------------------------------------------===//
#include "wl/Structures/Structure.h"

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::ArgKind;
using lang::CallCategory;

namespace {

class LoLDU : public RankedStructure {
public:
  lang::CallSpec callSpec() const override {
    lang::CallSpec s =
        spec(CallCategory::Structure, "loldu",
             {atLeastOne(req("rank", ArgKind::Integer)),
              positive(opt("alpha", ArgKind::Number, std::nullopt))},
             "(alpha/r) (PL)_r diag(z) U_r of the LU of a frozen base; only z "
             "trains");
    s.needsFrozenBase = true;
    return s;
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &s) const override {
    int64_t r = s.getInt("rank");
    return {{"weight.loldu_z", {r}},
            {"weight.loldu_L", {out, r}, /*trainable=*/false},
            {"weight.loldu_U", {r, in}, /*trainable=*/false}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::LoLDU;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    return tb.init(InitKind::Zeros); // filled by the split
  }
  /// A spectral bound c bounds the adapter term s·(PL)_r diag(z) U_r: the
  /// frozen factors leave only z to move, so after every step z is scaled
  /// by c/σ_max when the product's σ_max (exact, through the r × r core)
  /// exceeds c/s.
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    return productBound(tb, role, "weight.loldu_L", "weight.loldu_U",
                        /*transposed=*/true, alphaOverRank(tb.call()),
                        ProductDiagonal{"weight.loldu_z", /*fixedFactors=*/true});
  }
  /// y = s · (((x U_rᵀ) · z) (PL)_rᵀ): dz never forms the dense gradient.
  Value apply(const TermBuilder &tb, Value x) const override {
    return applyDiagProduct(tb, x, "weight.loldu_L", "weight.loldu_z",
                            "weight.loldu_U",
                            /*rightTransposed=*/true, alphaOverRank(tb.call()));
  }
  std::optional<Resplit> resplit(const lang::Call &term) const override {
    return Resplit{ResplitKind::LoLDU,
                   {"weight.loldu_L", "weight.loldu_z", "weight.loldu_U"},
                   alphaOverRank(term)};
  }
};

} // namespace

namespace wl {
void registerLoLDU() {
  static LoLDU loldu;
  registerStructure(&loldu);
}
} // namespace wl
