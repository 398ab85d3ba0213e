//===- Pipeline.h - wlc's pass pipelines, stage by stage ---------*- C++ -*-===//
#ifndef WL_COMPILER_PIPELINE_H
#define WL_COMPILER_PIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace wl {
/// wl (forward + loss) -> + backward functions -> + optimizer step.
void buildTrainingPipeline(mlir::OpPassManager &pm);
/// Arena layout, metadata, and lowering to linalg on tensors.
void buildLinalgPipeline(mlir::OpPassManager &pm);
/// Bufferization and conversion of everything to the LLVM dialect.
void buildLLVMPipeline(mlir::OpPassManager &pm);
/// Registers `wl-training-pipeline`, `wl-linalg-pipeline`, `wl-llvm-pipeline` with wl-opt.
void registerPipelines();
} // namespace wl

#endif // WL_COMPILER_PIPELINE_H
