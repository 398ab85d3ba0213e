//===- Losses.cpp - lowering of losses and their gradients ---------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include <limits>

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

/// Reduces a [B, C] tensor along C into a [B] vector starting from `init`.
Value reduceRows(
    OpBuilder &b, Location loc, ValueRange inputs, double init,
    function_ref<Value(OpBuilder &, Location, ValueRange)> combine) {
  MLIRContext *ctx = b.getContext();
  Value z = inputs[0];
  auto rowType = RankedTensorType::get(
      {cast<RankedTensorType>(z.getType()).getDimSize(0)}, b.getF32Type());
  Value acc = filled(b, loc, rowType, init, {{z, 0}});
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(cast<RankedTensorType>(in.getType()).getRank() == 2
                       ? loopMap(ctx, 2, {0, 1})
                       : loopMap(ctx, 2, {0}));
  maps.push_back(loopMap(ctx, 2, {0}));
  return linalg::GenericOp::create(
             b, loc, TypeRange{rowType}, inputs, ValueRange{acc}, maps,
             ArrayRef<utils::IteratorType>{kPar, kRed},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(nb, l, ValueRange{combine(nb, l, a)});
             })
      .getResult(0);
}

/// Row maxima and Σ exp(z − max): the stable log-sum-exp pieces.
std::pair<Value, Value> softmaxStats(OpBuilder &b, Location loc, Value z) {
  Value rowMax =
      reduceRows(b, loc, {z}, -std::numeric_limits<double>::infinity(),
                 [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                   return arith::MaximumFOp::create(nb, l, a[1], a[0]);
                 });
  Value sumExp =
      reduceRows(b, loc, {z, rowMax}, 0.0,
                 [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                   Value e = math::ExpOp::create(
                       nb, l, arith::SubFOp::create(nb, l, a[0], a[1]));
                   return arith::AddFOp::create(nb, l, a[2], e);
                 });
  return {rowMax, sumExp};
}

/// Whether column index (loop 1) equals the row's i32 label.
Value isLabel(OpBuilder &b, Location l, Value label) {
  Value c = arith::IndexCastOp::create(b, l, b.getI32Type(),
                                       linalg::IndexOp::create(b, l, 1));
  return arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, c, label);
}

struct LowerCrossEntropy : OpRewritePattern<CrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value z = op.getLogits(), labels = op.getLabels();
    auto [rowMax, sumExp] = softmaxStats(rewriter, loc, z);
    Value picked =
        reduceRows(rewriter, loc, {z, labels}, 0.0,
                   [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                     Value zero = f32Const(nb, l, 0.0);
                     Value v = arith::SelectOp::create(
                         nb, l, isLabel(nb, l, a[1]), a[0], zero);
                     return arith::AddFOp::create(nb, l, a[2], v);
                   });
    // Σ_b (max_b + log Σ exp(z_b − max_b) − z_b[y_b]) / B.
    AffineMap row = AffineMap::get(1, 0, {getAffineDimExpr(0, ctx)}, ctx);
    Value total =
        sumAll(rewriter, loc, {rowMax, sumExp, picked}, {row, row, row}, 1,
               [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                 Value lse = arith::AddFOp::create(
                     nb, l, a[0], math::LogOp::create(nb, l, a[1]));
                 return arith::SubFOp::create(nb, l, lse, a[2]);
               });
    rewriter.replaceOp(op,
                       arith::DivFOp::create(rewriter, loc, total,
                                             dimAsF32(rewriter, loc, z, 0)));
    return success();
  }
};

struct LowerCrossEntropyGrad : OpRewritePattern<CrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value z = op.getLogits();
    auto [rowMax, sumExp] = softmaxStats(rewriter, loc, z);
    // dz = (softmax(z) − onehot(y)) · dl / B.
    Value scale = arith::DivFOp::create(rewriter, loc, op.getGrad(),
                                        dimAsF32(rewriter, loc, z, 0));
    AffineMap row = loopMap(ctx, 2, {0});
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{op.getType()},
        ValueRange{z, rowMax, sumExp, op.getLabels()},
        ValueRange{emptyLike(rewriter, loc, z)},
        ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}), row, row, row,
                            loopMap(ctx, 2, {0, 1})},
        ArrayRef<utils::IteratorType>{kPar, kPar},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value e = math::ExpOp::create(
              nb, l, arith::SubFOp::create(nb, l, a[0], a[1]));
          Value p = arith::DivFOp::create(nb, l, e, a[2]);
          Value zero = f32Const(nb, l, 0.0), one = f32Const(nb, l, 1.0);
          Value onehot =
              arith::SelectOp::create(nb, l, isLabel(nb, l, a[3]), one, zero);
          Value d = arith::MulFOp::create(
              nb, l, arith::SubFOp::create(nb, l, p, onehot), scale);
          linalg::YieldOp::create(nb, l, ValueRange{d});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// B·K of a [B, K] tensor, as an f32.
Value numElements(OpBuilder &b, Location loc, Value t) {
  Value cols = dimAsF32(b, loc, t, 1);
  Value rows = dimAsF32(b, loc, t, 0);
  return arith::MulFOp::create(b, loc, rows, cols);
}

struct LowerMse : OpRewritePattern<MseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value z = op.getPrediction();
    Value total = sumAll(rewriter, loc, {z, op.getTarget()},
                         {loopMap(ctx, 2, {0, 1}), loopMap(ctx, 2, {0, 1})}, 2,
                         [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                           Value d = arith::SubFOp::create(nb, l, a[0], a[1]);
                           return arith::MulFOp::create(nb, l, d, d);
                         });
    rewriter.replaceOp(op,
                       arith::DivFOp::create(rewriter, loc, total,
                                             numElements(rewriter, loc, z)));
    return success();
  }
};

struct LowerMseGrad : OpRewritePattern<MseGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MseGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value z = op.getPrediction();
    // dz = 2 (z − t) · dl / (B·K).
    Value twice = arith::MulFOp::create(
        rewriter, loc, f32Const(rewriter, loc, 2.0), op.getGrad());
    Value scale = arith::DivFOp::create(rewriter, loc, twice,
                                        numElements(rewriter, loc, z));
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {z, op.getTarget()},
                        {emptyLike(rewriter, loc, z)},
                        [&](OpBuilder &b, Location l, ValueRange a) {
                          Value d = arith::SubFOp::create(b, l, a[0], a[1]);
                          return SmallVector<Value>{
                              arith::MulFOp::create(b, l, d, scale)};
                        }));
    return success();
  }
};

} // namespace

void lowering::populateLossLoweringPatterns(RewritePatternSet &patterns) {
  patterns
      .add<LowerCrossEntropy, LowerCrossEntropyGrad, LowerMse, LowerMseGrad>(
          patterns.getContext());
}
