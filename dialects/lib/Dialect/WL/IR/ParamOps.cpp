//===- ParamOps.cpp - parameters, layers, gradients and state ------------===//
#include "wl/Dialect/WL/IR/WL.h"

#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace mlir;
using namespace wl;

ParamOp wl::lookupParam(Operation *from, StringRef name) {
  auto module = from->getParentOfType<ModuleOp>();
  if (!module)
    return {};
  return dyn_cast_or_null<ParamOp>(SymbolTable::lookupSymbolIn(module, name));
}

LogicalResult ParamOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
      type.getRank() < 1)
    return emitOpError(
               "type must be a statically shaped f32 tensor of rank >= 1, got ")
           << getType();
  for (int64_t d : type.getShape())
    if (d <= 0)
      return emitOpError("dimensions must be positive, got ") << type;
  if (getInit().getKind() == InitKind::Orthogonal && type.getRank() != 2)
    return emitOpError("orthogonal init needs a matrix");
  if (getConstraints() && !getTrainable())
    return emitOpError("a frozen parameter cannot carry constraints");
  if (auto state = getState()) {
    if (!getTrainable())
      return emitOpError("a frozen parameter has no optimizer state");
    llvm::StringSet<> seen;
    for (Attribute s : *state)
      if (!seen.insert(cast<StringAttr>(s).getValue()).second)
        return emitOpError("duplicate state '")
               << cast<StringAttr>(s).getValue() << "'";
  }
  if (auto offsets = getStateOffsets())
    if (!getState() || offsets->size() != getState()->size())
      return emitOpError("needs one state offset per state tensor");
  if (auto types = getStateTypes()) {
    if (!getState() || types->size() != getState()->size())
      return emitOpError("needs one state type per state tensor");
    for (Attribute t : *types) {
      auto tensor = dyn_cast<RankedTensorType>(cast<TypeAttr>(t).getValue());
      if (!tensor || !tensor.hasStaticShape() ||
          !tensor.getElementType().isF32())
        return emitOpError("state types must be statically shaped f32 tensors");
    }
  }
  return success();
}

RankedTensorType ParamOp::getStateType(StringRef name) {
  if (auto state = getState(); state && getStateTypes())
    for (auto [n, t] : llvm::zip(*state, *getStateTypes()))
      if (cast<StringAttr>(n).getValue() == name)
        return cast<RankedTensorType>(cast<TypeAttr>(t).getValue());
  return getTensorType();
}

void ParamOp::addState(StringRef name, RankedTensorType type) {
  Builder b(getContext());
  SmallVector<Attribute> names, types;
  if (auto state = getState())
    for (Attribute n : *state) {
      names.push_back(n);
      types.push_back(
          TypeAttr::get(getStateType(cast<StringAttr>(n).getValue())));
    }
  names.push_back(b.getStringAttr(name));
  types.push_back(TypeAttr::get(type ? type : getTensorType()));
  setStateAttr(b.getArrayAttr(names));
  // Types are recorded only when some state differs from the parameter's shape.
  if (llvm::any_of(types, [&](Attribute t) {
        return cast<TypeAttr>(t).getValue() != getType();
      }))
    setStateTypesAttr(b.getArrayAttr(types));
}

bool ParamOp::hasState(StringRef name) {
  if (auto state = getState())
    for (Attribute s : *state)
      if (cast<StringAttr>(s).getValue() == name)
        return true;
  return false;
}

LogicalResult LayerOp::verify() {
  // The I64Attr getters return uint64_t: compare signed, or -4 passes.
  if (static_cast<int64_t>(getInFeatures()) <= 0 ||
      static_cast<int64_t>(getOutFeatures()) <= 0)
    return emitOpError("widths must be positive");
  if (getStructure().empty())
    return emitOpError("needs at least one structure term");
  if (!hasDenseWeight() && !getFactors())
    return emitOpError("structure '")
           << getStructureName() << "' needs its 'factors'";
  // The rules that read factors need the one structure they read.
  auto needsSingle = [&](StructureKind kind, size_t factors) -> LogicalResult {
    SmallVector<StructureKind> terms = getTerms();
    if (terms.size() == 1 && terms[0] == kind && getFactors() &&
        getFactors()->size() == factors)
      return success();
    return emitOpError("bound '")
           << stringifyBoundRule(getBound()) << "' needs a single '"
           << stringifyStructureKind(kind) << "' term with " << factors
           << " factor" << (factors == 1 ? "" : "s");
  };
  switch (getBound()) {
  case BoundRule::MaxAbs:
    return needsSingle(StructureKind::Diagonal, 1);
  case BoundRule::Svd:
    return needsSingle(StructureKind::Svd, 3);
  case BoundRule::BlockMax:
    return needsSingle(StructureKind::BlockDiag, 1);
  case BoundRule::Kronecker:
    return needsSingle(StructureKind::Kronecker, 2);
  case BoundRule::Monarch:
    return needsSingle(StructureKind::Monarch, 2);
  case BoundRule::Gram:
  case BoundRule::Orthonormal:
    return success();
  }
  return success();
}

SmallVector<StructureKind> LayerOp::getTerms() {
  return llvm::map_to_vector(getStructure().getAsRange<StructureKindAttr>(),
                             [](StructureKindAttr a) { return a.getValue(); });
}

bool LayerOp::hasDenseWeight() {
  SmallVector<StructureKind> terms = getTerms();
  return terms.size() == 1 && (terms[0] == StructureKind::Dense ||
                               terms[0] == StructureKind::OrthogonalPolar);
}

std::string LayerOp::getStructureName() {
  std::string name;
  for (StructureKind kind : getTerms()) {
    StringRef term = stringifyStructureKind(kind);
    if (!name.empty())
      name += "+";
    // orthogonal_polar -> orthogonal(polar), as LANGUAGE.md writes it.
    name += term.consume_front("orthogonal_")
                ? ("orthogonal(" + term + ")").str()
                : term.str();
  }
  return name;
}

/// Checks that `sym` names a wl.param of type `expected` (when given).
static FailureOr<ParamOp> verifyParamSymbol(Operation *op,
                                            SymbolTableCollection &symbols,
                                            FlatSymbolRefAttr sym,
                                            Type expected) {
  auto param = symbols.lookupNearestSymbolFrom<ParamOp>(op, sym.getAttr());
  if (!param)
    return op->emitOpError("'")
           << sym.getValue() << "' does not name a wl.param";
  if (expected && expected != param.getType())
    return op->emitOpError("type ")
           << expected << " does not match parameter '" << sym.getValue()
           << "' of type " << param.getType();
  return param;
}

LogicalResult LayerOp::verifySymbolUses(SymbolTableCollection &symbols) {
  Type f32 = Float32Type::get(getContext());
  auto in = static_cast<int64_t>(getInFeatures()),
       out = static_cast<int64_t>(getOutFeatures());
  auto weightType = RankedTensorType::get({out, in}, f32);
  if (failed(verifyParamSymbol(*this, symbols, getWeightAttr(),
                               hasDenseWeight() ? Type(weightType) : Type())))
    return failure();
  if (auto factors = getFactors())
    for (Attribute f : *factors)
      if (failed(verifyParamSymbol(*this, symbols, cast<FlatSymbolRefAttr>(f),
                                   Type())))
        return failure();
  if (auto bias = getBiasAttr())
    if (failed(verifyParamSymbol(*this, symbols, bias,
                                 RankedTensorType::get({out}, f32))))
      return failure();
  // An sst layer's mark (MLIRGen; read by wl-generate-step and
  // wl-generate-constraints): its tensors, rank and round length.
  if (Attribute mark = (*this)->getAttr("wl.sst")) {
    auto sst = dyn_cast<DictionaryAttr>(mark);
    auto rank = sst ? sst.getAs<IntegerAttr>("rank") : nullptr;
    auto every = sst ? sst.getAs<IntegerAttr>("every") : nullptr;
    if (!rank || !every)
      return emitOpError("'wl.sst' needs a dictionary with tensors u, s, v, "
                         "sampled and integers rank and every");
    for (StringRef key : {"u", "s", "v", "sampled"}) {
      auto sym = sst.getAs<FlatSymbolRefAttr>(key);
      if (!sym)
        return emitOpError("'wl.sst' needs the tensor '") << key << "'";
      if (failed(verifyParamSymbol(*this, symbols, sym, Type())))
        return failure();
    }
  }
  return success();
}

/// Shared checks of the ops that address a parameter, its gradient or state.
static LogicalResult verifyAccess(Operation *op, SymbolTableCollection &symbols,
                                  FlatSymbolRefAttr sym, Type type,
                                  bool needsTrainable, StringRef state = {}) {
  auto param = verifyParamSymbol(op, symbols, sym, type);
  if (failed(param))
    return failure();
  if (needsTrainable && !param->getTrainable())
    return op->emitOpError("parameter '") << sym.getValue() << "' is frozen";
  if (!state.empty() && !param->hasState(state))
    return op->emitOpError("parameter '")
           << sym.getValue() << "' has no optimizer state '" << state << "'";
  return success();
}

LogicalResult ParamRefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getType(),
                      /*needsTrainable=*/false);
}
LogicalResult GradRefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getType(), true);
}
LogicalResult
GradAccumulateOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getValue().getType(),
                      true);
}
LogicalResult ParamStoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getValue().getType(),
                      true);
}
/// State tensors have their own type (e.g. a power-iteration vector).
static LogicalResult verifyStateAccess(Operation *op,
                                       SymbolTableCollection &symbols,
                                       FlatSymbolRefAttr sym, Type type,
                                       StringRef state) {
  if (failed(verifyAccess(op, symbols, sym, /*type=*/nullptr, true, state)))
    return failure();
  auto param = symbols.lookupNearestSymbolFrom<ParamOp>(op, sym.getAttr());
  if (type != param.getStateType(state))
    return op->emitOpError("type ")
           << type << " does not match state '" << state << "' of '"
           << sym.getValue() << "' of type " << param.getStateType(state);
  return success();
}

LogicalResult StateRefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyStateAccess(*this, symbols, getParamAttr(), getType(),
                           getState());
}
LogicalResult StateStoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyStateAccess(*this, symbols, getParamAttr(), getValue().getType(),
                           getState());
}

LogicalResult ResplitBaseOp::verify() {
  unsigned expected = getKindAttr().getFactorCount();
  if (getFactors().size() != expected)
    return emitOpError("'")
           << stringifyResplitKind(getKind()) << "' needs " << expected
           << " factors, got " << getFactors().size();
  if (auto scale = getScaleAttr(); scale && !(scale.getValueAsDouble() > 0))
    return emitOpError("scale must be > 0, got ") << scale.getValueAsDouble();
  return success();
}

LogicalResult ResplitBaseOp::verifySymbolUses(SymbolTableCollection &symbols) {
  if (failed(verifyParamSymbol(*this, symbols, getBaseAttr(), Type())))
    return failure();
  for (Attribute f : getFactors())
    if (failed(verifyParamSymbol(*this, symbols, cast<FlatSymbolRefAttr>(f),
                                 Type())))
      return failure();
  return success();
}

LogicalResult SstRoundOp::verify() {
  if (getRank() < 1 || getEvery() < 1 || getStream() < 0)
    return emitOpError("needs rank ≥ 1, every ≥ 1 and stream ≥ 0, got ")
           << getRank() << ", " << getEvery() << ", " << getStream();
  return success();
}

LogicalResult SstRoundOp::verifySymbolUses(SymbolTableCollection &symbols) {
  // U [OUT, m], s [m], V [IN, m], sampled [m], with rank ≤ m.
  FailureOr<ParamOp> u = verifyParamSymbol(*this, symbols, getUAttr(), Type());
  FailureOr<ParamOp> s = verifyParamSymbol(*this, symbols, getSAttr(), Type());
  FailureOr<ParamOp> v = verifyParamSymbol(*this, symbols, getVAttr(), Type());
  FailureOr<ParamOp> sampled =
      verifyParamSymbol(*this, symbols, getSampledAttr(), Type());
  if (failed(u) || failed(s) || failed(v) || failed(sampled))
    return failure();
  ArrayRef<int64_t> uShape = u->getTensorType().getShape(),
                    sShape = s->getTensorType().getShape(),
                    vShape = v->getTensorType().getShape(),
                    mShape = sampled->getTensorType().getShape();
  if (uShape.size() != 2 || vShape.size() != 2 || sShape.size() != 1 ||
      mShape != sShape || uShape[1] != sShape[0] || vShape[1] != sShape[0] ||
      sShape[0] != std::min(uShape[0], vShape[0]))
    return emitOpError("needs U [OUT, m], s [m], V [IN, m] and sampled [m] "
                       "with m = min(OUT, IN)");
  if (getRank() > sShape[0])
    return emitOpError("rank ") << getRank() << " exceeds m = " << sShape[0];
  return success();
}
