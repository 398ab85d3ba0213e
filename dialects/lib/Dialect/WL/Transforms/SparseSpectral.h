//===- SparseSpectral.h - sst layers for the step and @project --*- C++ -*-===//
//
// Sparse spectral training (ALGORITHMS.md, SST) needs two passes to act on
// its layers: wl-generate-step masks the gradients of U and V to the round's
// sampled columns and ends @step with the round's bookkeeping, and
// wl-generate-constraints starts @project with the initial SVD. MLIRGen marks
// each sst layer with `wl.sst`; this is the one reader of that mark.
//
//===----------------------------------------------------------------------===//
#ifndef WL_TRANSFORMS_SPARSESPECTRAL_H
#define WL_TRANSFORMS_SPARSESPECTRAL_H

#include "wl/Dialect/WL/IR/WL.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace wl {

/// One sst layer: its tensors and its rank and round length.
struct SstLayer {
  mlir::FlatSymbolRefAttr u, s, v, sampled;
  int64_t rank, every;
};

/// The sst layers of `module`, in order (a layer's index is its sampling
/// stream).
llvm::SmallVector<SstLayer> sstLayers(mlir::ModuleOp module);

/// One wl.sst_round per sst layer at the builder's position: the creation
/// split when `step` is null, else the end of step `step`.
void emitSstRounds(mlir::OpBuilder &b, mlir::Location loc,
                   mlir::ModuleOp module, mlir::Value step);

} // namespace wl

#endif // WL_TRANSFORMS_SPARSESPECTRAL_H
