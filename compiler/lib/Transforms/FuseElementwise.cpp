//===- FuseElementwise.cpp - elementwise fusion that keeps products intact
//-===//
//
// Upstream's elementwise fusion, with one more condition: a producer is fused
// into a consumer only when the consumer reads each produced element once
// (its indexing map for the operand is a permutation of all its loops). Fused
// into a product (map (m, k) of loops (m, n, k)) an activation would be
// recomputed N times per element, and the product would no longer be a
// product for wl-gemm-kernels. For the same reason a product's result is not
// expanded through a reshape that reads it.
//
//===----------------------------------------------------------------------===//
#include "wl/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace wl {
#define GEN_PASS_DEF_WLFUSEELEMENTWISE
#include "wl/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {
struct WLFuseElementwisePass
    : public wl::impl::WLFuseElementwiseBase<WLFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    linalg::ControlFusionFn control = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        return false;
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      if (!consumer) {
        // A reshape of a product's result stays a reshape: folded in, it
        // would split the product's rows or columns into several loops,
        // which wl-gemm-kernels does not take as one GEMM.
        auto product = dyn_cast<linalg::LinalgOp>(producer);
        return !product || product.getNumReductionLoops() == 0;
      }
      return consumer.getMatchingIndexingMap(fused).isPermutation();
    };
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, ctx);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    ctx->getLoadedDialect<linalg::LinalgDialect>()->getCanonicalizationPatterns(
        patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns),
                                GreedyRewriteConfig().setUseTopDownTraversal());
  }
};
} // namespace
