//===- Constraints.cpp - lowering of the constraint projections ----------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

/// y = W x (transpose = false, x [IN]) or y = Wᵀ x (x [OUT]). Both walk W
/// along its rows: Wᵀx with loops (reduced row r, output o), each row scaled
/// into y; W x with loops (output o, reduced r), a dot product per row that
/// may be summed in any order (vectorised).
Value matvec(OpBuilder &b, Location loc, Value w, Value x, bool transpose) {
  MLIRContext *ctx = b.getContext();
  auto wType = cast<RankedTensorType>(w.getType());
  int64_t n = wType.getDimSize(transpose ? 1 : 0);
  auto type = RankedTensorType::get({n}, b.getF32Type());
  SmallVector<AffineMap> maps =
      transpose
          ? SmallVector<AffineMap>{loopMap(ctx, 2, {0, 1}),
                                   loopMap(ctx, 2, {0}), loopMap(ctx, 2, {1})}
          : SmallVector<AffineMap>{loopMap(ctx, 2, {0, 1}),
                                   loopMap(ctx, 2, {1}), loopMap(ctx, 2, {0})};
  SmallVector<utils::IteratorType> iterators =
      transpose ? SmallVector<utils::IteratorType>{kRed, kPar}
                : SmallVector<utils::IteratorType>{kPar, kRed};
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{w, x},
             ValueRange{filled(b, loc, type, 0.0, {})}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
               auto sum = arith::AddFOp::create(nb, l, a[2], p);
               if (!transpose)
                 sum.setFastmath(arith::FastMathFlags::reassoc);
               linalg::YieldOp::create(nb, l, ValueRange{sum.getResult()});
             })
      .getResult(0);
}

/// The row chunks of gramProduct: a power of two up to kMaxGramChunks that
/// divides the rows, each chunk at least kMinGramChunkRows rows; 1 when none
/// does (then two plain products).
constexpr int64_t kMaxGramChunks = 16, kMinGramChunkRows = 32;
int64_t gramChunks(int64_t rows) {
  for (int64_t c = kMaxGramChunks; c > 1; c /= 2)
    if (rows % c == 0 && rows / c >= kMinGramChunkRows)
      return c;
  return 1;
}

/// (W v, Wᵀ W v) in one pass over W: its rows in `chunks` chunks shared by
/// the threads (scf.forall), each chunk computing t_c = W_c v and then
/// W_cᵀ t_c while it is still in cache; the chunks' partial sums of Wᵀt are
/// added last. Two matvecs stream W twice, and Wᵀx runs on one thread (its
/// loop reduces over the rows).
std::pair<Value, Value> gramProduct(OpBuilder &b, Location loc, Value w,
                                    Value v, int64_t chunks) {
  MLIRContext *ctx = b.getContext();
  auto wType = cast<RankedTensorType>(w.getType());
  int64_t n = wType.getDimSize(0), m = wType.getDimSize(1), rows = n / chunks;
  Type f32 = b.getF32Type();
  auto index = [&](int64_t i) -> OpFoldResult { return b.getIndexAttr(i); };
  Value tInit =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{chunks, rows}, f32);
  Value pInit =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{chunks, m}, f32);
  auto forall =
      scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{index(chunks)},
                            ValueRange{tInit, pInit}, std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(forall.getTerminator());
    Value c = forall.getInductionVars()[0];
    Value row0 = arith::MulIOp::create(
        b, loc, c, arith::ConstantIndexOp::create(b, loc, rows));
    Value chunk = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({rows, m}, f32), w,
        ArrayRef<OpFoldResult>{row0, index(0)},
        ArrayRef<OpFoldResult>{index(rows), index(m)},
        ArrayRef<OpFoldResult>{index(1), index(1)});
    Value t = matvec(b, loc, chunk, v, /*transpose=*/false);
    Value partial = matvec(b, loc, chunk, t, /*transpose=*/true);
    b.setInsertionPointToEnd(forall.getTerminator().getBody());
    ValueRange shared = forall.getRegionIterArgs();
    tensor::ParallelInsertSliceOp::create(
        b, loc, t, shared[0], ArrayRef<OpFoldResult>{c, index(0)},
        ArrayRef<OpFoldResult>{index(1), index(rows)},
        ArrayRef<OpFoldResult>{index(1), index(1)});
    tensor::ParallelInsertSliceOp::create(
        b, loc, partial, shared[1], ArrayRef<OpFoldResult>{c, index(0)},
        ArrayRef<OpFoldResult>{index(1), index(m)},
        ArrayRef<OpFoldResult>{index(1), index(1)});
  }
  Value wv = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({n}, f32), forall.getResult(0),
      ArrayRef<ReassociationIndices>{{0, 1}});
  // Σ_c partial[c, :], loops (output j, chunk c).
  auto sType = RankedTensorType::get({m}, f32);
  Value gram =
      linalg::GenericOp::create(
          b, loc, TypeRange{sType}, ValueRange{forall.getResult(1)},
          ValueRange{filled(b, loc, sType, 0.0, {})},
          ArrayRef<AffineMap>{loopMap(ctx, 2, {1, 0}), loopMap(ctx, 2, {0})},
          ArrayRef<utils::IteratorType>{kPar, kRed},
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value sum = arith::AddFOp::create(nb, l, a[1], a[0]);
            linalg::YieldOp::create(nb, l, sum);
          })
          .getResult(0);
  return {wv, gram};
}

/// ‖v‖₂ of a vector, as an f32 scalar.
Value norm(OpBuilder &b, Location loc, Value v) {
  MLIRContext *ctx = b.getContext();
  Value sq = sumAll(b, loc, {v}, {AffineMap::getMultiDimIdentityMap(1, ctx)}, 1,
                    [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                      return arith::MulFOp::create(nb, l, a[0], a[0]);
                    });
  return math::SqrtOp::create(b, loc, sq);
}

/// v / max(‖v‖, tiny): a unit vector (zero stays zero instead of NaN).
std::pair<Value, Value> normalized(OpBuilder &b, Location loc, Value v) {
  Value n = norm(b, loc, v);
  Value safe = arith::MaximumFOp::create(b, loc, n, f32Const(b, loc, 1e-30));
  Value inv = arith::DivFOp::create(b, loc, f32Const(b, loc, 1.0), safe);
  Value unit = elementwise(b, loc, {v}, {emptyLike(b, loc, v)},
                           [&](OpBuilder &nb, Location l, ValueRange a) {
                             return SmallVector<Value>{
                                 arith::MulFOp::create(nb, l, a[0], inv)};
                           })[0];
  return {unit, n};
}

/// W · factor, one pass.
Value scaleBy(OpBuilder &b, Location loc, Value w, Value factor) {
  return elementwise(b, loc, {w}, {emptyLike(b, loc, w)},
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       return SmallVector<Value>{
                           arith::MulFOp::create(nb, l, a[0], factor)};
                     })[0];
}

/// c / max(x, c): the factor that brings a norm x down to c (1 when x ≤ c).
Value shrinkFactor(OpBuilder &b, Location loc, Value x, double c) {
  Value cst = f32Const(b, loc, c);
  return arith::DivFOp::create(b, loc, cst,
                               arith::MaximumFOp::create(b, loc, x, cst));
}

struct LowerPowerIteration : OpRewritePattern<PowerIterationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PowerIterationOp op,
                                PatternRewriter &rewriter) const override {
    // Each iteration: v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖, σ = ‖Wv‖. With row chunks,
    // the next v comes from the same pass as Wv: Wᵀu ∥ WᵀWv, one pass over W
    // per iteration instead of two.
    Location loc = op.getLoc();
    Value w = op.getWeight(), u = op.getU(), sigma;
    int64_t iterations = op.getIterations();
    int64_t chunks =
        gramChunks(cast<RankedTensorType>(w.getType()).getDimSize(0));
    auto nextV = [&] {
      return normalized(rewriter, loc,
                        matvec(rewriter, loc, w, u, /*transpose=*/true))
          .first;
    };
    Value v = nextV();
    for (int64_t i = 0; i < iterations; ++i) {
      bool last = i + 1 == iterations;
      if (chunks > 1 && !last) {
        auto [wv, gram] = gramProduct(rewriter, loc, w, v, chunks);
        std::tie(u, sigma) = normalized(rewriter, loc, wv);
        v = normalized(rewriter, loc, gram).first;
        continue;
      }
      std::tie(u, sigma) =
          normalized(rewriter, loc, matvec(rewriter, loc, w, v, false));
      if (!last)
        v = nextV();
    }
    rewriter.replaceOp(op, {u, sigma});
    return success();
  }
};

struct LowerSpectralRescale : OpRewritePattern<SpectralRescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SpectralRescaleOp op,
                                PatternRewriter &rewriter) const override {
    // W / max(1, σ/c) = W · c/max(σ, c).
    Location loc = op.getLoc();
    Value factor = shrinkFactor(rewriter, loc, op.getSigma(),
                                op.getBoundAttr().getValueAsDouble());
    rewriter.replaceOp(op, scaleBy(rewriter, loc, op.getWeight(), factor));
    return success();
  }
};

struct LowerSpectralHammer : OpRewritePattern<SpectralHammerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SpectralHammerOp op,
                                PatternRewriter &rewriter) const override {
    // W + (c − σ) u vᵀ with v = Wᵀu/‖Wᵀu‖.
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value w = op.getWeight();
    Value v =
        normalized(rewriter, loc, matvec(rewriter, loc, w, op.getU(), true))
            .first;
    Value gap = arith::SubFOp::create(
        rewriter, loc,
        f32Const(rewriter, loc, op.getBoundAttr().getValueAsDouble()),
        op.getSigma());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{w.getType()}, ValueRange{w, op.getU(), v},
        ValueRange{emptyLike(rewriter, loc, w)},
        ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}), loopMap(ctx, 2, {0}),
                            loopMap(ctx, 2, {1}), loopMap(ctx, 2, {0, 1})},
        ArrayRef<utils::IteratorType>{kPar, kPar},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value uv = arith::MulFOp::create(nb, l, a[1], a[2]);
          Value r = arith::AddFOp::create(
              nb, l, a[0], arith::MulFOp::create(nb, l, gap, uv));
          linalg::YieldOp::create(nb, l, ValueRange{r});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct LowerSpectralHardCap : OpRewritePattern<SpectralHardCapOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SpectralHardCapOp op,
                                PatternRewriter &rewriter) const override {
    // M = W/c, four odd polynomial steps (ALGORITHMS.md), W = c·M.
    static const std::array<double, 3> kSteps[] = {
        {0.805032, 0.206361, -0.019763},
        {0.649867, 0.162935, -0.011150},
        {1.810259, -0.200265, 0.008251},
        {1.004384, -0.183490, 0.014413}};
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    double c = op.getBoundAttr().getValueAsDouble();
    // M = W/s with s = max(c, ‖W‖_F/3.5): the usual M = W/c whenever that
    // keeps σ/s ≤ 3.5 provably (‖W‖_F ≥ σ_max); otherwise a larger s keeps
    // the polynomials inside their range (≤ 1.011 instead of overflowing).
    Value w = op.getWeight();
    Value sq = sumAll(rewriter, loc, {w}, {loopMap(ctx, 2, {0, 1})}, 2,
                      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                        return arith::MulFOp::create(nb, l, a[0], a[0]);
                      });
    Value frobenius = math::SqrtOp::create(rewriter, loc, sq);
    Value frobeniusBound = arith::DivFOp::create(rewriter, loc, frobenius,
                                                 f32Const(rewriter, loc, 3.5));
    Value s = arith::MaximumFOp::create(
        rewriter, loc, f32Const(rewriter, loc, c), frobeniusBound);
    Value inv =
        arith::DivFOp::create(rewriter, loc, f32Const(rewriter, loc, 1.0), s);
    Value m = buildOddPolynomialIteration(rewriter, loc, w, inv, kSteps);
    rewriter.replaceOp(op,
                       scaleBy(rewriter, loc, m, f32Const(rewriter, loc, c)));
    return success();
  }
};

struct LowerSpectralSoftCap : OpRewritePattern<SpectralSoftCapOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SpectralSoftCapOp op,
                                PatternRewriter &rewriter) const override {
    // M ← M(I − αA), then M ← M(I + αA).
    rewriter.replaceOp(
        op, buildSoftCap(rewriter, op.getLoc(), op.getWeight(), op.getAlpha()));
    return success();
  }
};

/// The bisection of SoftCapStrengthOp::strength, step for step in f64.
struct LowerSoftCapStrength : OpRewritePattern<SoftCapStrengthOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftCapStrengthOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto f64 = [&](double v) {
      return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v))
          .getResult();
    };
    // One op per statement: the order of the generated ops must not depend
    // on the C++ compiler's order of evaluating arguments.
    Value c = f64(op.getBoundAttr().getValueAsDouble());
    Value lr = arith::ExtFOp::create(b, loc, b.getF64Type(), op.getLr());
    Value one = f64(1.0);
    Value wd = f64(op.getWeightDecayAttr().getValueAsDouble());
    Value decayed = arith::MulFOp::create(b, loc, lr, wd);
    Value kept = arith::SubFOp::create(b, loc, one, decayed);
    Value updateBound = f64(op.getUpdateBoundAttr().getValueAsDouble());
    Value reach = arith::MulFOp::create(b, loc, lr, updateBound);
    Value shrunk = arith::MulFOp::create(b, loc, c, kept);
    // k = c·(1 − lr·wd) + lr·B
    Value k = arith::AddFOp::create(b, loc, shrunk, reach);
    Value ratio = arith::DivFOp::create(b, loc, c, k);
    Value zero = f64(0.0);
    Value lb = arith::ConstantIndexOp::create(b, loc, 0);
    Value ub = arith::ConstantIndexOp::create(
        b, loc, SoftCapStrengthOp::kBisectionSteps);
    Value step = arith::ConstantIndexOp::create(b, loc, 1);
    auto bisection = scf::ForOp::create(
        b, loc, lb, ub, step, ValueRange{zero, one},
        [&](OpBuilder &nb, Location l, Value, ValueRange range) {
          Value half =
              arith::ConstantOp::create(nb, l, nb.getF64FloatAttr(0.5));
          Value sum = arith::AddFOp::create(nb, l, range[0], range[1]);
          Value mid = arith::MulFOp::create(nb, l, sum, half);
          Value rest = arith::SubFOp::create(nb, l, one, mid);
          // h = rest + mid·rest³, in the order strength() evaluates it.
          Value cube = arith::MulFOp::create(nb, l, mid, rest);
          cube = arith::MulFOp::create(nb, l, cube, rest);
          cube = arith::MulFOp::create(nb, l, cube, rest);
          Value h = arith::AddFOp::create(nb, l, rest, cube);
          Value below =
              arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLE, h, ratio);
          scf::YieldOp::create(
              nb, l,
              ValueRange{arith::SelectOp::create(nb, l, below, range[0], mid),
                         arith::SelectOp::create(nb, l, below, mid, range[1])});
        });
    Value kk = arith::MulFOp::create(b, loc, k, k);
    Value alpha = arith::DivFOp::create(b, loc, bisection.getResult(1), kk);
    Value leaves =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, k, c);
    alpha = arith::SelectOp::create(b, loc, leaves, alpha, zero);
    rewriter.replaceOp(
        op, arith::TruncFOp::create(b, loc, b.getF32Type(), alpha).getResult());
    return success();
  }
};

struct LowerPolarIteration : OpRewritePattern<PolarIterationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PolarIterationOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value w = op.getWeight(), s = op.getScale();
    if (!s) {
      Value sq = sumAll(rewriter, loc, {w}, {loopMap(ctx, 2, {0, 1})}, 2,
                        [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          return arith::MulFOp::create(nb, l, a[0], a[0]);
                        });
      Value tiny = f32Const(rewriter, loc, 1e-30);
      s = arith::MaximumFOp::create(
          rewriter, loc, math::SqrtOp::create(rewriter, loc, sq), tiny);
    }
    Value inv =
        arith::DivFOp::create(rewriter, loc, f32Const(rewriter, loc, 1.0), s);
    // X ← 1.5X − 0.5 X XᵀX: σ ↦ 1.5σ − 0.5σ³.
    SmallVector<std::array<double, 3>> steps(op.getSteps(), {1.5, -0.5, 0.0});
    rewriter.replaceOp(
        op, buildOddPolynomialIteration(rewriter, loc, w, inv, steps));
    return success();
  }
};

struct LowerNormBound : OpRewritePattern<NormBoundOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NormBoundOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value w = op.getWeight();
    double c = op.getBoundAttr().getValueAsDouble();
    if (op.getNorm() == NormKind::Frobenius) {
      Value sq = sumAll(rewriter, loc, {w}, {loopMap(ctx, 2, {0, 1})}, 2,
                        [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                          return arith::MulFOp::create(nb, l, a[0], a[0]);
                        });
      Value factor = shrinkFactor(rewriter, loc,
                                  math::SqrtOp::create(rewriter, loc, sq), c);
      rewriter.replaceOp(op, scaleBy(rewriter, loc, w, factor));
      return success();
    }
    // Per row (dimension 0) or per column (dimension 1): squared norms, then
    // scale.
    bool rows = op.getNorm() == NormKind::Row;
    auto wType = op.getWeight().getType();
    auto vType = RankedTensorType::get({wType.getDimSize(rows ? 0 : 1)},
                                       rewriter.getF32Type());
    AffineMap vMap = loopMap(ctx, 2, {rows ? 0u : 1u});
    Value sq =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{vType}, ValueRange{w},
            ValueRange{filled(rewriter, loc, vType, 0.0, {})},
            ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}), vMap},
            ArrayRef<utils::IteratorType>{rows ? kPar : kRed,
                                          rows ? kRed : kPar},
            [](OpBuilder &nb, Location l, ValueRange a) {
              Value p = arith::MulFOp::create(nb, l, a[0], a[0]);
              linalg::YieldOp::create(
                  nb, l, ValueRange{arith::AddFOp::create(nb, l, a[1], p)});
            })
            .getResult(0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{wType}, ValueRange{w, sq},
        ValueRange{emptyLike(rewriter, loc, w)},
        ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}), vMap,
                            loopMap(ctx, 2, {0, 1})},
        ArrayRef<utils::IteratorType>{kPar, kPar},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value n = math::SqrtOp::create(nb, l, a[1]);
          Value r =
              arith::MulFOp::create(nb, l, a[0], shrinkFactor(nb, l, n, c));
          linalg::YieldOp::create(nb, l, ValueRange{r});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct LowerAbsClamp : OpRewritePattern<AbsClampOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AbsClampOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double c = op.getBoundAttr().getValueAsDouble();
    Value hi = f32Const(rewriter, loc, c), lo = f32Const(rewriter, loc, -c);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {op.getInput()},
                        {emptyLike(rewriter, loc, op.getInput())},
                        [&](OpBuilder &nb, Location l, ValueRange a) {
                          Value up = arith::MaximumFOp::create(nb, l, a[0], lo);
                          return SmallVector<Value>{
                              arith::MinimumFOp::create(nb, l, up, hi)};
                        }));
    return success();
  }
};

} // namespace

void lowering::populateConstraintLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerPowerIteration, LowerSpectralRescale, LowerSpectralHammer,
               LowerSpectralHardCap, LowerSpectralSoftCap, LowerSoftCapStrength,
               LowerNormBound, LowerPolarIteration, LowerAbsClamp>(
      patterns.getContext());
}
