//===- Structure.h - One spec per weight structure --------------*- C++ -*-===//
//
// Each structure of LANGUAGE.md is one class derived from `Structure`, in one
// file of compiler/lib/Structures: its table entry, shape rule and tensors
// (the language side, lang::StructureRules), and how MLIRGen emits it -- the
// dialect kind, each tensor's initialiser and constraints, the term applied
// to a batch, its weight in closed form, its certificate's rule, its
// creation-time split. Adding a
// structure is adding such a file and a line in registerStructures()
// (Structure.cpp); lang/README.md has the steps.
//
//===----------------------------------------------------------------------===//
#ifndef WL_STRUCTURES_STRUCTURE_H
#define WL_STRUCTURES_STRUCTURE_H

#include "wl/Dialect/WL/IR/WL.h"
#include "wl/Lang/Structure.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <functional>
#include <optional>

namespace wl {

/// What a structure needs from MLIRGen while it emits one term of one layer:
/// the builder, the term, its tensors, and the few op-building helpers every
/// structure shares.
class TermBuilder {
public:
  TermBuilder(mlir::OpBuilder &builder, const lang::Model &model,
              const lang::Linear &layer, size_t term, mlir::Location loc,
              llvm::SmallPtrSetImpl<const void *> &warned)
      : b(builder), model(model), layer(layer), term(term), loc(loc),
        warned(warned) {}

  mlir::OpBuilder &b;
  const lang::Model &model;
  const lang::Linear &layer;
  /// The index of the term in the layer's weight.
  const size_t term;
  const mlir::Location loc;

  const lang::Term &getTerm() const { return layer.weight.terms[term]; }
  const lang::Call &call() const { return getTerm().structure; }
  int64_t in() const { return layer.in; }
  int64_t out() const { return layer.out; }

  /// An AST location as an MLIR one (file:line:col).
  mlir::Location locOf(const lang::Loc &l) const;
  /// The tensor `role` ("weight.U") of this term, read.
  mlir::Value param(llvm::StringRef role) const;
  /// The symbol of the tensor `role` of this term.
  std::string paramName(llvm::StringRef role) const;
  /// The frozen base of the layer (another term), read; null if none.
  mlir::Value frozenBase() const;

  mlir::Type f32() const { return b.getF32Type(); }
  mlir::RankedTensorType matrix(int64_t rows, int64_t cols) const;
  /// [B, dims...] with the batch size of `x`.
  mlir::RankedTensorType rows(mlir::Value x,
                              llvm::ArrayRef<int64_t> dims) const;
  /// wl.contract over `loops` loops: maps[i] lists the loop dims indexing
  /// operand i, the last list the result's.
  mlir::Value contract(mlir::RankedTensorType type, mlir::ValueRange operands,
                       unsigned loops,
                       llvm::ArrayRef<llvm::SmallVector<unsigned>> maps) const;
  mlir::Value reshape(mlir::Value x, mlir::RankedTensorType type) const;
  /// x Wᵀ (wl.linear) and op(A)·op(B) (wl.matmul).
  mlir::Value linear(mlir::Value x, mlir::Value w) const;
  mlir::Value matmul(mlir::Type type, mlir::Value lhs, mlir::Value rhs,
                     bool transposeLhs, bool transposeRhs) const;

  /// Initialisers.
  InitAttr init(InitKind kind) const {
    return InitAttr::get(b.getContext(), kind);
  }
  InitAttr normal(double std) const {
    return InitAttr::getNormal(b.getContext(), std);
  }
  InitAttr uniform(double a) const {
    return InitAttr::getUniform(b.getContext(), a);
  }
  /// An initialiser as written (`init = normal(std = 0.1)`, `zeros`,
  /// `from(...)`: the file is resolved against the .wl file's directory).
  mlir::FailureOr<InitAttr> writtenInit(const lang::Call &init) const;
  /// The term's `init = ...` if written, else `fallback`.
  mlir::FailureOr<InitAttr> initOr(InitAttr fallback) const;

  /// A written constraint as its attribute (null when unknown).
  mlir::Attribute
  constraint(const lang::Call &c, ConstraintOrigin origin,
             std::optional<StructureKind> structure = std::nullopt) const;
  /// The retraction that keeps a factor of `kind` orthonormal after each step.
  mlir::Attribute retraction(StructureKind kind) const;
  /// "constraint 'c' on structure 's' is not supported yet".
  mlir::LogicalResult unsupported(const lang::Call &constraint) const;
  /// A warning given once per call, however often the term is emitted.
  void warnOnce(const lang::Call &call, const lang::Loc &at,
                const llvm::Twine &message) const;

private:
  llvm::SmallPtrSetImpl<const void *> &warned;
};

/// One tensor's setup: its initialiser and the constraints enforced on it.
struct ParamSetup {
  InitAttr init;
  llvm::SmallVector<mlir::Attribute> constraints;
  /// SORSA's orthonormal regulariser on this factor (wl.param's
  /// `orthonormal_penalty`), null when none.
  OrthonormalPenaltyAttr penalty = nullptr;
};

/// A creation-time split of the frozen base into trainable factors (the
/// factors' roles in the runtime routine's order, wlgen.h).
struct Resplit {
  ResplitKind kind;
  llvm::SmallVector<llvm::StringRef> roles;
  /// The adapter's scale, when the residual depends on it.
  std::optional<double> scale = std::nullopt;
};

/// The rounds of sparse spectral training (sst): the r columns sampled per
/// round and the round's length in steps.
struct SstRounds {
  int64_t rank, every;
};

class Structure : public lang::StructureRules {
public:
  /// The term's kind in the dialect.
  virtual StructureKind kind(const lang::Call &term) const = 0;
  /// Initialiser and constraints of the tensor `role` (one of params()).
  /// The default takes no constraint ("not supported yet").
  virtual mlir::FailureOr<ParamSetup> setup(const TermBuilder &tb,
                                            llvm::StringRef role) const;
  /// The initialiser of `role` when the structure takes no constraint.
  virtual mlir::FailureOr<InitAttr> init(const TermBuilder &tb,
                                         llvm::StringRef role) const;
  /// The term applied to x [B, IN]: [B, OUT], W never formed where the
  /// structure avoids it.
  virtual mlir::Value apply(const TermBuilder &tb, mlir::Value x) const = 0;
  /// W [OUT, IN] where the structure forms it anyway or it is cheap, else
  /// null (then W is the layer applied to the identity).
  virtual mlir::Value weight(const TermBuilder &tb) const { return nullptr; }
  /// How the certificate bounds the spectral norm of a layer whose weight
  /// starts with this term (`alone`: the only term). Gram iteration on the
  /// weight is sound for every structure; a structure whose algebra gives a
  /// cheaper or tighter sound bound names its rule (ALGORITHMS.md,
  /// Certificates).
  virtual BoundRule bound(const lang::Call &term, bool alone) const {
    return BoundRule::Gram;
  }
  /// The creation-time split of the frozen base this term asks for.
  virtual std::optional<Resplit> resplit(const lang::Call &term) const {
    return std::nullopt;
  }
  /// The rounds this term trains in (sst): MLIRGen marks the layer, so the
  /// step and @project do its bookkeeping (wl.sst_round).
  virtual std::optional<SstRounds> rounds(const lang::Call &term) const {
    return std::nullopt;
  }
};

/// A structure with a `rank` argument: its shape rule is rank <= min(IN, OUT).
class RankedStructure : public Structure {
public:
  void checkShape(const lang::Linear &layer, lang::Call &term,
                  const lang::ErrorFn &error) const final {
    lang::checkRank(layer, term, "rank", error);
  }
};

/// Registers every structure with the frontend; call before parsing.
void registerStructures();
/// The structure of a (checked) term.
const Structure &lookupStructure(const lang::Call &term);
/// An initialiser call as its attribute (`from`'s file resolved against the
/// .wl file's directory; an error when it does not exist).
mlir::FailureOr<InitAttr> initFromCall(mlir::OpBuilder &b,
                                       const lang::Call &init);

/// The scale of `diagonal` (d) and `svd` (s): ones unless written; a
/// spectral bound is the exact clamp of its entries (σ(W) = |d|).
mlir::FailureOr<ParamSetup> clampedScale(const TermBuilder &tb,
                                         StructureKind kind);

/// y = ((x V) · s) Uᵀ: the application of `svd` and `svfit`.
mlir::Value applySvd(const TermBuilder &tb, mlir::Value x);

/// y = scale · ((x R) · d) Lᵀ for L [OUT, r] (`left`), d [r] (`diag`) and R
/// [IN, r] (`right`; stored as Rᵀ [r, IN] when `rightTransposed`): svd,
/// svfit, loldu and sorsa, never forming the [OUT, IN] product.
mlir::Value applyDiagProduct(const TermBuilder &tb, mlir::Value x,
                             llvm::StringRef left, llvm::StringRef diag,
                             llvm::StringRef right, bool rightTransposed,
                             double scale);

/// alpha/rank of an adapter whose alpha defaults to its rank (scale 1).
double alphaOverRank(const lang::Call &term);

/// How the constraints written on a structured term reach one factor: each
/// matrix of the factor gets `spectral(c)` for a spectral bound c, is kept
/// orthonormal when `orthonormal` allows it, and gets `rowOrColumn(c)` or
/// `frobenius(c)` for a norm bound of that kind (null: that constraint has
/// no exact or sound form through this structure, a clear error). The
/// compositions are ALGORITHMS.md's certificate rules read backwards (σ(A⊗B)
/// = σ(A)σ(B), a block-diagonal matrix's norm is its largest block's).
struct FactorShare {
  std::function<double(double)> spectral;
  bool orthonormal = false;
  std::function<double(double)> rowOrColumn, frobenius;
};

/// The setup of the factor `role`: the structure's initialiser and the
/// written constraints of the term, enforced on it as `share` says.
mlir::FailureOr<ParamSetup> throughFactor(const TermBuilder &tb,
                                          llvm::StringRef role,
                                          const FactorShare &share);

/// The diagonal d of a term scale·U diag(d) Vᵀ (sorsa's S, loldu's z) and
/// whether U and V are frozen (loldu: a bound can only scale d).
struct ProductDiagonal {
  llvm::StringRef role;
  bool fixedFactors = false;
};

/// The setup of a factor of a term scale·U Vᵀ (lowrank; lora's B A) or
/// scale·U diag(d) Vᵀ (`diagonal`: sorsa, loldu): a spectral bound c on the
/// term is kept as the exact product clip at c/scale, carried by `first` (U)
/// or by d, naming `partner` (V, stored as Vᵀ when `transposed`) and U; any
/// other constraint is an error. The other factors carry no constraint.
mlir::FailureOr<ParamSetup>
productBound(const TermBuilder &tb, llvm::StringRef role, llvm::StringRef first,
             llvm::StringRef partner, bool transposed, double scale,
             std::optional<ProductDiagonal> diagonal = std::nullopt);

/// The setup of bone(mode = bat)'s B [ni, r, r]: a spectral bound c on the
/// term is kept by scaling every B_i against the frozen base
/// (SpectralMethod::RowBlockScale, sound); any other constraint is an error.
mlir::FailureOr<ParamSetup> rowBlockBound(const TermBuilder &tb,
                                          llvm::StringRef role);

/// Adds `structure` to the registry (each file's register function).
void registerStructure(const Structure *structure);

} // namespace wl

#endif // WL_STRUCTURES_STRUCTURE_H
