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
    while the forward function is still in the wl dialect.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def WLLowerStridedCopies : Pass<"wl-lower-strided-copies", "mlir::ModuleOp"> {
  let summary = "Turns memref.copy between non-contiguous views into linalg.copy";
  let description = [{
    The LLVM lowering of `memref.copy` calls the `memrefCopy` function of
    MLIR's C runner utilities when a side is not contiguous; generated
    libraries must not depend on that library, so such copies become
    `linalg.copy` (loops). Contiguous copies stay `memref.copy` (memcpy).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // WL_CONVERSION_PASSES_TD
