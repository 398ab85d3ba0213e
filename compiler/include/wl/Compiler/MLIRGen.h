//===- MLIRGen.h - AST -> wl dialect ----------------------------*- C++ -*-===//
#ifndef WL_COMPILER_MLIRGEN_H
#define WL_COMPILER_MLIRGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

namespace wl {
namespace lang {
struct Model;
}

/// Builds the wl module of one checked model: parameters, layers, optimizer
/// groups, schedule, `@forward(%x) -> %y` and `@loss(%x, %labels) -> f32`.
/// Constructs that later compiler work implements (non-dense structures,
/// constraints, muon/lion/adamp, file initialisers) are reported as errors at
/// their source location; returns null after any error.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context,
                                          const lang::Model &model);

} // namespace wl

#endif // WL_COMPILER_MLIRGEN_H
