//===- Sst.cpp - sst(rank, every): sparse spectral training ---------------===//
//
// SST (ALGORITHMS.md): W = U diag(s) Vᵀ, the full thin SVD (m = min(OUT,
// IN)) of the initialiser's W0. s trains every step; each round of `every`
// steps, r sampled columns of U and V train with gradients without the s
// factor (wl.sst_product's VJP), and the round ends with a re-SVD. The mask
// of sampled columns is the frozen tensor `L.weight.sampled` [m], so a
// checkpoint resumes mid-round. The bookkeeping (initial SVD, clamp,
// normalisation, rounds) is wl.sst_round, which MLIRGen asks for by marking
// the layer (rounds()).
//
//===----------------------------------------------------------------------===//
#include "wl/Structures/Structure.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::ArgKind;
using lang::CallCategory;

namespace {

class Sst : public Structure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "sst",
                {atLeastOne(req("rank", ArgKind::Integer)),
                 atLeastOne(req("every", ArgKind::Integer)), initArg()},
                "U diag(s) Vᵀ, the full thin SVD of W0 (default init "
                "normal(std = 1/sqrt(IN))); s and r sampled columns of U, V "
                "train; re-SVD every `every` steps");
  }
  void checkShape(const lang::Linear &layer, lang::Call &term,
                  const lang::ErrorFn &error) const override {
    lang::checkRank(layer, term, "rank", error);
    // The layer's rounds are its one sst term's.
    if (layer.weight.terms.size() != 1)
      error(term.loc, "sst must be the only term of the weight of layer '" +
                          layer.name +
                          "' (its rounds re-decompose the whole weight)");
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &) const override {
    int64_t m = std::min(in, out);
    return {{"weight.U", {out, m}},
            {"weight.s", {m}},
            {"weight.V", {in, m}},
            {"weight.sampled", {m}, /*trainable=*/false}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Sst;
  }
  /// W0 is drawn into the factor of its shape: U [OUT, IN] when OUT ≥ IN,
  /// else V [IN, OUT] as W0ᵀ; wl.sst_round then splits it.
  FailureOr<InitAttr> init(const TermBuilder &tb,
                           StringRef role) const override {
    bool inU = tb.out() >= tb.in();
    if (role != (inU ? "weight.U" : "weight.V"))
      return tb.init(InitKind::Zeros);
    FailureOr<InitAttr> w0 =
        tb.initOr(tb.normal(1.0 / std::sqrt(double(tb.in()))));
    if (failed(w0) || inU || w0->getKind() != InitKind::From)
      return w0;
    return w0->asTransposed();
  }
  /// y = ((x V)·s) Uᵀ, with SST's gradients for U and V.
  Value apply(const TermBuilder &tb, Value x) const override {
    return SstProductOp::create(tb.b, tb.loc, tb.rows(x, {tb.out()}), x,
                                tb.param("weight.U"), tb.param("weight.s"),
                                tb.param("weight.V"));
  }
  std::optional<SstRounds> rounds(const lang::Call &term) const override {
    return SstRounds{term.getInt("rank"), term.getInt("every")};
  }
};

} // namespace

namespace wl {
void registerSst() {
  static Sst sst;
  registerStructure(&sst);
}
} // namespace wl
