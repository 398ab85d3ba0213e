//===- Block.cpp - monarch (P L Pᵀ R) and blockdiag (diag(W_1..W_b)) ------===//
#include "wl/Structures/Structure.h"

#include <cmath>

using namespace mlir;
using namespace wl;
using namespace wl::lang::build;
using lang::ArgKind;
using lang::CallCategory;

namespace {

/// P L Pᵀ R (Dao et al. 2022): R [b, c, c] and L [c, b, b] block-diagonal,
/// IN = OUT = b·c.
class Monarch : public Structure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "monarch",
                {atLeastOne(req("blocks", ArgKind::Integer)), initArg()},
                "P L P^T R (Dao et al. 2022); IN = OUT = blocks * c");
  }
  void checkShape(const lang::Linear &l, lang::Call &s,
                  const lang::ErrorFn &error) const override {
    int64_t b = s.getInt("blocks");
    if (l.in != l.out)
      error(s.loc, "monarch needs a square layer (IN = OUT), but layer '" +
                       l.name + "' is " + std::to_string(l.in) + " -> " +
                       std::to_string(l.out));
    else if (l.in % b != 0)
      error(lang::argLoc(s, "blocks"),
            "monarch blocks = " + std::to_string(b) + " does not divide n = " +
                std::to_string(l.in) + lang::ofLayer(l));
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t,
                                      const lang::Call &s) const override {
    int64_t b = s.getInt("blocks", 1), c = b > 0 ? in / b : 0;
    return {{"weight.R", {b, c, c}}, {"weight.L", {c, b, b}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::Monarch;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    return tb.initOr(tb.normal(
        std::pow(double(tb.in()), -0.25))); // one product L·R per entry
  }
  /// σ(P L Pᵀ R) ≤ σ(L)·σ(R), each the largest block's: every block of L and
  /// R ≤ √c (sound; the slack is what the certificate reports). Orthogonal
  /// blocks make W orthogonal.
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    FactorShare share;
    share.spectral = [](double c) { return std::sqrt(c); };
    share.orthonormal = true;
    return throughFactor(tb, role, share);
  }
  BoundRule bound(const lang::Call &, bool alone) const override {
    return alone ? BoundRule::Monarch : BoundRule::Gram;
  }
  /// h[b,g,c'] = Σ_c R[g,c',c] x[b,g,c]; y[b,g',c'] = Σ_g L[c',g',g] h[b,g,c'].
  /// The permutation P is two explicit transposes of the activation (cheap
  /// copies), so both block products are dot products over contiguous rows
  /// (read through strides, the second one and its VJPs ran 30× slower).
  Value apply(const TermBuilder &tb, Value x) const override {
    int64_t blocks = tb.call().getInt("blocks"), c = tb.in() / blocks;
    Value x3 = tb.reshape(x, tb.rows(x, {blocks, c}));
    Value h = tb.contract(tb.rows(x, {blocks, c}), {tb.param("weight.R"), x3},
                          4, {{1, 2, 3}, {0, 1, 3}, {0, 1, 2}});
    Value ht = tb.contract(tb.rows(x, {c, blocks}), {h}, 3,
                           {{0, 2, 1}, {0, 1, 2}}); // [b, c', g]
    // yt[b,c',g'] = Σ_g L[c',g',g] ht[b,c',g]     loops (b, c', g', g)
    Value yt = tb.contract(tb.rows(x, {c, blocks}), {tb.param("weight.L"), ht},
                           4, {{1, 2, 3}, {0, 1, 3}, {0, 1, 2}});
    Value y3 =
        tb.contract(tb.rows(x, {blocks, c}), {yt}, 3, {{0, 2, 1}, {0, 1, 2}});
    return tb.reshape(y3, tb.rows(x, {tb.out()}));
  }
};

/// diag(W_1, ..., W_b), blocks [b, OUT/b, IN/b].
class BlockDiag : public Structure {
public:
  lang::CallSpec callSpec() const override {
    return spec(CallCategory::Structure, "blockdiag",
                {atLeastOne(req("blocks", ArgKind::Integer)), initArg()},
                "diag(W_1..W_b); blocks divides IN and OUT");
  }
  void checkShape(const lang::Linear &l, lang::Call &s,
                  const lang::ErrorFn &error) const override {
    int64_t b = s.getInt("blocks");
    if (l.in % b != 0 || l.out % b != 0)
      error(lang::argLoc(s, "blocks"),
            "blockdiag blocks = " + std::to_string(b) +
                " must divide both IN = " + std::to_string(l.in) +
                " and OUT = " + std::to_string(l.out) + lang::ofLayer(l));
  }
  std::vector<lang::ParamDecl> params(int64_t in, int64_t out,
                                      const lang::Call &s) const override {
    int64_t b = s.getInt("blocks", 1);
    return {{"weight.blocks", {b, b ? out / b : 0, b ? in / b : 0}}};
  }
  StructureKind kind(const lang::Call &) const override {
    return StructureKind::BlockDiag;
  }
  FailureOr<InitAttr> init(const TermBuilder &tb, StringRef) const override {
    // fan-in IN/b
    return tb.initOr(tb.normal(
        1.0 / std::sqrt(tb.in() / double(tb.call().getInt("blocks")))));
  }
  /// σ(W) is the largest block's and each row or column lies in one block:
  /// spectral, row and column bounds and orthonormality hold exactly block
  /// by block (OFT/BOFT's orthogonal blocks); ‖W‖_F² sums the blocks', so
  /// each block gets c/√b (sound).
  FailureOr<ParamSetup> setup(const TermBuilder &tb,
                              StringRef role) const override {
    double blocks = double(tb.call().getInt("blocks"));
    FactorShare share;
    share.spectral = share.rowOrColumn = [](double c) { return c; };
    share.orthonormal = true;
    share.frobenius = [blocks](double c) { return c / std::sqrt(blocks); };
    return throughFactor(tb, role, share);
  }
  BoundRule bound(const lang::Call &, bool alone) const override {
    return alone ? BoundRule::BlockMax : BoundRule::Gram;
  }
  /// y[b,g,o] = Σ_i W[g,o,i] x[b,g,i]
  Value apply(const TermBuilder &tb, Value x) const override {
    int64_t blocks = tb.call().getInt("blocks");
    Value x3 = tb.reshape(x, tb.rows(x, {blocks, tb.in() / blocks}));
    Value y3 = tb.contract(tb.rows(x, {blocks, tb.out() / blocks}),
                           {tb.param("weight.blocks"), x3}, 4,
                           {{1, 2, 3}, {0, 1, 3}, {0, 1, 2}});
    return tb.reshape(y3, tb.rows(x, {tb.out()}));
  }
};

} // namespace

namespace wl {
void registerMonarch() {
  static Monarch monarch;
  registerStructure(&monarch);
}
void registerBlockDiag() {
  static BlockDiag blockdiag;
  registerStructure(&blockdiag);
}
} // namespace wl
