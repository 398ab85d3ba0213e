//===- Structure.cpp - The registry and the helpers every structure uses --===//
#include "wl/Structures/Structure.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace wl;

// One line per structure, in the order the language reference lists them
// (the order of "expected one of" in diagnostics); each is defined in the
// structure's file.
namespace wl {
void registerDense();      // Dense.cpp
void registerLowRank();    // LowRank.cpp
void registerKronecker();  // Kronecker.cpp
void registerMonarch();    // Block.cpp
void registerBlockDiag();  // Block.cpp
void registerDiagonal();   // Dense.cpp
void registerOrthogonal(); // Orthogonal.cpp
void registerSvd();        // LowRank.cpp
void registerFrozen();     // Dense.cpp
void registerLora();       // Adapters.cpp
void registerBone();       // Adapters.cpp
void registerSvFit();      // Adapters.cpp
void registerLoLDU();      // LoLDU.cpp
void registerSorsa();      // Sorsa.cpp
void registerSst();        // Sst.cpp
} // namespace wl

static llvm::StringMap<const Structure *> &registry() {
  static llvm::StringMap<const Structure *> structures;
  return structures;
}

void wl::registerStructure(const Structure *structure) {
  registry()[structure->callSpec().name] = structure;
  lang::registerStructureRules(structure);
}

void wl::registerStructures() {
  static bool done = [] {
    registerDense();
    registerLowRank();
    registerKronecker();
    registerMonarch();
    registerBlockDiag();
    registerDiagonal();
    registerOrthogonal();
    registerSvd();
    registerFrozen();
    registerLora();
    registerBone();
    registerSvFit();
    registerLoLDU();
    registerSorsa();
    registerSst();
    return true;
  }();
  (void)done;
}

const Structure &wl::lookupStructure(const lang::Call &term) {
  const Structure *s = registry().lookup(term.name);
  if (!s)
    llvm::report_fatal_error("no structure '" + llvm::Twine(term.name) +
                             "' (checked AST expected)");
  return *s;
}

//===----------------------------------------------------------------------===//
// Structure defaults
//===----------------------------------------------------------------------===//

FailureOr<ParamSetup> Structure::setup(const TermBuilder &tb,
                                       StringRef role) const {
  if (!tb.getTerm().constraints.empty())
    return (void)tb.unsupported(tb.getTerm().constraints.front()), failure();
  FailureOr<InitAttr> initial = init(tb, role);
  if (failed(initial))
    return failure();
  return ParamSetup{*initial, {}};
}

FailureOr<InitAttr> Structure::init(const TermBuilder &tb,
                                    StringRef role) const {
  return emitError(tb.loc) << "structure '" << tb.call().name
                           << "' has no initialiser for " << role,
         failure();
}

//===----------------------------------------------------------------------===//
// TermBuilder
//===----------------------------------------------------------------------===//

Location TermBuilder::locOf(const lang::Loc &l) const {
  return FileLineColLoc::get(b.getStringAttr(l.file), l.line, l.col);
}

std::string TermBuilder::paramName(StringRef role) const {
  for (const lang::Param &p : model.params)
    if (p.layer == layer.name && p.termIndex == static_cast<int>(term) &&
        p.role == role)
      return p.name;
  llvm::report_fatal_error("MLIRGen: no parameter " + llvm::Twine(layer.name) +
                           "." + role);
}

/// The shape of the parameter called `name`.
static ArrayRef<int64_t> shapeOf(const lang::Model &model, StringRef name) {
  for (const lang::Param &p : model.params)
    if (p.name == name)
      return p.shape;
  llvm::report_fatal_error("MLIRGen: no parameter " + llvm::Twine(name));
}

Value TermBuilder::param(StringRef role) const {
  std::string name = paramName(role);
  return ParamRefOp::create(b, loc,
                            RankedTensorType::get(shapeOf(model, name), f32()),
                            FlatSymbolRefAttr::get(b.getContext(), name));
}

Value TermBuilder::frozenBase() const {
  for (size_t t = 0; t < layer.weight.terms.size(); ++t)
    if (lookupStructure(layer.weight.terms[t].structure).isFrozenBase())
      return TermBuilder(b, model, layer, t, loc, warned).param("weight.base");
  return nullptr;
}

RankedTensorType TermBuilder::matrix(int64_t rows, int64_t cols) const {
  return RankedTensorType::get({rows, cols}, f32());
}

RankedTensorType TermBuilder::rows(Value x, ArrayRef<int64_t> dims) const {
  SmallVector<int64_t> shape{cast<RankedTensorType>(x.getType()).getDimSize(0)};
  shape.append(dims.begin(), dims.end());
  return RankedTensorType::get(shape, f32());
}

Value TermBuilder::contract(RankedTensorType type, ValueRange operands,
                            unsigned loops,
                            ArrayRef<SmallVector<unsigned>> maps) const {
  SmallVector<AffineMap> affine;
  for (ArrayRef<unsigned> dims : maps) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : dims)
      exprs.push_back(b.getAffineDimExpr(d));
    affine.push_back(AffineMap::get(loops, 0, exprs, b.getContext()));
  }
  return ContractOp::create(b, loc, type, operands,
                            b.getAffineMapArrayAttr(affine));
}

Value TermBuilder::reshape(Value x, RankedTensorType type) const {
  return ReshapeOp::create(b, loc, type, x);
}

Value TermBuilder::linear(Value x, Value w) const {
  int64_t out = cast<RankedTensorType>(w.getType()).getDimSize(0);
  return LinearOp::create(b, loc, rows(x, {out}), x, w);
}

Value TermBuilder::matmul(Type type, Value lhs, Value rhs, bool transposeLhs,
                          bool transposeRhs) const {
  return MatmulOp::create(b, loc, type, lhs, rhs, transposeLhs, transposeRhs);
}

static Location locOf(OpBuilder &b, const lang::Loc &l) {
  return FileLineColLoc::get(b.getStringAttr(l.file), l.line, l.col);
}

/// `from("f.safetensors", ...)`'s file as an absolute path, relative to the
/// .wl file's directory; an error at the call when it does not exist.
static FailureOr<std::string> resolveFile(OpBuilder &b,
                                          const lang::Call &init) {
  const std::string &written = init.find("file")->value.text;
  llvm::SmallString<256> path(written);
  if (!llvm::sys::path::is_absolute(path)) {
    path = llvm::sys::path::parent_path(init.loc.file);
    llvm::sys::path::append(path, written);
  }
  llvm::sys::fs::make_absolute(path);
  llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
  if (!llvm::sys::fs::exists(path))
    return (emitError(locOf(b, init.loc))
                << "cannot find the safetensors file '" << written
                << "' (looked for " << path.str() << ")",
            failure());
  return std::string(path.str());
}

FailureOr<InitAttr> wl::initFromCall(OpBuilder &b, const lang::Call &init) {
  MLIRContext *ctx = b.getContext();
  std::optional<InitKind> kind = symbolizeInitKind(init.name);
  if (!kind)
    return emitError(locOf(b, init.loc))
               << "initialiser '" << init.name << "' is not supported yet",
           failure();
  switch (*kind) {
  case InitKind::Normal:
    return InitAttr::getNormal(ctx, init.getNumber("std"));
  case InitKind::Uniform:
    return InitAttr::getUniform(ctx, init.getNumber("a"));
  case InitKind::From: {
    FailureOr<std::string> path = resolveFile(b, init);
    if (failed(path))
      return failure();
    return InitAttr::get(ctx, *kind, std::nullopt, std::nullopt,
                         b.getStringAttr(*path),
                         b.getStringAttr(init.find("name")->value.text),
                         /*transposed=*/false);
  }
  case InitKind::Zeros:
  case InitKind::Ones:
  case InitKind::Orthogonal:
    return InitAttr::get(ctx, *kind);
  }
  llvm_unreachable("unknown init kind");
}

FailureOr<InitAttr> TermBuilder::writtenInit(const lang::Call &init) const {
  return initFromCall(b, init);
}

FailureOr<InitAttr> TermBuilder::initOr(InitAttr fallback) const {
  const lang::Arg *written = call().find("init");
  if (!written || written->implicit)
    return fallback;
  // `init = normal(std = 0.1)` is a call, `init = zeros` an identifier.
  const lang::Value &v = written->value;
  return writtenInit(v.call ? *v.call
                            : lang::Call{v.text, {}, false, written->loc});
}

Attribute
TermBuilder::constraint(const lang::Call &c, ConstraintOrigin origin,
                        std::optional<StructureKind> structure) const {
  MLIRContext *ctx = b.getContext();
  LocationAttr l = locOf(c.loc);
  StructureKindAttr kind =
      structure ? StructureKindAttr::get(ctx, *structure) : nullptr;
  if (c.name == "spectral_bound") {
    std::optional<SpectralMethod> method =
        symbolizeSpectralMethod(c.getName("method", "normalize"));
    return SpectralBoundAttr::get(ctx, c.getNumber("c"),
                                  method.value_or(SpectralMethod::Normalize),
                                  c.getBool("strict"), l, origin, kind);
  }
  if (c.name == "norm_bound") {
    std::optional<NormKind> norm =
        symbolizeNormKind(c.getName("norm", "frobenius"));
    return NormBoundAttr::get(ctx, c.getNumber("c"),
                              norm.value_or(NormKind::Frobenius), l, origin,
                              kind);
  }
  if (c.name == "rank_at_most")
    return RankAtMostAttr::get(ctx, c.getInt("r"), l, origin, kind);
  if (c.name == "orthonormal") // WᵀW = I (WWᵀ = I when OUT < IN)
    return OrthonormalAttr::get(ctx, l, origin, kind);
  return nullptr;
}

Attribute TermBuilder::retraction(StructureKind kind) const {
  return OrthonormalAttr::get(b.getContext(), locOf(call().loc),
                              ConstraintOrigin::Retraction,
                              StructureKindAttr::get(b.getContext(), kind));
}

LogicalResult TermBuilder::unsupported(const lang::Call &c) const {
  return emitError(locOf(c.loc))
         << "constraint '" << c.name << "' on structure '" << call().name
         << "' is not supported yet";
}

void TermBuilder::warnOnce(const lang::Call &c, const lang::Loc &at,
                           const Twine &message) const {
  if (warned.insert(&c).second)
    emitWarning(locOf(at)) << message;
}

/// "constraint 'c' on structure 's' has no exact or sound form through its
/// factors".
static void noFormThrough(const TermBuilder &tb, const lang::Call &c,
                          Attribute written) {
  emitError(tb.locOf(c.loc))
      << "constraint '" << c.name << "' on structure '" << tb.call().name
      << "' has no exact or sound form through its factors"
      << (isa_and_nonnull<RankAtMostAttr>(written)
              ? " (rank_at_most needs the dense weight)"
              : "")
      << " (docs/language.md, \"Constraints through structures\", lists "
         "which have one)";
}

/// A factor's setup before its constraints: the structure's initialiser of
/// `role`, and the structure's kind that carried constraints name.
static FailureOr<std::pair<ParamSetup, StructureKindAttr>>
factorSetup(const TermBuilder &tb, StringRef role) {
  const Structure &structure = lookupStructure(tb.call());
  FailureOr<InitAttr> init = structure.init(tb, role);
  if (failed(init))
    return failure();
  return std::make_pair(
      ParamSetup{*init, {}},
      StructureKindAttr::get(tb.b.getContext(), structure.kind(tb.call())));
}

FailureOr<ParamSetup> wl::throughFactor(const TermBuilder &tb, StringRef role,
                                        const FactorShare &share) {
  auto start = factorSetup(tb, role);
  if (failed(start))
    return failure();
  auto &[setup, kind] = *start;
  for (const lang::Call &c : tb.getTerm().constraints) {
    Attribute written = tb.constraint(c, ConstraintOrigin::Written);
    Attribute carried;
    if (auto bound = dyn_cast_or_null<SpectralBoundAttr>(written)) {
      if (share.spectral)
        carried = bound.withShare(share.spectral(bound.bound()), kind);
    } else if (auto norm = dyn_cast_or_null<NormBoundAttr>(written)) {
      const std::function<double(double)> &part =
          norm.getNorm() == NormKind::Frobenius ? share.frobenius
                                                : share.rowOrColumn;
      if (part)
        carried = norm.withShare(part(norm.bound()), kind);
    } else if (isa_and_nonnull<OrthonormalAttr>(written)) {
      if (share.orthonormal)
        carried = OrthonormalAttr::get(tb.b.getContext(), tb.locOf(c.loc),
                                       ConstraintOrigin::Factor, kind);
    }
    if (!carried)
      return noFormThrough(tb, c, written), failure();
    setup.constraints.push_back(carried);
  }
  return setup;
}

/// Every constraint written on the term as a spectral_bound, each turned by
/// `carried` into the constraint the factor carries; any other kind is the
/// "no form through this structure" error.
static LogicalResult
carrySpectralBounds(const TermBuilder &tb, ParamSetup &setup,
                    function_ref<Attribute(SpectralBoundAttr)> carried) {
  for (const lang::Call &c : tb.getTerm().constraints) {
    Attribute written = tb.constraint(c, ConstraintOrigin::Written);
    auto bound = dyn_cast_or_null<SpectralBoundAttr>(written);
    if (!bound)
      return noFormThrough(tb, c, written), failure();
    setup.constraints.push_back(carried(bound));
  }
  return success();
}

FailureOr<ParamSetup>
wl::productBound(const TermBuilder &tb, StringRef role, StringRef first,
                 StringRef partner, bool transposed, double scale,
                 std::optional<ProductDiagonal> diagonal) {
  auto start = factorSetup(tb, role);
  if (failed(start))
    return failure();
  auto &[setup, kind] = *start;
  if (role != (diagonal ? diagonal->role : first))
    return setup; // only the carrier holds the bound
  MLIRContext *ctx = tb.b.getContext();
  auto sym = [&](StringRef r) {
    return FlatSymbolRefAttr::get(ctx, tb.paramName(r));
  };
  // Exact whatever the method: `strict` has nothing left to add.
  if (failed(carrySpectralBounds(tb, setup, [&](SpectralBoundAttr bound) {
        return SpectralBoundAttr::get(
            ctx, bound.bound() / scale, SpectralMethod::ProductClip,
            /*strict=*/false, sym(partner), transposed,
            diagonal ? sym(first) : nullptr, diagonal && diagonal->fixedFactors,
            bound.getLoc(), ConstraintOrigin::Factor, kind);
      })))
    return failure();
  return setup;
}

FailureOr<ParamSetup> wl::rowBlockBound(const TermBuilder &tb,
                                        StringRef role) {
  auto start = factorSetup(tb, role);
  if (failed(start))
    return failure();
  auto &[setup, kind] = *start;
  MLIRContext *ctx = tb.b.getContext();
  auto base = FlatSymbolRefAttr::get(ctx, tb.layer.name + ".weight.base");
  // Sound whatever the method: `strict` has nothing left to add.
  if (failed(carrySpectralBounds(tb, setup, [&](SpectralBoundAttr bound) {
        return SpectralBoundAttr::get(
            ctx, bound.getC(), SpectralMethod::RowBlockScale,
            /*strict=*/false, base, /*transposed=*/false, /*left=*/nullptr,
            /*fixed=*/false, bound.getLoc(), ConstraintOrigin::Factor, kind);
      })))
    return failure();
  return setup;
}
