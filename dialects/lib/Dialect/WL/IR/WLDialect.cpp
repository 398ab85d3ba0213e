//===- WLDialect.cpp - wl dialect registration ----------------------------===//
#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;

#include "wl/Dialect/WL/IR/WLInterfaces.cpp.inc"
#include "wl/Dialect/WL/IR/WLOpsDialect.cpp.inc"

void WLDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "wl/Dialect/WL/IR/WLOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *WLDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || !arith::ConstantOp::isBuildableWith(typed, type))
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

#define GET_OP_CLASSES
#include "wl/Dialect/WL/IR/WLOps.cpp.inc"
