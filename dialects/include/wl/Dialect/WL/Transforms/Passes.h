//===- Passes.h - transformations of the wl dialect -------------*- C++ -*-===//
#ifndef WL_DIALECT_WL_TRANSFORMS_PASSES_H
#define WL_DIALECT_WL_TRANSFORMS_PASSES_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "wl/Dialect/WL/IR/WL.h"

namespace wl {
#define GEN_PASS_DECL
#include "wl/Dialect/WL/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "wl/Dialect/WL/Transforms/Passes.h.inc"

/// What `constraint` of `param` guarantees for this configuration (trained
/// by `group`, which may be null) and why: the text of `wlc --report`.
std::pair<Guarantee, std::string>
describeGuarantee(ParamOp param, ConstraintAttrInterface constraint,
                  OptimizerGroupOp group);
} // namespace wl

#endif // WL_DIALECT_WL_TRANSFORMS_PASSES_H
