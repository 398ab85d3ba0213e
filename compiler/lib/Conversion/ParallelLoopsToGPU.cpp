//===- ParallelLoopsToGPU.cpp - scf.parallel -> 1-D grids of thread blocks ===//
//
// The CUDA target's mapping of loop nests onto the GPU (Passes.td). Each
// linalg op becomes an scf.parallel over its parallel dimensions (moved
// outermost, reductions as scf.for inside), and every outermost scf.parallel
// one kernel: all its dimensions collapsed into one index (row-major, so
// thread i + 1 touches the element after thread i's), tiled into blocks of
// `block-size` threads, blocks on grid x.
//
//===----------------------------------------------------------------------===//
#include "wl/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

#include <numeric>

namespace wl {
#define GEN_PASS_DEF_WLPARALLELLOOPSTOGPU
#define GEN_PASS_DEF_WLMERGEGPUMODULES
#include "wl/Conversion/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {

/// Gives every dimension of `loop` the processor `processor` (identity maps).
LogicalResult mapTo(scf::ParallelOp loop, gpu::Processor processor) {
  MLIRContext *ctx = loop.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(1, ctx);
  SmallVector<gpu::ParallelLoopDimMappingAttr> mapping(
      loop.getNumLoops(),
      gpu::ParallelLoopDimMappingAttr::get(ctx, gpu::Processor::Sequential,
                                           identity, identity));
  if (processor != gpu::Processor::Sequential)
    mapping.front() = gpu::ParallelLoopDimMappingAttr::get(ctx, processor,
                                                           identity, identity);
  return gpu::setMappingAttr(loop, mapping);
}

/// Replaces `loop` (no results) by a nest of scf.for over the same bounds.
void sequentialize(RewriterBase &rewriter, scf::ParallelOp loop) {
  rewriter.setInsertionPoint(loop);
  scf::buildLoopNest(
      rewriter, loop.getLoc(), loop.getLowerBound(), loop.getUpperBound(),
      loop.getStep(), [&](OpBuilder &b, Location, ValueRange ivs) {
        IRMapping map;
        map.map(loop.getInductionVars(), ivs);
        for (Operation &op : loop.getBody()->without_terminator())
          b.clone(op, map);
      });
  rewriter.eraseOp(loop);
}

/// `op` (on memrefs) as scf.parallel over its parallel dimensions, which
/// come first: a reduction dimension between two parallel ones (dx = dy W as
/// (b, k, i)) would otherwise leave the inner parallel dimension to run
/// sequentially in each thread.
LogicalResult lowerToParallelLoops(IRRewriter &rewriter, linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics())
    return op->emitError(
        "wl-parallel-loops-to-gpu: expected a linalg op on memrefs");
  rewriter.setInsertionPoint(op);
  linalg::GenericOp generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic) {
    FailureOr<linalg::GenericOp> general =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(general))
      return op->emitError(
          "wl-parallel-loops-to-gpu: cannot generalize this op");
    generic = *general;
  }
  SmallVector<unsigned> parallelFirst;
  auto iterators = generic.getIteratorTypesArray();
  for (auto [i, kind] : llvm::enumerate(iterators))
    if (kind == utils::IteratorType::parallel)
      parallelFirst.push_back(i);
  for (auto [i, kind] : llvm::enumerate(iterators))
    if (kind != utils::IteratorType::parallel)
      parallelFirst.push_back(i);
  if (!llvm::is_sorted(parallelFirst)) {
    FailureOr<linalg::GenericOp> interchanged =
        linalg::interchangeGenericOp(rewriter, generic, parallelFirst);
    if (failed(interchanged))
      return generic->emitError(
          "wl-parallel-loops-to-gpu: cannot interchange the loops");
    generic = *interchanged;
  }
  if (failed(linalg::linalgOpToParallelLoops(rewriter, generic)))
    return generic->emitError(
        "wl-parallel-loops-to-gpu: cannot lower to loops");
  rewriter.eraseOp(generic);
  return success();
}

struct WLParallelLoopsToGPUPass
    : public wl::impl::WLParallelLoopsToGPUBase<WLParallelLoopsToGPUPass> {
  using WLParallelLoopsToGPUBase::WLParallelLoopsToGPUBase;

  void runOnOperation() override {
    if (blockSize < 32 || blockSize > 1024) {
      getOperation().emitError(
          "wl-parallel-loops-to-gpu: block-size must lie in [32, 1024]");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> linalgOps;
    getOperation().walk([&](linalg::LinalgOp op) { linalgOps.push_back(op); });
    for (linalg::LinalgOp op : linalgOps)
      if (failed(lowerToParallelLoops(rewriter, op)))
        return signalPassFailure();

    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>() &&
          loop.getNumResults() == 0)
        outermost.push_back(loop);
    });
    for (scf::ParallelOp loop : outermost) {
      // Collapse (the utility normalises the loop to step 1 from 0 and
      // replaces it; find the replacement through the insertion point).
      if (loop.getNumLoops() > 1) {
        std::vector<unsigned> all(loop.getNumLoops());
        std::iota(all.begin(), all.end(), 0u);
        Block *block = loop->getBlock();
        Operation *next = loop->getNextNode();
        rewriter.setInsertionPoint(loop);
        collapseParallelLoops(rewriter, loop, {all});
        loop =
            cast<scf::ParallelOp>(next ? next->getPrevNode() : &block->back());
      }
      // Full tiles with a bounds guard inside (no min/max bounds), so the
      // block size is a constant.
      auto [blocks, threads] =
          scf::tileParallelLoop(loop, {blockSize}, /*noMinMaxBounds=*/true);
      if (failed(mapTo(blocks, gpu::Processor::BlockX)) ||
          failed(mapTo(threads, gpu::Processor::ThreadX)))
        return signalPassFailure();
      // Parallel loops nested deeper (a linalg op whose reduction dimension
      // comes before a parallel one) run sequentially in the thread;
      // convert-parallel-loops-to-gpu only accepts them directly nested.
      SmallVector<scf::ParallelOp> nested;
      threads.getBody()->walk(
          [&](scf::ParallelOp inner) { nested.push_back(inner); });
      for (scf::ParallelOp inner : llvm::reverse(nested))
        sequentialize(rewriter, inner);
    }
  }
};

} // namespace

namespace {

struct WLMergeGPUModulesPass
    : public wl::impl::WLMergeGPUModulesBase<WLMergeGPUModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> outlined(module.getOps<gpu::GPUModuleOp>());
    if (outlined.size() < 2)
      return;
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    auto merged = gpu::GPUModuleOp::create(b, module.getLoc(), "wlgen_kernels");
    SymbolTable mergedSymbols(merged);
    for (gpu::GPUModuleOp from : outlined) {
      if (from.getTargetsAttr() || from->getAttrDictionary().size() > 1) {
        from.emitError("wl-merge-gpu-modules: expected plain outlined modules "
                       "(no targets yet)");
        return signalPassFailure();
      }
      StringRef moduleName = from.getSymName();
      SmallVector<Operation *> ops;
      for (Operation &op : from.getBody()->without_terminator())
        ops.push_back(&op);
      for (Operation *op : ops) {
        auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
        if (!kernel) {
          op->emitError("wl-merge-gpu-modules: only kernels are expected in "
                        "outlined modules");
          return signalPassFailure();
        }
        // Launches name @module::@kernel; the kernel takes the module's name.
        auto oldRef =
            SymbolRefAttr::get(from.getSymNameAttr(),
                               {FlatSymbolRefAttr::get(kernel.getNameAttr())});
        kernel->remove();
        kernel.setName(moduleName);
        mergedSymbols.insert(kernel);
        auto newRef =
            SymbolRefAttr::get(merged.getSymNameAttr(),
                               {FlatSymbolRefAttr::get(kernel.getNameAttr())});
        module.walk([&](gpu::LaunchFuncOp launch) {
          if (launch.getKernel() == oldRef)
            launch.setKernelAttr(newRef);
        });
      }
      from.erase();
    }
  }
};

} // namespace
