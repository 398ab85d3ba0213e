//===- Sorsa.cpp - sorsa(rank, alpha, gamma): a trained top-r SVD ---------===//
//
// SORSA (Gunale0926/SORSA, ALGORITHMS.md): the frozen base W0 = U S Vᵀ by
// SVD at creation (wlrt_sorsa_split); A = V_rᵀ [r, IN], S = S_r [r] and
// B = U_r [OUT, r] all train; the base keeps W_res = W0 − s·B diag(S) A with
// s = alpha/r, so W_eff = W_res + s·B diag(S) A equals W0 at creation. A and
// B carry the orthonormal regulariser (`gamma`), which wl-generate-step adds
// to their gradients before the optimizer update.
//
//===----------------------------------------------------------------------===//
#include "wl/Structures/Structure.h"

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::ArgKind;
using lang::CallCategory;

namespace {

class Sorsa : public RankedStructure {
public:
  lang::CallSpec callSpec() const override {
    lang::CallSpec s =
        spec(CallCategory::Structure, "sorsa",
             {atLeastOne(req("rank", ArgKind::Integer)),
              positive(opt("alpha", ArgKind::Number, std::nullopt)),
              nonNegative(opt("gamma", ArgKind::Number, num(0)))},
             "(alpha/r) B diag(S) A from the top-r SVD of a frozen base; A, S "
             "and B train, with an orthonormal regulariser (gamma)");
    s.needsFrozenBase = true;
    return s;
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &s) const override {
    int64_t r = s.getInt("rank");
    return {{"weight.sorsa_A", {r, in}},
            {"weight.sorsa_S", {r}},
            {"weight.sorsa_B", {out, r}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Sorsa;
  }
  /// A spectral bound c bounds the adapter term s·B diag(S) A: the product
  /// clip at c/s, carried by S, re-splits B, S, A exactly after every step.
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    FailureOr<ParamSetup> setup =
        productBound(tb, role, "weight.sorsa_B", "weight.sorsa_A",
                     /*transposed=*/true, alphaOverRank(tb.call()),
                     ProductDiagonal{"weight.sorsa_S"});
    if (failed(setup) || role == "weight.sorsa_S")
      return setup;
    // A [r, IN] keeps orthonormal rows, B [OUT, r] orthonormal columns.
    double gamma = tb.call().getNumber("gamma");
    setup->penalty = OrthonormalPenaltyAttr::get(
        tb.b.getContext(), gamma, role == "weight.sorsa_B");
    return setup;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    return tb.init(InitKind::Zeros); // filled by the split
  }
  /// y = s · (((x Aᵀ) · S) Bᵀ): ΔW is never formed.
  Value apply(const TermBuilder &tb, Value x) const override {
    return applyDiagProduct(tb, x, "weight.sorsa_B", "weight.sorsa_S",
                            "weight.sorsa_A",
                            /*rightTransposed=*/true, alphaOverRank(tb.call()));
  }
  std::optional<Resplit> resplit(const lang::Call &term) const override {
    return Resplit{ResplitKind::Sorsa,
                   {"weight.sorsa_A", "weight.sorsa_S", "weight.sorsa_B"},
                   alphaOverRank(term)};
  }
};

} // namespace

namespace wl {
void registerSorsa() {
  static Sorsa sorsa;
  registerStructure(&sorsa);
}
} // namespace wl
