//===- LinearOps.cpp - lowering of linear maps, sums and reductions ------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

/// out[b, j] = bias[j]: the accumulator a biased product starts from.
Value broadcastRows(OpBuilder &b, Location loc, Value bias, Value like) {
  MLIRContext *ctx = b.getContext();
  AffineMap id = b.getMultiDimIdentityMap(2);
  AffineMap column = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
  return linalg::GenericOp::create(
             b, loc, TypeRange{like.getType()}, ValueRange{bias},
             ValueRange{like}, ArrayRef<AffineMap>{column, id},
             SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, ValueRange{a[0]});
             })
      .getResult(0);
}

struct LowerLinear : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    // y = x Wᵀ + b with the bias as the product's starting value: the bias
    // costs no pass of its own after the product.
    if (op->hasOneUse())
      if (auto biasAdd = dyn_cast<BiasAddOp>(*op->getUsers().begin());
          biasAdd && biasAdd.getInput() == op.getResult()) {
        auto type = cast<RankedTensorType>(op.getType());
        SmallVector<std::pair<Value, int64_t>> dynamicFrom;
        if (type.isDynamicDim(0))
          dynamicFrom.push_back({op.getInput(), 0});
        Value init = broadcastRows(rewriter, loc, biasAdd.getBias(),
                                   emptyOf(rewriter, loc, type, dynamicFrom));
        Value y = contractionInto(rewriter, loc, init, op.getInput(),
                                  op.getWeight(), false,
                                  /*transposeRhs=*/true, 1.0);
        rewriter.replaceOp(biasAdd, y);
        rewriter.eraseOp(op);
        return success();
      }
    // y = x Wᵀ.
    rewriter.replaceOp(op, contraction(rewriter, loc, op.getType(),
                                       op.getInput(), op.getWeight(), false,
                                       /*transposeRhs=*/true));
    return success();
  }
};

struct LowerMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       contraction(rewriter, op.getLoc(), op.getType(),
                                   op.getLhs(), op.getRhs(),
                                   op.getTransposeLhs(), op.getTransposeRhs()));
    return success();
  }
};

struct LowerBiasAdd : OpRewritePattern<BiasAddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BiasAddOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    AffineMap id = rewriter.getMultiDimIdentityMap(2);
    AffineMap column = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    Value init = emptyLike(rewriter, loc, op.getInput());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getType()},
        ValueRange{op.getInput(), op.getBias()}, ValueRange{init},
        ArrayRef<AffineMap>{id, column, id},
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(
              b, l, ValueRange{arith::AddFOp::create(b, l, a[0], a[1])});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct LowerReduceBatch : OpRewritePattern<ReduceBatchOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceBatchOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    // Loops (b, j): out[j] += x[b, j]. The rows outermost, so the inner loop
    // streams a row of x (vectorised) instead of striding down a column;
    // each out[j] still sums b = 0, 1, ... in order.
    AffineMap in = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap out = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    Value init = filled(rewriter, loc, op.getType(), 0.0, {});
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getType()}, ValueRange{op.getInput()},
        ValueRange{init}, ArrayRef<AffineMap>{in, out},
        ArrayRef<utils::IteratorType>{utils::IteratorType::reduction,
                                      utils::IteratorType::parallel},
        [](OpBuilder &b, Location l, ValueRange a) {
          linalg::YieldOp::create(
              b, l, ValueRange{arith::AddFOp::create(b, l, a[1], a[0])});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct LowerAdd : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {op.getLhs(), op.getRhs()},
                        {emptyLike(rewriter, loc, op.getLhs())},
                        [](OpBuilder &b, Location l, ValueRange a) {
                          return SmallVector<Value>{
                              arith::AddFOp::create(b, l, a[0], a[1])};
                        }));
    return success();
  }
};

struct LowerScale : OpRewritePattern<ScaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScaleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double factor = op.getFactorAttr().getValueAsDouble();
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {op.getInput()},
                        {emptyLike(rewriter, loc, op.getInput())},
                        [&](OpBuilder &b, Location l, ValueRange a) {
                          return SmallVector<Value>{arith::MulFOp::create(
                              b, l, a[0], f32Const(b, l, factor))};
                        }));
    return success();
  }
};

} // namespace

void lowering::populateLinearLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerLinear, LowerMatmul, LowerBiasAdd, LowerReduceBatch,
               LowerAdd, LowerScale>(patterns.getContext());
}
