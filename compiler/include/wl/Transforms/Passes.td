//===- Passes.td - transformations of the generated code ---*- tablegen -*-===//
//
// Passes that make the generated linalg faster without changing what it
// computes: elementwise fusion on tensors, GEMM kernels on memrefs. The
// pipelines run them between convert-wl-to-linalg and the LLVM lowering.
//
//===----------------------------------------------------------------------===//
#ifndef WL_TRANSFORMS_PASSES_TD
#define WL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def WLFuseElementwise : Pass<"wl-fuse-elementwise"> {
  let summary = "Elementwise fusion that never fuses into a consumer reading an element twice";
  let description = [{
    linalg's elementwise fusion (producers with one use fused into their
    consumer, reshapes folded by expansion, constant folding), except that a
    producer is fused only when the consumer's indexing map for it is a
    permutation: an activation feeding a matrix product stays a separate
    pass instead of being recomputed for every column inside the product.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect"];
}

def WLGemmKernels : Pass<"wl-gemm-kernels", "mlir::ModuleOp"> {
  let summary = "Lowers every matrix product to packed, register-blocked vector kernels";
  let description = [{
    Matches linalg.generic ops on memrefs computing C += s·A·B (one m, n and
    k loop, any batch loops, any operand layout with C's n or m dimension of
    unit stride) and replaces each with the GotoBLAS/BLIS loop nest: cache
    blocks of B (KC × NC) and A (MC × KC) packed into contiguous panels, and
    an MR × NR micro-kernel that keeps MR·NR/16 `vector<16xf32>`
    accumulators in registers (vector.fma of a broadcast A element and NR/16
    B vectors per k). Edges are handled by clamped packing, masked C
    loads/stores and row guards. `wl.upper` products compute only the
    micro-tiles meeting the upper triangle. With `parallel`, the loops over
    NR-wide panels are scf.parallel (one fixed summation order per element,
    so results do not depend on the thread count).
  }];
  let options = [
    Option<"mr", "mr", "int64_t", "8", "rows of the micro-kernel tile">,
    Option<"nr", "nr", "int64_t", "32", "columns of the micro-kernel tile (a multiple of 16)">,
    Option<"mc", "mc", "int64_t", "192", "rows of a packed A block (a multiple of mr)">,
    Option<"kc", "kc", "int64_t", "256", "depth of a packed block">,
    Option<"nc", "nc", "int64_t", "1024", "columns of a packed B block (a multiple of nr)">,
    Option<"parallel", "parallel", "bool", "false", "emit the panel loops as scf.parallel">
  ];
  let dependentDialects = [
    "mlir::vector::VectorDialect", "mlir::scf::SCFDialect", "mlir::memref::MemRefDialect",
    "mlir::arith::ArithDialect", "mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect"
  ];
}

def WLInlineAllocaScopes : Pass<"wl-inline-alloca-scopes"> {
  let summary = "Inlines memref.alloca_scope ops that hold no memref.alloca";
  let description = [{
    convert-scf-to-openmp wraps each parallel loop body in a
    memref.alloca_scope. The canonicalizer inlines a scope only when nothing
    in it may allocate on the stack, and it counts every call as such; a body
    that calls a GEMM kernel directly (an attention tile) keeps its scope,
    whose single block convert-scf-to-cf then cannot split. A callee
    allocates in its own frame, so a scope with no memref.alloca of its own
    (outside nested allocation scopes) is inlined.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

#endif // WL_TRANSFORMS_PASSES_TD
