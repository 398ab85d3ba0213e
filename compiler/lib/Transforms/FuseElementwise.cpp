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
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace wl {
#define GEN_PASS_DEF_WLFUSEELEMENTWISE
#include "wl/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {

/// True when `op` is a reduction whose body is `yield out + e` with e
/// independent of out (a product or a sum): its result is then init + Σ e
/// whatever init is.
bool sumsIntoItsOutput(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return false;
  Block *body = op.getBody();
  BlockArgument out = body->getArguments().back();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || !out.hasOneUse())
    return false;
  return add.getLhs() == out || add.getRhs() == out;
}

/// G + Σ e, where the sum starts from zero (a fill), becomes the sum started
/// from G: `linalg.generic {yield a + b} ins(G, P)` with P a one-use
/// reduction into a zero fill turns into that reduction with G as its init.
/// A weight gradient's `G += dyᵀ x` then accumulates straight into G (one
/// pass over it in wl-gemm-kernels) instead of filling a temporary with
/// zeros, writing the product there and adding it to G in a third pass.
struct AccumulateIntoSumInit : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp add,
                                PatternRewriter &rewriter) const override {
    if (add.getNumDpsInputs() != 2 || add.getNumDpsInits() != 1 ||
        add.getNumReductionLoops() != 0 ||
        !llvm::all_of(add.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); }))
      return failure();
    Block *body = add.getBody();
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    auto sum = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
    if (!sum || &body->front() != sum.getOperation())
      return failure();
    Value in0 = body->getArgument(0), in1 = body->getArgument(1);
    if (!((sum.getLhs() == in0 && sum.getRhs() == in1) ||
          (sum.getLhs() == in1 && sum.getRhs() == in0)))
      return failure();
    // Either input may be the sum started from zero.
    for (int sumSide = 0; sumSide < 2; ++sumSide) {
      Value partial = add.getDpsInputs()[sumSide];
      Value start = add.getDpsInputs()[1 - sumSide];
      auto reduction = partial.getDefiningOp<linalg::GenericOp>();
      if (!reduction || !partial.hasOneUse() ||
          reduction->getBlock() != add->getBlock() ||
          !sumsIntoItsOutput(reduction) ||
          start.getType() != reduction.getDpsInits()[0].getType() ||
          partial.getType() != add.getResult(0).getType())
        continue;
      auto fill = reduction.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
      if (!fill || !matchPattern(fill.getInputs()[0], m_PosZeroFloat()))
        continue;
      // At the add, start and all of the reduction's operands are defined.
      rewriter.moveOpBefore(reduction, add);
      rewriter.modifyOpInPlace(
          reduction, [&] { reduction.getDpsInitsMutable()[0].set(start); });
      rewriter.replaceOp(add, reduction->getResults());
      return success();
    }
    return failure();
  }
};

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
    patterns.add<AccumulateIntoSumInit>(ctx);
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
