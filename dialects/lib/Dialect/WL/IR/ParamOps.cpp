//===- ParamOps.cpp - parameters, layers, gradients and state ------------===//
#include "wl/Dialect/WL/IR/WL.h"

#include "llvm/ADT/StringSet.h"

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
    if (!std || !(std.getValueAsDouble() > 0))
      return emitOpError("normal init needs a positive 'std'");
  } else if (k == "uniform") {
    auto a = getInit().getAs<FloatAttr>("a");
    if (!a || !(a.getValueAsDouble() > 0))
      return emitOpError("uniform init needs a positive 'a'");
  } else if (k != "zeros" && k != "ones" && k != "orthogonal") {
    return emitOpError("unknown init kind '")
           << k << "' (expected zeros, ones, normal, uniform or orthogonal)";
  }
  if (k == "orthogonal" && type.getRank() != 2)
    return emitOpError("orthogonal init needs a matrix");
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
  return success();
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
  if (getStructure() != "dense")
    return emitOpError("unsupported structure '") << getStructure() << "'";
  return success();
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
  if (failed(verifyParamSymbol(*this, symbols, getWeightAttr(), weightType)))
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
LogicalResult StateRefOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getType(), true, getState());
}
LogicalResult StateStoreOp::verifySymbolUses(SymbolTableCollection &symbols) {
  return verifyAccess(*this, symbols, getParamAttr(), getValue().getType(), true, getState());
}
