//===- Passes.td - transformations of the generated code ---*- tablegen -*-===//
//
// Passes that make the generated linalg faster without changing what it
// computes: elementwise fusion and row tiles on tensors, GEMM kernels on
// memrefs, OpenMP regions that fork only for more than one iteration; and
// one that changes it within a few ulp (erf as a rational approximation).
// The pipelines run them between convert-wl-to-linalg and the LLVM lowering.
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
    B vectors per k). An operand whose unit stride runs the other way (Wᵀ
    in x·Wᵀ, rows of A) is packed by 16 × 16 blocks of vector loads
    transposed with vector.shuffle. Edges are handled by clamped packing,
    masked C loads/stores and row guards. `wl.upper` products (a square,
    symmetric C) compute only the micro-tiles meeting the upper triangle,
    then `wlgen_mirror_upper` copies it below the diagonal by 16 × 16 blocks
    transposed in registers. A zero fill of C right before
    a product is removed: the kernel writes C on its first k block. With
    `parallel`, each thread takes a contiguous range of C's columns, packing
    A (whole when under 4·MC rows, else in MC-row blocks) and its own B
    panels; products of at least 4·MC rows with fewer than 16 panels per
    thread give each thread a contiguous range of rows instead (one fixed
    summation order per element, so results do not depend on the thread
    count).
  }];
  let options = [
    Option<"mr", "mr", "int64_t", "8", "rows of the micro-kernel tile">,
    Option<"nr", "nr", "int64_t", "32", "columns of the micro-kernel tile (a multiple of 16)">,
    Option<"mc", "mc", "int64_t", "192", "rows of a packed A block (a multiple of mr)">,
    Option<"kc", "kc", "int64_t", "512", "depth of a packed block">,
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

def WLParallelRows : Pass<"wl-parallel-rows"> {
  let summary = "Splits large row-wise linalg ops into scf.forall tiles of rows";
  let description = [{
    Matrix products and attention run on every thread; the rest of a step
    (activations, residual adds, norms, their gradients, the optimizer's
    elementwise updates) was one serial loop nest per op, and in a
    transformer step the second core idled for half of the time. This pass
    tiles the outermost loop of every linalg.generic on tensors whose
    loops are all parallel except trailing reductions (elementwise ops and
    row reductions such as norms and softmax) into an scf.forall over
    blocks of rows, each at least `min-elements` of the iteration space, so
    that OpenMP spreads them over the threads. Each element (and each row's
    reduction) is computed by the same scalar code in the same order as
    before, so results do not change and do not depend on the thread count.
    Matrix products (left to wl-gemm-kernels), ops already inside a parallel
    loop (attention tiles), ops whose first loop is a reduction and ops of
    one tile are left alone. A 2-D elementwise op that reads an operand
    transposed (S − Sᵀ, a mirrored triangle) gets 64 × 64 tiles instead, so
    the transposed reads stay within 64 cache lines.
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", "32768",
           "iterations of the op in one tile (at least)">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect", "mlir::arith::ArithDialect"];
}

def WLFillPerUse : Pass<"wl-fill-per-use"> {
  let summary = "Gives every reader of a fill its own fill, right before it";
  let description = [{
    CSE leaves one fill (of one tensor.empty) for all the products of a shape
    that start from zero, and One-Shot Bufferize then gives them one buffer:
    the reader that must not overwrite it while another still needs it gets
    a copy. In a frozen + LoRA step that was a serial 1 MB zero fill, then a
    serial 1 MB copy of it, and the product no longer saw a fill before it.
    Run right before bufferization, this pass gives every reader of a fill of
    a tensor.empty its own fill of its own tensor.empty, right before the
    reader: each becomes its own allocation, with no copies, and a product
    finds its zero fill right before it (wl-gemm-kernels then writes C on the
    first k block instead of filling it and adding to it).
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect", "mlir::linalg::LinalgDialect"];
}

def WLSerialSingleIteration : Pass<"wl-serial-single-iteration"> {
  let summary = "Runs an omp.parallel loop of one iteration without waking the threads";
  let description = [{
    Row tiles and kernel panels are counted at run time: a batch of 32
    rows is one tile of wl-parallel-rows, yet its omp.parallel would still
    fork and join the thread pool (microseconds, as long as the tile's own
    work in a small model). This pass gives every omp.parallel whose
    worksharing loop's bounds are defined outside it an `if` clause: run in
    parallel only when the loop nest has at least two iterations.
  }];
  let dependentDialects = ["mlir::omp::OpenMPDialect", "mlir::arith::ArithDialect"];
}

def WLApproximateErf : Pass<"wl-approximate-erf"> {
  let summary = "Replaces f32 math.erf by MLIR's rational approximation";
  let description = [{
    libm's erff is a call the loop vectoriser cannot widen (LLVM maps no
    vector erf), so an exact gelu ran one scalar call per element: 10% of a
    transformer step. MLIR's polynomial approximation (3 intervals of a
    degree-4 rational function, absolute error about 2.5e-7, i.e. a few ulp
    of a value in [-1, 1]) is plain arithmetic and selects, which LLVM
    vectorises with the rest of the loop.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect"];
}

#endif // WL_TRANSFORMS_PASSES_TD
