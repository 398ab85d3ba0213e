//===- Norms.cpp - lowering of wl.row_norm and its VJP --------------------===//
//
// Per row b of x [rows, n]: the statistics (mean, mean square) are row
// reductions into [rows] tensors, then one elementwise pass reads them back
// broadcast along the row. The VJP recomputes them from x (nothing is saved
// between forward and backward).
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

using RowBody = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A linalg.generic over (row, column) of x [rows, n]: `matrices` are read at
/// [row, column], `rowValues` ([rows]) at [row]. With `reduce`, the result
/// is [rows] = Σ_column body(...) · scale; else [rows, n] = body(...).
Value rowGeneric(OpBuilder &b, Location l, Value x, ValueRange matrices,
                 ValueRange rowValues, bool reduce, double scale,
                 RowBody body) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(x.getType());
  AffineMap full = loopMap(ctx, 2, {0, 1}), row = loopMap(ctx, 2, {0});
  SmallVector<Value> inputs(matrices.begin(), matrices.end());
  inputs.append(rowValues.begin(), rowValues.end());
  SmallVector<AffineMap> maps(matrices.size(), full);
  maps.append(rowValues.size(), row);
  Value init =
      reduce
          ? filled(b, l,
                   RankedTensorType::get({type.getDimSize(0)}, b.getF32Type()),
                   0.0, {{x, 0}})
          : emptyLike(b, l, x);
  maps.push_back(reduce ? row : full);
  SmallVector<utils::IteratorType> iterators = {kPar, reduce ? kRed : kPar};
  auto generic = linalg::GenericOp::create(
      b, l, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value v = body(nb, nl, args.drop_back());
        if (reduce)
          v = arith::AddFOp::create(
              nb, nl, args.back(),
              arith::MulFOp::create(nb, nl, v, f32Const(nb, nl, scale)));
        linalg::YieldOp::create(nb, nl, ValueRange{v});
      });
  return generic.getResult(0);
}

/// The statistics of each row: the mean (null for rms, which does not
/// centre) and r = 1/sqrt(mean((x − mean)²) + eps), both [rows].
std::pair<Value, Value> rowStatistics(OpBuilder &b, Location l, Value x,
                                      RowNormKind kind, double eps) {
  int64_t n = cast<RankedTensorType>(x.getType()).getDimSize(1);
  double inv = 1.0 / double(n);
  Value mean;
  if (kind == RowNormKind::Layer)
    mean = rowGeneric(b, l, x, {x}, {}, /*reduce=*/true, inv,
                      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  Value meanSquare = rowGeneric(
      b, l, x, {x}, mean ? ValueRange{mean} : ValueRange{},
      /*reduce=*/true, inv, [](OpBuilder &nb, Location nl, ValueRange a) {
        Value c = a.size() > 1 ? subf(nb, nl, a[0], a[1]) : a[0];
        return mulf(nb, nl, c, c);
      });
  Value r = elementwise(
      b, l, {meanSquare}, {emptyLike(b, l, meanSquare)},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value s = arith::AddFOp::create(nb, nl, a[0], f32Const(nb, nl, eps));
        return SmallVector<Value>{math::RsqrtOp::create(nb, nl, s)};
      })[0];
  return {mean, r};
}

/// y = (x − mean)·r (x·r without a mean).
Value normalised(OpBuilder &b, Location l, Value x, Value mean, Value r) {
  SmallVector<Value> rows;
  if (mean)
    rows.push_back(mean);
  rows.push_back(r);
  return rowGeneric(b, l, x, {x}, rows, /*reduce=*/false, 1.0,
                    [](OpBuilder &nb, Location nl, ValueRange a) {
                      Value c = a.size() > 2 ? subf(nb, nl, a[0], a[1]) : a[0];
                      return mulf(nb, nl, c, a.back());
                    });
}

struct LowerRowNorm : OpRewritePattern<RowNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RowNormOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto [mean, r] = rowStatistics(rewriter, l, op.getInput(), op.getKind(),
                                   op.getEpsAttr().getValueAsDouble());
    rewriter.replaceOp(op, normalised(rewriter, l, op.getInput(), mean, r));
    return success();
  }
};

struct LowerRowNormGrad : OpRewritePattern<RowNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RowNormGradOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    Value x = op.getInput(), dy = op.getGrad();
    int64_t n = cast<RankedTensorType>(x.getType()).getDimSize(1);
    double inv = 1.0 / double(n);
    auto [mean, r] = rowStatistics(rewriter, l, x, op.getKind(),
                                   op.getEpsAttr().getValueAsDouble());
    Value y = normalised(rewriter, l, x, mean, r);
    // m = mean(dy ⊙ y); layer also subtracts a = mean(dy).
    Value m = rowGeneric(rewriter, l, x, {dy, y}, {}, /*reduce=*/true, inv,
                         [](OpBuilder &nb, Location nl, ValueRange a) {
                           return mulf(nb, nl, a[0], a[1]);
                         });
    SmallVector<Value> rows = {m, r};
    if (op.getKind() == RowNormKind::Layer)
      rows.push_back(
          rowGeneric(rewriter, l, x, {dy}, {}, /*reduce=*/true, inv,
                     [](OpBuilder &, Location, ValueRange v) { return v[0]; }));
    // r·(dy − y·m [− a])
    Value dx = rowGeneric(rewriter, l, x, {dy, y}, rows, /*reduce=*/false, 1.0,
                          [](OpBuilder &nb, Location nl, ValueRange v) {
                            Value t =
                                subf(nb, nl, v[0], mulf(nb, nl, v[1], v[2]));
                            if (v.size() > 4)
                              t = subf(nb, nl, t, v[4]);
                            return mulf(nb, nl, t, v[3]);
                          });
    rewriter.replaceOp(op, dx);
    return success();
  }
};

} // namespace

void lowering::populateNormLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerRowNorm, LowerRowNormGrad>(patterns.getContext());
}
