//===- Pipeline.h - wlc's pass pipelines, stage by stage --------*- C++ -*-===//
#ifndef WL_COMPILER_PIPELINE_H
#define WL_COMPILER_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "wl/Conversion/Passes.h"

#include <string>

namespace wl {
/// wl (forward + loss) -> + backward functions -> + optimizer step.
void buildTrainingPipeline(mlir::OpPassManager &pm);
/// Arena layout, metadata (for `target`: cpu or cuda), and lowering to linalg
/// on tensors.
void buildLinalgPipeline(mlir::OpPassManager &pm, Target target = Target::CPU);
/// Bufferization and conversion of everything to the LLVM dialect.
void buildLLVMPipeline(mlir::OpPassManager &pm);
/// The CUDA target's code generation (ARCHITECTURE.md: gpu outlining -> nvvm
/// -> gpu-module-to-binary).
struct CUDAOptions {
  std::string chip = "sm_90a"; ///< the GPU architecture of the cubin/PTX
  std::string features =
      ""; ///< e.g. "+ptx86"; empty: the backend's default PTX version
  std::string toolkitPath = ""; ///< where bin/ptxas and nvvm/libdevice are
  std::string binaryFormat =
      "bin"; ///< gpu-module-to-binary: "bin" (cubin) or "isa" (PTX)
  bool emitBinary = true; ///< false: keep the gpu.modules (for -emit and tests)
  int64_t blockSize = 256; ///< threads per block
};
/// Bufferization, loop nests to kernels, host code to the LLVM dialect, and
/// the kernels to a gpu.binary (cubin or PTX) embedded in the module.
void buildCUDAPipeline(mlir::OpPassManager &pm, const CUDAOptions &options);
/// Registers `wl-training-pipeline`, `wl-linalg-pipeline`, `wl-llvm-pipeline`,
/// `wl-cuda-pipeline` with wl-opt.
void registerPipelines();
} // namespace wl

#endif // WL_COMPILER_PIPELINE_H
