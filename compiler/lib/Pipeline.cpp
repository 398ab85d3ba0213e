//===- Pipeline.cpp - wlc's pass pipelines --------------------------------===//
#include "wl/Compiler/Pipeline.h"

#include "wl/Conversion/Passes.h"
#include "wl/Dialect/WL/Transforms/Passes.h"
#include "wl/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void wl::buildTrainingPipeline(OpPassManager &pm) {
  pm.addPass(createWLGenerateBackward());
  pm.addPass(createWLGenerateStep());
  pm.addPass(createWLGenerateConstraints());
  pm.addPass(createWLCertify());
}

void wl::buildLinalgPipeline(OpPassManager &pm, Target target) {
  pm.addPass(createWLAssignArena());
  {
    WLEmitMetadataOptions metadata;
    metadata.target = target;
    pm.addPass(createWLEmitMetadata(metadata));
  }
  pm.addPass(createConvertWLToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createWLFuseElementwise());
  pm.addPass(createCanonicalizerPass());
}

namespace {

/// Adds a pass that works within one function at a time: nested on
/// func.func when `perFunction`, so that MLIR runs it on every thread, one
/// function each (on the 12-layer MLP the host lowering's passes took ~0.65 s
/// on one thread), else on the whole module (the CUDA pipeline, whose kernels
/// in gpu.module need the same lowering).
void addFunctionPass(OpPassManager &pm, std::unique_ptr<Pass> pass,
                     bool perFunction) {
  if (perFunction)
    pm.addNestedPass<func::FuncOp>(std::move(pass));
  else
    pm.addPass(std::move(pass));
}

/// One-shot bufferization into the arena and outputs, then deallocation of
/// the temporaries: the same for every target.
void addBufferization(OpPassManager &pm, bool perFunction) {
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  // Loops over tensors (matrix exponential squarings, Householder reflectors)
  // yield a new matrix per iteration; ownership-based deallocation frees them.
  bufferizeOptions.allowReturnAllocsFromLoops = true;
  // One allocation per reader of a CSE-merged fill instead of a copy.
  addFunctionPass(pm, wl::createWLFillPerUse(), perFunction);
  // Results written to the arena or an output (optimizer updates, forward
  // outputs) are computed there directly instead of in a temporary + copy.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  // Tiled kernels (attention) run their tiles as scf.forall; on buffers it is
  // the scf.parallel that OpenMP and the GPU mapping take.
  addFunctionPass(pm, createForallToParallelLoopPass(), perFunction);
  addFunctionPass(pm, createCanonicalizerPass(), perFunction);
  // Temporaries of forward/backward are heap buffers: free them on every path.
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
}

/// What is left on the host (loops, arithmetic, memrefs, calls) to the LLVM
/// dialect.
/// openMP: the CPU pipeline, whose host functions are all there is (each
/// function-local pass then runs per function, on every thread).
void addHostToLLVM(OpPassManager &pm, bool openMP) {
  const bool perFunction = openMP;
  addFunctionPass(pm, memref::createExpandStridedMetadataPass(), perFunction);
  addFunctionPass(pm, createLowerAffinePass(), perFunction);
  if (openMP) {
    // The GEMM kernels' panel loops run on OpenMP's thread pool.
    pm.addPass(createConvertSCFToOpenMPPass());
    // A loop of one row tile or panel runs without forking the pool.
    addFunctionPass(pm, wl::createWLSerialSingleIteration(), perFunction);
    // Inlines the alloca scopes the conversion wraps loop bodies in (the
    // kernels allocate nothing on the stack).
    addFunctionPass(pm, createCanonicalizerPass(), perFunction);
    // Also those whose bodies call a kernel (attention tiles).
    addFunctionPass(pm, wl::createWLInlineAllocaScopes(), perFunction);
  }
  addFunctionPass(pm, createSCFToControlFlowPass(), perFunction);
  addFunctionPass(pm, createConvertMathToLLVMPass(), perFunction);
  // After libm's scalarisation of vector math (a fused epilogue's tanh or
  // erf), which leaves vector.extract/insert behind.
  pm.addPass(createConvertMathToLibmPass());
  addFunctionPass(pm, createConvertVectorToLLVMPass(), perFunction);
  addFunctionPass(pm, createArithToLLVMConversionPass(), perFunction);
  {
    // Temporaries come from the runtime's caching allocator (Scratch.cpp).
    FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
    memrefOptions.useGenericFunctions = true;
    pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
  }
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  if (openMP)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (perFunction)
    pm.addNestedPass<LLVM::LLVMFuncOp>(createCanonicalizerPass());
  else
    pm.addPass(createCanonicalizerPass());
}

} // namespace

void wl::buildLLVMPipeline(OpPassManager &pm) {
  // Elementwise ops and row reductions over many rows run on every thread.
  pm.addNestedPass<func::FuncOp>(wl::createWLParallelRows());
  pm.addNestedPass<func::FuncOp>(createCanonicalizerPass());
  addBufferization(pm, /*perFunction=*/true);
  pm.addPass(createWLLowerStridedCopies());
  {
    WLGemmKernelsOptions gemm;
    gemm.parallel = true;
    pm.addPass(createWLGemmKernels(gemm));
  }
  // gelu's erf as arithmetic the loop vectoriser widens (no libm call).
  pm.addNestedPass<func::FuncOp>(wl::createWLApproximateErf());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  addHostToLLVM(pm, /*openMP=*/true);
}

void wl::buildCUDAPipeline(OpPassManager &pm, const CUDAOptions &options) {
  addBufferization(pm, /*perFunction=*/false);
  // Every copy is a kernel: the data lives on the GPU.
  {
    WLLowerStridedCopiesOptions copies;
    copies.all = true;
    pm.addPass(createWLLowerStridedCopies(copies));
  }
  // Parallel dimensions of each linalg op become one scf.parallel (its
  // reductions scf.for inside), then one kernel on a 1-D grid.
  {
    WLParallelLoopsToGPUOptions mapping;
    mapping.blockSize = options.blockSize;
    pm.addPass(createWLParallelLoopsToGPU(mapping));
  }
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createGpuKernelOutliningPass());
  // One binary for all kernels: one ptxas run, one module load.
  pm.addPass(createWLMergeGPUModules());
  pm.addPass(createLowerAffinePass());
  {
    GpuNVVMAttachTargetOptions target;
    target.chip = options.chip;
    target.features = options.features;
    target.optLevel = 3;
    pm.addPass(createGpuNVVMAttachTarget(target));
  }
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());
  // Launches become calls of the runtime's mgpu* driver wrappers (Cuda.cpp).
  pm.addPass(createGpuToLLVMConversionPass());
  addHostToLLVM(pm, /*openMP=*/false);
  if (options.emitBinary) {
    GpuModuleToBinaryPassOptions binary;
    binary.toolkitPath = options.toolkitPath;
    binary.compilationTarget = options.binaryFormat;
    pm.addPass(createGpuModuleToBinaryPass(binary));
  }
}

void wl::registerPipelines() {
  PassPipelineRegistration<>("wl-training-pipeline",
                             "wl-generate-backward, then wl-generate-step",
                             buildTrainingPipeline);
  PassPipelineRegistration<>(
      "wl-linalg-pipeline",
      "arena layout, metadata, lowering to linalg on tensors, fusion",
      [](OpPassManager &pm) { buildLinalgPipeline(pm); });
  PassPipelineRegistration<>(
      "wl-llvm-pipeline",
      "one-shot bufferization and conversion to the LLVM dialect",
      buildLLVMPipeline);
  PassPipelineRegistration<>(
      "wl-cuda-pipeline",
      "one-shot bufferization, loops mapped to CUDA kernels (NVVM, sm_90a), "
      "host code to the "
      "LLVM dialect; the GPU modules stay in the NVVM dialect (no binary)",
      [](OpPassManager &pm) {
        CUDAOptions options;
        options.emitBinary = false;
        buildCUDAPipeline(pm, options);
      });
}
