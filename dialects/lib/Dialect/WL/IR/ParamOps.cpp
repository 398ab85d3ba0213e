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

/// A constraint dictionary: a known kind with its arguments (LANGUAGE.md).
static LogicalResult verifyConstraint(Operation *op, DictionaryAttr c) {
  auto kind = c.getAs<StringAttr>("kind");
  if (!kind)
    return op->emitOpError("every constraint needs a string 'kind'");
  auto positive = [&](StringRef name) -> LogicalResult {
    auto v = c.getAs<FloatAttr>(name);
    if (!v || !(v.getValueAsDouble() > 0))
      return op->emitOpError("constraint '") << kind.getValue() << "' needs a positive float '"
                                              << name << "'";
    return success();
  };
  auto oneOf = [&](StringRef name, ArrayRef<StringRef> choices) -> LogicalResult {
    auto v = c.getAs<StringAttr>(name);
    if (!v || !llvm::is_contained(choices, v.getValue()))
      return op->emitOpError("constraint '") << kind.getValue() << "' needs '" << name
                                              << "' to be one of " << llvm::join(choices, ", ");
    return success();
  };
  if (c.get("enforced_by")) // satisfied by the structure: nothing is generated from it
    return failure(kind.getValue() == "spectral_bound" && failed(positive("c")));
  if (kind.getValue() == "spectral_bound") {
    if (failed(positive("c")) ||
        failed(oneOf("method", {"normalize", "soft_cap", "hard_cap", "hammer", "svd_clip", "clamp"})))
      return failure();
    if (!c.getAs<BoolAttr>("strict"))
      return op->emitOpError("constraint 'spectral_bound' needs a bool 'strict'");
    return success();
  }
  if (kind.getValue() == "norm_bound")
    return failure(failed(positive("c")) || failed(oneOf("norm", {"frobenius", "row", "column"})));
  if (kind.getValue() == "rank_at_most") {
    auto r = c.getAs<IntegerAttr>("r");
    if (!r || r.getInt() < 1)
      return op->emitOpError("constraint 'rank_at_most' needs an integer 'r' >= 1");
    return success();
  }
  if (kind.getValue() == "orthonormal")
    return success();
  return op->emitOpError("unknown constraint '")
         << kind.getValue() << "' (expected spectral_bound, norm_bound, rank_at_most or orthonormal)";
}

LogicalResult ParamOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32() || type.getRank() < 1)
    return emitOpError("type must be a statically shaped f32 tensor of rank >= 1, got ")
           << getType();
  for (int64_t d : type.getShape())
    if (d <= 0)
      return emitOpError("dimensions must be positive, got ") << type;
  auto kind = getInit().getAs<StringAttr>("kind");
  if (!kind)
    return emitOpError("init needs a string 'kind'");
  StringRef k = kind.getValue();
  if (k == "normal") {
    auto std = getInit().getAs<FloatAttr>("std");
    // std = 0 is allowed (all zeros, like PyTorch's normal_(std=0)).
    if (!std || !std::isfinite(std.getValueAsDouble()) || std.getValueAsDouble() < 0)
      return emitOpError("normal init needs a finite, non-negative 'std'");
  } else if (k == "uniform") {
    auto a = getInit().getAs<FloatAttr>("a");
    if (!a || !std::isfinite(a.getValueAsDouble()) || a.getValueAsDouble() <= 0)
      return emitOpError("uniform init needs a finite, positive 'a'");
  } else if (k == "from") {
    auto file = getInit().getAs<StringAttr>("file"), tensor = getInit().getAs<StringAttr>("tensor");
    if (!file || file.getValue().empty() || !tensor || tensor.getValue().empty())
      return emitOpError("from init needs a non-empty 'file' and 'tensor'");
  } else if (k != "zeros" && k != "ones" && k != "orthogonal") {
    return emitOpError("unknown init kind '")
           << k << "' (expected zeros, ones, normal, uniform, orthogonal or from)";
  }
  if (k == "orthogonal" && type.getRank() != 2)
    return emitOpError("orthogonal init needs a matrix");
  if (getConstraints() && !getTrainable())
    return emitOpError("a frozen parameter cannot carry constraints");
  if (auto state = getState()) {
    if (!getTrainable())
      return emitOpError("a frozen parameter has no optimizer state");
    llvm::StringSet<> seen;
    for (Attribute s : *state)
      if (!seen.insert(cast<StringAttr>(s).getValue()).second)
        return emitOpError("duplicate state '") << cast<StringAttr>(s).getValue() << "'";
  }
  if (auto offsets = getStateOffsets())
    if (!getState() || offsets->size() != getState()->size())
      return emitOpError("needs one state offset per state tensor");
  if (auto types = getStateTypes()) {
    if (!getState() || types->size() != getState()->size())
      return emitOpError("needs one state type per state tensor");
    for (Attribute t : *types) {
      auto tensor = dyn_cast<RankedTensorType>(cast<TypeAttr>(t).getValue());
      if (!tensor || !tensor.hasStaticShape() || !tensor.getElementType().isF32())
        return emitOpError("state types must be statically shaped f32 tensors");
    }
  }
  if (auto constraints = getConstraints()) {
    ArrayAttr list = *constraints; // outlives the loop
    for (Attribute c : list)
      if (failed(verifyConstraint(*this, cast<DictionaryAttr>(c))))
        return failure();
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
      types.push_back(TypeAttr::get(getStateType(cast<StringAttr>(n).getValue())));
    }
  names.push_back(b.getStringAttr(name));
  types.push_back(TypeAttr::get(type ? type : getTensorType()));
  setStateAttr(b.getArrayAttr(names));
  // Types are recorded only when some state differs from the parameter's shape.
  if (llvm::any_of(types, [&](Attribute t) { return cast<TypeAttr>(t).getValue() != getType(); }))
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
  if (static_cast<int64_t>(getInFeatures()) <= 0 || static_cast<int64_t>(getOutFeatures()) <= 0)
    return emitOpError("widths must be positive");
  // One structure, or a sum of terms joined by '+' ("frozen+lora").
  SmallVector<StringRef> terms;
  getStructure().split(terms, '+');
  for (StringRef term : terms)
    if (!llvm::is_contained({"dense", "orthogonal(cayley)", "orthogonal(exp)",
                             "orthogonal(householder)", "orthogonal(polar)", "svd", "diagonal",
                             "lowrank", "kronecker", "monarch", "blockdiag", "frozen", "lora",
                             "bone", "svfit"},
                            term))
      return emitOpError("unsupported structure '") << getStructure() << "'";
  if (!hasDenseWeight() && !getFactors())
    return emitOpError("structure '") << getStructure() << "' needs its 'factors'";
  return success();
}

bool LayerOp::hasDenseWeight() {
  return getStructure() == "dense" || getStructure() == "orthogonal(polar)";
}

/// Checks that `sym` names a wl.param of type `expected` (when given).
static FailureOr<ParamOp> verifyParamSymbol(Operation *op, SymbolTableCollection &symbols,
                                            FlatSymbolRefAttr sym, Type expected) {
  auto param = symbols.lookupNearestSymbolFrom<ParamOp>(op, sym.getAttr());
  if (!param)
    return op->emitOpError("'") << sym.getValue() << "' does not name a wl.param";
  if (expected && expected != param.getType())
    return op->emitOpError("type ") << expected << " does not match parameter '"
                                    << sym.getValue() << "' of type " << param.getType();
  return param;
}

LogicalResult LayerOp::verifySymbolUses(SymbolTableCollection &symbols) {
  Type f32 = Float32Type::get(getContext());
  auto in = static_cast<int64_t>(getInFeatures()), out = static_cast<int64_t>(getOutFeatures());
  auto weightType = RankedTensorType::get({out, in}, f32);
  if (failed(verifyParamSymbol(*this, symbols, getWeightAttr(),
                               hasDenseWeight() ? Type(weightType) : Type())))
    return failure();
  if (auto factors = getFactors())
    for (Attribute f : *factors)
      if (failed(verifyParamSymbol(*this, symbols, cast<FlatSymbolRefAttr>(f), Type())))
        return failure();
  if (auto bias = getBiasAttr())
    if (failed(verifyParamSymbol(*this, symbols, bias, RankedTensorType::get({out}, f32))))
      return failure();
  return success();
}

/// Shared checks of the ops that address a parameter, its gradient or state.
static LogicalResult verifyAccess(Operation *op, SymbolTableCollection &symbols,
                                  FlatSymbolRefAttr sym, Type type, bool needsTrainable,
                                  StringRef state = {}) {
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
  return verifyAccess(*this, symbols, getParamAttr(), getType(), /*needsTrainable=*/false);
}
LogicalResult GradRefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getType(), true);
}
LogicalResult GradAccumulateOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getValue().getType(), true);
}
LogicalResult ParamStoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getValue().getType(), true);
}
/// State tensors have their own type (e.g. a power-iteration vector).
static LogicalResult verifyStateAccess(Operation *op, SymbolTableCollection &symbols,
                                       FlatSymbolRefAttr sym, Type type, StringRef state) {
  if (failed(verifyAccess(op, symbols, sym, /*type=*/nullptr, true, state)))
    return failure();
  auto param = symbols.lookupNearestSymbolFrom<ParamOp>(op, sym.getAttr());
  if (type != param.getStateType(state))
    return op->emitOpError("type ") << type << " does not match state '" << state << "' of '"
                                    << sym.getValue() << "' of type "
                                    << param.getStateType(state);
  return success();
}

LogicalResult StateRefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyStateAccess(*this, symbols, getParamAttr(), getType(), getState());
}
LogicalResult StateStoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyStateAccess(*this, symbols, getParamAttr(), getValue().getType(), getState());
}

LogicalResult ResplitBaseOp::verify() {
  size_t expected = getKind() == "svfit" ? 3 : 2;
  if (!llvm::is_contained({"pissa", "svfit", "kpsvd"}, getKind()))
    return emitOpError("unknown re-split '") << getKind() << "' (expected pissa, svfit or kpsvd)";
  if (getFactors().size() != expected)
    return emitOpError("'") << getKind() << "' needs " << expected << " factors, got "
                            << getFactors().size();
  return success();
}

LogicalResult ResplitBaseOp::verifySymbolUses(SymbolTableCollection &symbols) {
  if (failed(verifyParamSymbol(*this, symbols, getBaseAttr(), Type())))
    return failure();
  for (Attribute f : getFactors())
    if (failed(verifyParamSymbol(*this, symbols, cast<FlatSymbolRefAttr>(f), Type())))
      return failure();
  return success();
}
