//===- WL.h - the wl dialect: ops, interfaces -------------------*- C++ -*-===//
#ifndef WL_DIALECT_WL_IR_WL_H
#define WL_DIALECT_WL_IR_WL_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "wl/Dialect/WL/IR/F64.h"

#include <cmath>

// Generated declarations, in dependency order (each block uses the ones
// before it).
#include "wl/Dialect/WL/IR/WLOpsDialect.h.inc"

#include "wl/Dialect/WL/IR/WLEnums.h.inc"

#include "wl/Dialect/WL/IR/WLAttrInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "wl/Dialect/WL/IR/WLAttrs.h.inc"

#include "wl/Dialect/WL/IR/WLInterfaces.h.inc"

#define GET_OP_CLASSES
#include "wl/Dialect/WL/IR/WLOps.h.inc"

namespace wl {
/// Looks up the `wl.param` named `name` in the module enclosing `from`.
ParamOp lookupParam(mlir::Operation *from, mlir::StringRef name);
/// Checks an optimizer's hyperparameters; emits errors on `op`.
mlir::LogicalResult verifyOptimizerHyper(mlir::Operation *op,
                                         mlir::StringRef optimizer,
                                         mlir::DictionaryAttr hyper);
/// Checks a schedule's kind and arguments; emits errors on `op`.
mlir::LogicalResult verifySchedule(mlir::Operation *op, mlir::StringRef kind,
                                   int64_t warmup, int64_t total);
} // namespace wl

#endif // WL_DIALECT_WL_IR_WL_H
