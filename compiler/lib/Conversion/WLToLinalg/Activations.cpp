//===- Activations.cpp - lowering of activations and their derivatives ---===//
//
// One table row per activation: its scalar formula and its derivative. The
// forward op and `wl.activation_grad` both lower through it.
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include <cmath>

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

using Scalar = Value (*)(OpBuilder &, Location, Value);

Value cst(OpBuilder &b, Location l, double v) { return f32Const(b, l, v); }
Value select(OpBuilder &b, Location l, arith::CmpFPredicate p, Value x, Value y,
             Value t, Value f) {
  return arith::SelectOp::create(b, l, arith::CmpFOp::create(b, l, p, x, y), t,
                                 f);
}

// Φ(x) = 0.5·(1 + erf(x/√2)).
Value normalCdf(OpBuilder &b, Location l, Value x) {
  Value e = math::ErfOp::create(b, l, mulf(b, l, x, cst(b, l, M_SQRT1_2)));
  Value onePlusErf = addf(b, l, cst(b, l, 1.0), e);
  return mulf(b, l, cst(b, l, 0.5), onePlusErf);
}
// tanh(√(2/π)·(x + 0.044715·x³)).
Value geluTanhInner(OpBuilder &b, Location l, Value x) {
  Value x3 = mulf(b, l, x, mulf(b, l, x, x));
  Value cubic = addf(b, l, x, mulf(b, l, cst(b, l, 0.044715), x3));
  Value u = mulf(b, l, cst(b, l, std::sqrt(2.0 / M_PI)), cubic);
  return math::TanhOp::create(b, l, u);
}
Value sigmoid(OpBuilder &b, Location l, Value x) {
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  Value onePlusE = addf(b, l, cst(b, l, 1.0), e);
  return arith::DivFOp::create(b, l, cst(b, l, 1.0), onePlusE);
}

struct Activation {
  StringRef name;
  Scalar value;      // f(x)
  Scalar derivative; // f'(x)
};

const Activation kActivations[] = {
    {"relu",
     [](OpBuilder &b, Location l, Value x) -> Value {
       return arith::MaximumFOp::create(b, l, x, cst(b, l, 0.0));
     },
     [](OpBuilder &b, Location l, Value x) -> Value {
       Value zero = cst(b, l, 0.0), one = cst(b, l, 1.0);
       return select(b, l, arith::CmpFPredicate::OGT, x, zero, one, zero);
     }},
    {"gelu",
     [](OpBuilder &b, Location l, Value x) -> Value {
       return mulf(b, l, x, normalCdf(b, l, x));
     },
     [](OpBuilder &b, Location l, Value x) -> Value {
       // Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π).
       Value x2 = mulf(b, l, x, x);
       Value e = math::ExpOp::create(b, l, mulf(b, l, cst(b, l, -0.5), x2));
       Value pdf = mulf(b, l, cst(b, l, 1.0 / std::sqrt(2.0 * M_PI)), e);
       Value xPdf = mulf(b, l, x, pdf);
       return addf(b, l, normalCdf(b, l, x), xPdf);
     }},
    {"gelu_tanh",
     [](OpBuilder &b, Location l, Value x) -> Value {
       Value t = geluTanhInner(b, l, x);
       Value onePlusT = addf(b, l, cst(b, l, 1.0), t);
       return mulf(b, l, mulf(b, l, cst(b, l, 0.5), x), onePlusT);
     },
     [](OpBuilder &b, Location l, Value x) -> Value {
       // 0.5(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²).
       Value t = geluTanhInner(b, l, x);
       Value x2 = mulf(b, l, x, x);
       Value c3x2 = mulf(b, l, cst(b, l, 3 * 0.044715), x2);
       Value onePlusC3x2 = addf(b, l, cst(b, l, 1.0), c3x2);
       Value du = mulf(b, l, cst(b, l, std::sqrt(2.0 / M_PI)), onePlusC3x2);
       Value t2 = mulf(b, l, t, t);
       Value sech2 = subf(b, l, cst(b, l, 1.0), t2);
       Value sech2Du = mulf(b, l, sech2, du);
       Value right = mulf(b, l, mulf(b, l, cst(b, l, 0.5), x), sech2Du);
       Value onePlusT = addf(b, l, cst(b, l, 1.0), t);
       Value left = mulf(b, l, cst(b, l, 0.5), onePlusT);
       return addf(b, l, left, right);
     }},
    {"tanh",
     [](OpBuilder &b, Location l, Value x) -> Value {
       return math::TanhOp::create(b, l, x);
     },
     [](OpBuilder &b, Location l, Value x) -> Value {
       Value t = math::TanhOp::create(b, l, x);
       Value t2 = mulf(b, l, t, t);
       return subf(b, l, cst(b, l, 1.0), t2);
     }},
    {"sigmoid",
     [](OpBuilder &b, Location l, Value x) -> Value {
       return sigmoid(b, l, x);
     },
     [](OpBuilder &b, Location l, Value x) -> Value {
       Value s = sigmoid(b, l, x);
       return mulf(b, l, s, subf(b, l, cst(b, l, 1.0), s));
     }},
    {"abs",
     [](OpBuilder &b, Location l, Value x) -> Value {
       return math::AbsFOp::create(b, l, x);
     },
     [](OpBuilder &b, Location l, Value x) -> Value {
       // sign(x), with sign(0) = 0 as in PyTorch.
       Value zero = cst(b, l, 0.0), one = cst(b, l, 1.0);
       Value pos = select(b, l, arith::CmpFPredicate::OGT, x, zero, one, zero);
       Value minusOne = cst(b, l, -1.0);
       return select(b, l, arith::CmpFPredicate::OLT, x, zero, minusOne, pos);
     }},
    {"identity", [](OpBuilder &, Location, Value x) -> Value { return x; },
     [](OpBuilder &b, Location l, Value) -> Value { return cst(b, l, 1.0); }},
};

const Activation *findActivation(StringRef name) {
  for (const Activation &a : kActivations)
    if (a.name == name)
      return &a;
  return nullptr;
}

/// Lowers every unary activation op through the table.
struct LowerActivation : RewritePattern {
  LowerActivation(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<ReluOp, GeluOp, GeluTanhOp, TanhOp, SigmoidOp, AbsOp, IdentityOp>(
            op))
      return failure();
    const Activation *act = findActivation(op->getName().stripDialect());
    Location loc = op->getLoc();
    Value x = op->getOperand(0);
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {x}, {emptyLike(rewriter, loc, x)},
                        [&](OpBuilder &b, Location l, ValueRange a) {
                          return SmallVector<Value>{act->value(b, l, a[0])};
                        }));
    return success();
  }
};

struct LowerActivationGrad : OpRewritePattern<ActivationGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ActivationGradOp op,
                                PatternRewriter &rewriter) const override {
    const Activation *act = findActivation(op.getActivation());
    if (!act)
      return rewriter.notifyMatchFailure(op, "unknown activation");
    Location loc = op.getLoc();
    rewriter.replaceOp(
        op, elementwise(rewriter, loc, {op.getInput(), op.getGrad()},
                        {emptyLike(rewriter, loc, op.getInput())},
                        [&](OpBuilder &b, Location l, ValueRange a) {
                          return SmallVector<Value>{
                              mulf(b, l, act->derivative(b, l, a[0]), a[1])};
                        }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// groupsort: rank every element within its group (ties broken by position),
// then route values (forward) or gradients (backward) through the ranks.
//===----------------------------------------------------------------------===//

/// [B, W] -> [B, W/k, k].
Value toGroups(OpBuilder &b, Location loc, Value x, int64_t k) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t groups = type.getDimSize(1) / k;
  auto grouped = RankedTensorType::get({type.getDimSize(0), groups, k},
                                       type.getElementType());
  SmallVector<OpFoldResult> shape{
      tensor::DimOp::create(b, loc, x, 0).getResult(), b.getIndexAttr(groups),
      b.getIndexAttr(k)};
  return tensor::ExpandShapeOp::create(
      b, loc, grouped, x, ArrayRef<ReassociationIndices>{{0}, {1, 2}}, shape);
}
Value fromGroups(OpBuilder &b, Location loc, Value x) {
  return tensor::CollapseShapeOp::create(
      b, loc, x, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
}

/// rank[b, g, i] = #{j : x_j < x_i, or x_j == x_i and j < i}.
Value groupRanks(OpBuilder &b, Location loc, Value grouped) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(grouped.getType());
  auto rankType = type.clone(b.getI64Type());
  Value init = emptyLike(b, loc, grouped, b.getI64Type());
  Value zero = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
  init = linalg::FillOp::create(b, loc, zero, init).getResult(0);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{rankType}, ValueRange{grouped, grouped},
      ValueRange{init},
      ArrayRef<AffineMap>{loopMap(ctx, 4, {0, 1, 2}),
                          loopMap(ctx, 4, {0, 1, 3}),
                          loopMap(ctx, 4, {0, 1, 2})},
      ArrayRef<utils::IteratorType>{kPar, kPar, kPar, kRed},
      [](OpBuilder &nb, Location l, ValueRange a) {
        Value i = linalg::IndexOp::create(nb, l, 2),
              j = linalg::IndexOp::create(nb, l, 3);
        Value less =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OLT, a[1], a[0]);
        Value equal =
            arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OEQ, a[1], a[0]);
        Value before =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ult, j, i);
        Value precedes = arith::OrIOp::create(
            nb, l, less, arith::AndIOp::create(nb, l, equal, before));
        Value one = arith::ExtUIOp::create(nb, l, nb.getI64Type(), precedes);
        linalg::YieldOp::create(
            nb, l, ValueRange{arith::AddIOp::create(nb, l, a[2], one)});
      });
  return generic.getResult(0);
}

/// out[b, g, p] = Σ_q [rank(q-th, p-th)] · src[...]: with `forward`, out[r] =
/// x[i] where rank[i] = r; otherwise out[i] = dy[rank[i]].
Value routeThroughRanks(OpBuilder &b, Location loc, Value ranks, Value src,
                        bool forward) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(src.getType());
  Value init = filled(b, loc, type, 0.0, {{src, 0}});
  // Loops (b, g, p, q). Forward: p = r (output), q = i. Backward: p = i
  // (output), q = r.
  AffineMap rankMap =
      forward ? loopMap(ctx, 4, {0, 1, 3}) : loopMap(ctx, 4, {0, 1, 2});
  AffineMap srcMap = loopMap(ctx, 4, {0, 1, 3});
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{ranks, src}, ValueRange{init},
      ArrayRef<AffineMap>{rankMap, srcMap, loopMap(ctx, 4, {0, 1, 2})},
      ArrayRef<utils::IteratorType>{kPar, kPar, kPar, kRed},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value slot = linalg::IndexOp::create(nb, l, forward ? 2 : 3);
        Value slot64 = arith::IndexCastOp::create(nb, l, nb.getI64Type(), slot);
        Value hit = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, a[0],
                                          slot64);
        Value picked =
            arith::SelectOp::create(nb, l, hit, a[1], cst(nb, l, 0.0));
        linalg::YieldOp::create(
            nb, l, ValueRange{arith::AddFOp::create(nb, l, a[2], picked)});
      });
  return generic.getResult(0);
}

struct LowerGroupSort : OpRewritePattern<GroupSortOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupSortOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value grouped = toGroups(rewriter, loc, op.getInput(), op.getGroup());
    Value ranks = groupRanks(rewriter, loc, grouped);
    Value sorted =
        routeThroughRanks(rewriter, loc, ranks, grouped, /*forward=*/true);
    rewriter.replaceOp(op, fromGroups(rewriter, loc, sorted));
    return success();
  }
};

struct LowerGroupSortGrad : OpRewritePattern<GroupSortGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupSortGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value ranks = groupRanks(
        rewriter, loc, toGroups(rewriter, loc, op.getInput(), op.getGroup()));
    Value dy = toGroups(rewriter, loc, op.getGrad(), op.getGroup());
    Value dx = routeThroughRanks(rewriter, loc, ranks, dy, /*forward=*/false);
    rewriter.replaceOp(op, fromGroups(rewriter, loc, dx));
    return success();
  }
};

} // namespace

void lowering::populateActivationLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerActivation, LowerActivationGrad, LowerGroupSort,
               LowerGroupSortGrad>(patterns.getContext());
}
