//===- Pipeline.cpp - wlc's pass pipelines --------------------------------===//
#include "wl/Compiler/Pipeline.h"

#include "wl/Conversion/Passes.h"
#include "wl/Dialect/WL/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void wl::buildTrainingPipeline(OpPassManager &pm) {
  pm.addPass(createWLGenerateBackward());
  pm.addPass(createWLGenerateStep());
  pm.addPass(createWLGenerateConstraints());
  pm.addPass(createWLCertify());
}

void wl::buildLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createWLAssignArena());
  pm.addPass(createWLEmitMetadata());
  pm.addPass(createConvertWLToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(createWLFuseElementwise());
  pm.addPass(createCanonicalizerPass());
}

void wl::buildLLVMPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferizeOptions;
  // Loops over tensors (matrix exponential squarings, Householder reflectors)
  // yield a new matrix per iteration; ownership-based deallocation frees them.
  bufferizeOptions.allowReturnAllocsFromLoops = true;
  // Results written to the arena or an output (optimizer updates, forward
  // outputs) are computed there directly instead of in a temporary + copy.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createOneShotBufferizePass(bufferizeOptions));
  pm.addPass(createCanonicalizerPass());
  // Temporaries of forward/backward are heap buffers: free them on every path.
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createWLLowerStridedCopies());
  {
    WLGemmKernelsOptions gemm;
    gemm.parallel = true;
    pm.addPass(createWLGemmKernels(gemm));
  }
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // The GEMM kernels' panel loops run on OpenMP's thread pool.
  pm.addPass(createConvertSCFToOpenMPPass());
  // Inlines the alloca scopes the conversion wraps loop bodies in (the
  // kernels allocate nothing on the stack).
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLLVMPass());
  // After libm's scalarisation of vector math (a fused epilogue's tanh or
  // erf), which leaves vector.extract/insert behind.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  {
    // Temporaries come from the runtime's caching allocator (Scratch.cpp).
    FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
    memrefOptions.useGenericFunctions = true;
    pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
  }
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void wl::registerPipelines() {
  PassPipelineRegistration<>("wl-training-pipeline",
                             "wl-generate-backward, then wl-generate-step",
                             buildTrainingPipeline);
  PassPipelineRegistration<>("wl-linalg-pipeline",
                             "arena layout, metadata, lowering to linalg on tensors, fusion",
                             buildLinalgPipeline);
  PassPipelineRegistration<>("wl-llvm-pipeline",
                             "one-shot bufferization and conversion to the LLVM dialect",
                             buildLLVMPipeline);
}
