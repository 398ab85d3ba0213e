//===- Passes.td - lowering out of the wl dialect ----------*- tablegen -*-===//
#ifndef WL_CONVERSION_PASSES_TD
#define WL_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertWLToLinalg : Pass<"convert-wl-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lowers wl ops to linalg/tensor/arith/math and binds functions to the arena";
  let description = [{
    The entry functions (`forward`, `loss`, `backward`, `loss_backward`,
    `step`) become `wlgen_<name>` with the C interface: their first argument is
    the model arena `memref<?xf32>`, tensor arguments become memrefs read with
    `bufferization.to_tensor restrict`, and tensor results become trailing
    output memrefs written with `bufferization.materialize_in_destination`.
    Parameter, gradient and state accesses become views of the arena at the
    offsets `wl-assign-arena` chose. Every wl op lowers to destination-style
    linalg on tensors, ready for one-shot bufferization.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::memref::MemRefDialect", "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect", "mlir::scf::SCFDialect"
  ];
}

def WLEmitMetadata : Pass<"wl-emit-metadata", "mlir::ModuleOp"> {
  let summary = "Describes the model for the runtime in the global `wlgen_metadata`";
  let description = [{
    Writes the JSON document of runtime/include/wl/wlgen.h (sizes, parameter
    layout and inits, layers, and the Lipschitz composition of the forward
    graph) into an `llvm.mlir.global` string. Runs after `wl-assign-arena`,
    while the forward function is still in the wl dialect. For the cuda
    target the document says `"target": "cuda"`.
  }];
  let options = [
    Option<"target", "target", "::wl::Target", "::wl::Target::CPU", "where the code runs",
           [{::llvm::cl::values(clEnumValN(::wl::Target::CPU, "cpu", "the host CPU"),
                                clEnumValN(::wl::Target::CUDA, "cuda", "an NVIDIA GPU"))}]>
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def WLLowerStridedCopies : Pass<"wl-lower-strided-copies", "mlir::ModuleOp"> {
  let summary = "Turns memref.copy between non-contiguous views into linalg.copy";
  let description = [{
    The LLVM lowering of `memref.copy` calls the `memrefCopy` function of
    MLIR's C runner utilities when a side is not contiguous; generated
    libraries must not depend on that library, so such copies become
    `linalg.copy` (loops). Contiguous copies stay `memref.copy` (memcpy)
    unless `all` is set (the CUDA target: a copy of device data is a kernel,
    not a host memcpy).
  }];
  let options = [
    Option<"all", "all", "bool", "false", "lower contiguous copies too">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def WLParallelLoopsToGPU : Pass<"wl-parallel-loops-to-gpu", "mlir::ModuleOp"> {
  let summary = "Maps linalg ops and loop nests onto 1-D grids of GPU thread blocks";
  let description = [{
    For the CUDA target. Each linalg op on memrefs becomes an `scf.parallel`
    over its parallel dimensions, moved outermost (generic ops interchanged,
    named ops generalized first), with its reductions as `scf.for` inside.
    Then each outermost `scf.parallel` is collapsed into one dimension (the
    last original dimension varies fastest, so neighbouring threads touch
    neighbouring elements), tiled by `block-size`, and given the mapping
    attribute block_x / thread_x that `convert-parallel-loops-to-gpu` turns
    into a `gpu.launch`. A 1-D grid has no per-dimension limit to trip over
    (grid y and z stop at 65535, block z at 64), and any rank maps the same
    way. `scf.parallel` loops nested deeper become `scf.for` nests run by
    the thread. Loops with reductions (results) are left to the host.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", "256", "threads per block">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect", "mlir::affine::AffineDialect",
                           "mlir::linalg::LinalgDialect"];
}

def WLMergeGPUModules : Pass<"wl-merge-gpu-modules", "mlir::ModuleOp"> {
  let summary = "Moves every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per kernel, and each
    module becomes its own binary: one ptxas run and one module load per
    kernel (a small MLP has 68). This pass moves every `gpu.func` into a
    single `gpu.module @wlgen_kernels`, each renamed after its original
    module (unique), and points every `gpu.launch_func` at it.
  }];
  let dependentDialects = ["mlir::gpu::GPUDialect"];
}

#endif // WL_CONVERSION_PASSES_TD
