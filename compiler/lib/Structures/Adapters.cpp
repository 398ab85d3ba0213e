//===- Adapters.cpp - lora, bone, svfit: trained updates of a frozen base -===//
//
// Each follows a frozen(...) term of the same weight (Sema checks it); the
// formulas and initialisers are ALGORITHMS.md's.
//
//===----------------------------------------------------------------------===//
#include "wl/Structures/Structure.h"

#include <cmath>

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::ArgKind;
using lang::CallCategory;

namespace {

/// (alpha/rank) B A (PEFT LoRA); with init = pissa, A and B are the top-r
/// SVD of the base, which keeps the residual, and the scale is 1.
class Lora : public RankedStructure {
public:
  lang::CallSpec callSpec() const override {
    lang::CallSpec s =
        spec(CallCategory::Structure, "lora",
             {atLeastOne(opt("rank", ArgKind::Integer, integer(8))),
              positive(opt("alpha", ArgKind::Number, num(8))),
              opt("init", ArgKind::Init, ident("gaussian"))},
             "(alpha/rank) B A after a frozen base (PEFT LoRA)");
    s.extraInits = {"gaussian", "pissa"};
    s.onlyExtraInits = true;
    s.needsFrozenBase = true;
    return s;
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &s) const override {
    int64_t r = s.getInt("rank", 8);
    return {{"weight.lora_A", {r, in}}, {"weight.lora_B", {out, r}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Lora;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb,
                           StringRef role) const override {
    if (isPissa(tb.call()) ||
        role == "weight.lora_B") // the split fills them; ΔW starts at 0
      return tb.init(InitKind::Zeros);
    return tb.uniform(
        1.0 / std::sqrt(double(tb.in()))); // A ~ U(-1/sqrt(IN), 1/sqrt(IN))
  }
  /// A spectral bound c bounds the adapter term ΔW = s·B A (s = alpha/r):
  /// the singular values of B A are clipped at c/s exactly after every step
  /// (B is U, A is Vᵀ of the product clip).
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    return productBound(tb, role, "weight.lora_B", "weight.lora_A",
                        /*transposed=*/true, scale(tb.call()));
  }
  /// y = B (scale · A x): the scale goes on the r-wide activations, not on
  /// the OUT-wide result (a pass over rows × r elements instead of rows ×
  /// OUT; its VJP scales the r-wide gradient too).
  Value apply(const TermBuilder &tb, Value x) const override {
    const lang::Call &s = tb.call();
    int64_t r = s.getInt("rank", 8);
    Value a =
        tb.matmul(tb.rows(x, {r}), x, tb.param("weight.lora_A"), false, true);
    bool pissa = isPissa(s);
    if (const lang::Arg *alpha = s.find("alpha");
        pissa && alpha && !alpha->implicit)
      tb.warnOnce(s, alpha->loc,
                  "alpha has no effect with init = pissa: the re-split base "
                  "and factors "
                  "reproduce W0 with scale 1");
    if (scale(s) != 1.0)
      a = ScaleOp::create(tb.b, tb.loc, a.getType(), a,
                          tb.b.getF64FloatAttr(scale(s)));
    return tb.matmul(tb.rows(x, {tb.out()}), a, tb.param("weight.lora_B"),
                     false, true);
  }
  std::optional<Resplit> resplit(const lang::Call &s) const override {
    if (!isPissa(s))
      return std::nullopt;
    return Resplit{ResplitKind::Pissa, {"weight.lora_A", "weight.lora_B"}};
  }

private:
  static bool isPissa(const lang::Call &s) {
    return s.getName("init") == "pissa";
  }
  /// alpha/rank; 1 with init = pissa.
  static double scale(const lang::Call &s) {
    return isPissa(s) ? 1.0
                      : s.getNumber("alpha", 8) / double(s.getInt("rank", 8));
  }
};

/// Bone / MiSS: `shared` adds S·B with S the column blocks of x summed
/// (B [r, OUT]); `bat` is ΔW(i,j) = W0(i,j) B_i + B_i with r × r blocks.
class Bone : public Structure {
public:
  lang::CallSpec callSpec() const override {
    lang::CallSpec s =
        spec(CallCategory::Structure, "bone",
             {atLeastOne(opt("block", ArgKind::Integer, integer(64))),
              choice("mode", {"shared", "bat"}, std::string("shared"))},
             "Bone / MiSS block update of a frozen base");
    s.needsFrozenBase = true;
    return s;
  }
  void checkShape(const lang::Linear &l, lang::Call &s,
                  const lang::ErrorFn &error) const override {
    int64_t b = s.getInt("block");
    if (isBat(s) && (l.in % b != 0 || l.out % b != 0))
      error(lang::argLoc(s, "block"),
            "bone(mode = bat) block = " + std::to_string(b) +
                " must divide both IN = " + std::to_string(l.in) +
                " and OUT = " + std::to_string(l.out) + lang::ofLayer(l));
    else if (!isBat(s) && l.in % b != 0)
      error(lang::argLoc(s, "block"),
            "bone block = " + std::to_string(b) + " does not divide IN = " +
                std::to_string(l.in) + lang::ofLayer(l));
  }
  std::vector<lang::ParamDecl> params(int64_t, int64_t out,
                                      const lang::Call &s) const override {
    int64_t r = s.getInt("block", 64);
    if (isBat(s))
      return {{"weight.bone_B", {r ? out / r : 0, r, r}}};
    return {{"weight.bone_B", {r, out}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Bone;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    return tb.init(InitKind::Zeros); // ΔW starts at 0
  }
  /// `shared`: ΔW = Bᵀ(1ᵀ ⊗ I) repeats Bᵀ over the IN/r column blocks, so
  /// σ(ΔW) = √(IN/r)·σ(B) exactly and a bound c on the term is c/√(IN/r)
  /// on B. `bat`'s ΔW mixes B with the base (row block i is M_i (I ⊗ B_i),
  /// M = base + (1ᵀ ⊗ I)): every B_i is scaled against the base's blocks
  /// at run time, a sound bound.
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    if (isBat(tb.call()))
      return rowBlockBound(tb, role);
    FactorShare share;
    double repeats = double(tb.in() / tb.call().getInt("block", 64));
    share.spectral = [repeats](double c) { return c / std::sqrt(repeats); };
    return throughFactor(tb, role, share);
  }
  Value apply(const TermBuilder &tb, Value x) const override {
    int64_t r = tb.call().getInt("block", 64), in = tb.in(), out = tb.out();
    Value x3 = tb.reshape(x, tb.rows(x, {in / r, r}));
    // S[b,q] = Σ_j x[b,j,q]: the column blocks summed.
    Value sum = tb.contract(tb.rows(x, {r}), {x3}, 3, {{0, 1, 2}, {0, 2}});
    if (!isBat(tb.call())) // y = S B (B [r, OUT])
      return tb.matmul(tb.rows(x, {out}), sum, tb.param("weight.bone_B"), false,
                       false);
    // y_i = Σ_j W0(i,j) (B_i x_j) + B_i Σ_j x_j.
    int64_t ni = out / r, nj = in / r;
    Value bi = tb.param("weight.bone_B"); // [ni, r, r]
    Value w4 = tb.reshape(tb.frozenBase(),
                          RankedTensorType::get({ni, r, nj, r}, tb.f32()));
    // z[b,i,j,q] = Σ_p B[i,q,p] x[b,j,p]     loops (b, i, j, q, p)
    Value z = tb.contract(tb.rows(x, {ni, nj, r}), {bi, x3}, 5,
                          {{1, 3, 4}, {0, 2, 4}, {0, 1, 2, 3}});
    // y1[b,i,o] = Σ_{j,q} W0[i,o,j,q] z[b,i,j,q]   loops (b, i, o, j, q)
    Value y1 = tb.contract(tb.rows(x, {ni, r}), {w4, z}, 5,
                           {{1, 2, 3, 4}, {0, 1, 3, 4}, {0, 1, 2}});
    // y2[b,i,o] = Σ_q B[i,o,q] S[b,q]               loops (b, i, o, q)
    Value y2 = tb.contract(tb.rows(x, {ni, r}), {bi, sum}, 4,
                           {{1, 2, 3}, {0, 3}, {0, 1, 2}});
    Value y3 = AddOp::create(tb.b, tb.loc, y1.getType(), y1, y2);
    return tb.reshape(y3, tb.rows(x, {out}));
  }

private:
  static bool isBat(const lang::Call &s) { return s.getName("mode") == "bat"; }
};

/// SVFit: the base's top-r SVD U diag(s) Vᵀ split off at creation; only s
/// trains (U and V frozen).
class SvFit : public RankedStructure {
public:
  lang::CallSpec callSpec() const override {
    lang::CallSpec s =
        spec(CallCategory::Structure, "svfit",
             {atLeastOne(req("rank", ArgKind::Integer))},
             "trains the top-r singular values of a frozen base");
    s.needsFrozenBase = true;
    return s;
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &s) const override {
    int64_t r = s.getInt("rank");
    return {{"weight.s", {r}},
            {"weight.U", {out, r}, false},
            {"weight.V", {in, r}, false}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::SvFit;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    return tb.init(InitKind::Zeros); // filled by the split
  }
  /// ΔW = U diag(s) Vᵀ with U, V the base's (frozen, orthonormal) singular
  /// vectors: a bound c on the term clamps |s| (exact).
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    if (role == "weight.s") {
      FailureOr<ParamSetup> scale = clampedScale(tb, StructureKind::SvFit);
      if (succeeded(scale))
        scale->init = tb.init(InitKind::Zeros); // filled by the split
      return scale;
    }
    return ParamSetup{tb.init(InitKind::Zeros), {}};
  }
  Value apply(const TermBuilder &tb, Value x) const override {
    return applySvd(tb, x);
  }
  std::optional<Resplit> resplit(const lang::Call &) const override {
    return Resplit{ResplitKind::SvFit, {"weight.U", "weight.s", "weight.V"}};
  }
};

} // namespace

namespace wl {
void registerLora() {
  static Lora lora;
  registerStructure(&lora);
}
void registerBone() {
  static Bone bone;
  registerStructure(&bone);
}
void registerSvFit() {
  static SvFit svfit;
  registerStructure(&svfit);
}
} // namespace wl
