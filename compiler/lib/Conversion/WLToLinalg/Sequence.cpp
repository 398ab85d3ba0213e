//===- Sequence.cpp - lowering of positions, embeddings, mean pooling -----===//
//
// Row-form values [B·T, d] are viewed as [B, T, d] (tensor.expand_shape)
// where an op needs the example and the position apart. Ids are clamped into
// the table before every read or write: the runtime refuses bad ids, the
// clamp only keeps memory safe. Attention has its own file (Attention.cpp).
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

/// [B·T, d] viewed as [B, T, d].
Value splitPositions(OpBuilder &b, Location l, Value rows, int64_t length) {
  auto type = cast<RankedTensorType>(rows.getType());
  auto split =
      RankedTensorType::get({ShapedType::kDynamic, length, type.getDimSize(1)},
                            type.getElementType());
  Value batch =
      arith::DivUIOp::create(b, l, tensor::DimOp::create(b, l, rows, 0),
                             arith::ConstantIndexOp::create(b, l, length));
  SmallVector<OpFoldResult> sizes{batch, b.getIndexAttr(length),
                                  b.getIndexAttr(type.getDimSize(1))};
  return tensor::ExpandShapeOp::create(
      b, l, split, rows, ArrayRef<ReassociationIndices>{{0, 1}, {2}}, sizes);
}

/// [B, T, d] as rows [B·T, d].
Value mergePositions(OpBuilder &b, Location l, Value split) {
  return tensor::CollapseShapeOp::create(
      b, l, split, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
}

/// The i32 id as an index into a table of `rows` rows, clamped into range.
Value clampedRow(OpBuilder &b, Location l, Value id, int64_t rows) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), id);
  Value lo = arith::ConstantIndexOp::create(b, l, 0);
  Value hi = arith::ConstantIndexOp::create(b, l, rows - 1);
  return arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, i, lo), hi);
}

struct LowerPositions : OpRewritePattern<PositionsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PositionsOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    Value init =
        emptyOf(rewriter, l, cast<RankedTensorType>(op.getResult().getType()),
                {{op.getLike(), 0}});
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(2)},
        ArrayRef<utils::IteratorType>{kPar, kPar},
        [](OpBuilder &b, Location nl, ValueRange) {
          Value t = linalg::IndexOp::create(b, nl, 1);
          linalg::YieldOp::create(
              b, nl,
              ValueRange{arith::IndexCastOp::create(b, nl, b.getI32Type(), t)});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// out[b, t, c] = table[clamp(ids[b, t]), c]: a gather, ids read through the
/// indexing map, the table row through tensor.extract.
struct LowerEmbedding : OpRewritePattern<EmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value table = op.getTable(), ids = op.getIds();
    auto tableType = cast<RankedTensorType>(table.getType());
    int64_t length =
        cast<RankedTensorType>(op.getIds().getType()).getDimSize(1);
    auto splitType = RankedTensorType::get(
        {ShapedType::kDynamic, length, tableType.getDimSize(1)},
        rewriter.getF32Type());
    Value init = emptyOf(rewriter, l, splitType, {{ids, 0}});
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{splitType}, ValueRange{ids}, ValueRange{init},
        ArrayRef<AffineMap>{loopMap(ctx, 3, {0, 1}),
                            loopMap(ctx, 3, {0, 1, 2})},
        ArrayRef<utils::IteratorType>{kPar, kPar, kPar},
        [&](OpBuilder &b, Location nl, ValueRange a) {
          Value row = clampedRow(b, nl, a[0], tableType.getDimSize(0));
          Value col = linalg::IndexOp::create(b, nl, 2);
          Value v =
              tensor::ExtractOp::create(b, nl, table, ValueRange{row, col});
          linalg::YieldOp::create(b, nl, ValueRange{v});
        });
    rewriter.replaceOp(op, mergePositions(rewriter, l, generic.getResult(0)));
    return success();
  }
};

/// dtable[clamp(ids[n]), :] += dy[n, :] for n = b·T + t in order: one row
/// update per position (a scatter-add; ids may repeat), never a one-hot
/// product over the whole table.
struct LowerEmbeddingGrad : OpRewritePattern<EmbeddingGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbeddingGradOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    auto tableType = cast<RankedTensorType>(op.getResult().getType());
    int64_t vocab = tableType.getDimSize(0), width = tableType.getDimSize(1);
    int64_t length =
        cast<RankedTensorType>(op.getIds().getType()).getDimSize(1);
    Value dy = op.getGrad(), ids = op.getIds();
    Value zeros = filled(rewriter, l, tableType, 0.0, {});
    Value zero = arith::ConstantIndexOp::create(rewriter, l, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, l, 1);
    Value positions = tensor::DimOp::create(rewriter, l, dy, 0);
    Value lengthValue = arith::ConstantIndexOp::create(rewriter, l, length);
    auto rowType = RankedTensorType::get({width}, rewriter.getF32Type());
    SmallVector<OpFoldResult> rowSizes{rewriter.getIndexAttr(1),
                                       rewriter.getIndexAttr(width)};
    SmallVector<OpFoldResult> unit(2, rewriter.getIndexAttr(1));
    auto loop = scf::ForOp::create(
        rewriter, l, zero, positions, one, ValueRange{zeros},
        [&](OpBuilder &b, Location nl, Value n, ValueRange carried) {
          Value example = arith::DivUIOp::create(b, nl, n, lengthValue);
          Value position = arith::RemUIOp::create(b, nl, n, lengthValue);
          Value id = tensor::ExtractOp::create(b, nl, ids,
                                               ValueRange{example, position});
          Value row = clampedRow(b, nl, id, vocab);
          SmallVector<OpFoldResult> at{row, b.getIndexAttr(0)};
          Value current = tensor::ExtractSliceOp::create(
              b, nl, rowType, carried[0], at, rowSizes, unit);
          Value incoming = tensor::ExtractSliceOp::create(
              b, nl, rowType, dy,
              SmallVector<OpFoldResult>{n, b.getIndexAttr(0)}, rowSizes, unit);
          Value sum =
              elementwise(b, nl, {incoming}, {current},
                          [](OpBuilder &bb, Location ll, ValueRange a) {
                            return SmallVector<Value>{
                                arith::AddFOp::create(bb, ll, a[1], a[0])};
                          })[0];
          scf::YieldOp::create(
              b, nl,
              ValueRange{tensor::InsertSliceOp::create(b, nl, sum, carried[0],
                                                       at, rowSizes, unit)});
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

/// y[b, c] = Σ_t h[b, t, c] / T, positions outer so that rows stream.
struct LowerMeanPool : OpRewritePattern<MeanPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MeanPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t length = op.getLength();
    Value h = splitPositions(rewriter, l, op.getInput(), length);
    Value init =
        filled(rewriter, l, cast<RankedTensorType>(op.getResult().getType()),
               0.0, {{h, 0}});
    double inv = 1.0 / double(length);
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{init.getType()}, ValueRange{h}, ValueRange{init},
        ArrayRef<AffineMap>{loopMap(ctx, 3, {0, 1, 2}),
                            loopMap(ctx, 3, {0, 2})},
        ArrayRef<utils::IteratorType>{kPar, kRed, kPar},
        [&](OpBuilder &b, Location nl, ValueRange a) {
          Value term = arith::MulFOp::create(b, nl, a[0], f32Const(b, nl, inv));
          linalg::YieldOp::create(
              b, nl, ValueRange{arith::AddFOp::create(b, nl, a[1], term)});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// dh[b, t, c] = dy[b, c] / T.
struct LowerMeanPoolGrad : OpRewritePattern<MeanPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MeanPoolGradOp op,
                                PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    int64_t length = op.getLength();
    Value dy = op.getGrad();
    auto splitType = RankedTensorType::get(
        {ShapedType::kDynamic, length,
         cast<RankedTensorType>(dy.getType()).getDimSize(1)},
        rewriter.getF32Type());
    Value init = emptyOf(rewriter, l, splitType, {{dy, 0}});
    double inv = 1.0 / double(length);
    auto generic = linalg::GenericOp::create(
        rewriter, l, TypeRange{splitType}, ValueRange{dy}, ValueRange{init},
        ArrayRef<AffineMap>{loopMap(ctx, 3, {0, 2}),
                            loopMap(ctx, 3, {0, 1, 2})},
        ArrayRef<utils::IteratorType>{kPar, kPar, kPar},
        [&](OpBuilder &b, Location nl, ValueRange a) {
          linalg::YieldOp::create(b, nl,
                                  ValueRange{arith::MulFOp::create(
                                      b, nl, a[0], f32Const(b, nl, inv))});
        });
    rewriter.replaceOp(op, mergePositions(rewriter, l, generic.getResult(0)));
    return success();
  }
};

} // namespace

void lowering::populateSequenceLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerPositions, LowerEmbedding, LowerEmbeddingGrad,
               LowerMeanPool, LowerMeanPoolGrad>(patterns.getContext());
}
