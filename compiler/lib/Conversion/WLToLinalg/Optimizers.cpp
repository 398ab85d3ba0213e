//===- Optimizers.cpp - lowering of optimizer updates and schedules ------===//
//
// Each update is one elementwise linalg.generic over the parameter, its
// gradient and its state, writing the new parameter and state in place: a
// single pass over memory per tensor.
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include <cmath>

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

Value f64Const(OpBuilder &b, Location l, double v) {
  return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v));
}

struct LowerScheduleFactor : OpRewritePattern<ScheduleFactorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScheduleFactorOp op, PatternRewriter &rewriter) const override {
    Location l = op.getLoc();
    OpBuilder &b = rewriter;
    if (op.getKind() == "constant") {
      rewriter.replaceOp(op, f32Const(b, l, 1.0));
      return success();
    }
    // In f64, then rounded once to f32.
    double warmup = op.getWarmup(), total = op.getTotal();
    Value t = arith::SIToFPOp::create(b, l, b.getF64Type(), op.getStep());
    Value ramp = arith::DivFOp::create(b, l, t, f64Const(b, l, warmup));
    Value progress = arith::DivFOp::create(b, l, arith::SubFOp::create(b, l, t, f64Const(b, l, warmup)),
                                           f64Const(b, l, total - warmup));
    Value decay;
    if (op.getKind() == "warmup_linear") {
      // max(0, (total − t)/(total − warmup)) = max(0, 1 − progress).
      Value rest = arith::SubFOp::create(b, l, f64Const(b, l, 1.0), progress);
      decay = arith::MaximumFOp::create(b, l, rest, f64Const(b, l, 0.0));
    } else {
      // 0.5·(1 + cos(π·min(1, progress))).
      Value p = arith::MinimumFOp::create(b, l, progress, f64Const(b, l, 1.0));
      Value c = math::CosOp::create(b, l, arith::MulFOp::create(b, l, f64Const(b, l, M_PI), p));
      decay = arith::MulFOp::create(b, l, f64Const(b, l, 0.5), arith::AddFOp::create(b, l, f64Const(b, l, 1.0), c));
    }
    Value inWarmup = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, t, f64Const(b, l, warmup));
    Value factor = arith::SelectOp::create(b, l, inWarmup, ramp, decay);
    rewriter.replaceOp(op, arith::TruncFOp::create(b, l, b.getF32Type(), factor));
    return success();
  }
};

struct LowerSgdUpdate : OpRewritePattern<SgdUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SgdUpdateOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double momentum = op.getMomentum().convertToDouble();
    double wd = op.getWeightDecay().convertToDouble();
    bool nesterov = op.getNesterov();
    Value lr = op.getLr();
    SmallVector<Value> inputs{op.getParam(), op.getGrad()};
    SmallVector<Value> outputs{op.getParam()};
    if (Value buffer = op.getMomentumBuffer()) {
      inputs.push_back(buffer);
      outputs.push_back(buffer);
    }
    // g += wd·W; b ← μb + g; d = nesterov ? g + μb : b; W ← W − lr·d.
    ValueRange results = elementwise(
        rewriter, loc, inputs, outputs, [&](OpBuilder &b, Location l, ValueRange a) {
          Value w = a[0], g = a[1];
          if (wd != 0)
            g = arith::AddFOp::create(b, l, g, arith::MulFOp::create(b, l, f32Const(b, l, wd), w));
          SmallVector<Value> yielded;
          Value direction = g;
          if (momentum != 0) {
            Value mu = f32Const(b, l, momentum);
            Value buffer = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, mu, a[2]), g);
            direction = nesterov ? arith::AddFOp::create(b, l, g, arith::MulFOp::create(b, l, mu, buffer)).getResult()
                                 : buffer;
            yielded.push_back(buffer);
          }
          Value newW = arith::SubFOp::create(b, l, w, arith::MulFOp::create(b, l, lr, direction));
          yielded.insert(yielded.begin(), newW);
          return yielded;
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct LowerAdamWUpdate : OpRewritePattern<AdamWUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdamWUpdateOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    double beta1 = op.getBeta1().convertToDouble(), beta2 = op.getBeta2().convertToDouble();
    double eps = op.getEps().convertToDouble(), wd = op.getWeightDecay().convertToDouble();
    // Per-step scalars, once per tensor: bias corrections 1 − βᵗ in f64.
    Value t = arith::SIToFPOp::create(b, loc, b.getF64Type(), op.getStep());
    auto correction = [&](double beta) -> Value {
      Value p = math::PowFOp::create(b, loc, f64Const(b, loc, beta), t);
      Value c = arith::SubFOp::create(b, loc, f64Const(b, loc, 1.0), p);
      return arith::TruncFOp::create(b, loc, b.getF32Type(), c);
    };
    Value lr = op.getLr();
    Value stepSize = arith::DivFOp::create(b, loc, lr, correction(beta1));
    Value sqrtCorrection2 = math::SqrtOp::create(b, loc, correction(beta2));
    Value decay = arith::SubFOp::create(
        b, loc, f32Const(b, loc, 1.0), arith::MulFOp::create(b, loc, lr, f32Const(b, loc, wd)));
    ValueRange results = elementwise(
        rewriter, loc, {op.getParam(), op.getGrad(), op.getExpAvg(), op.getExpAvgSq()},
        {op.getParam(), op.getExpAvg(), op.getExpAvgSq()},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value w = a[0], g = a[1], m = a[2], v = a[3];
          // W ← W(1 − lr·wd); m ← β1 m + (1−β1)g; v ← β2 v + (1−β2)g².
          Value w1 = arith::MulFOp::create(nb, l, w, decay);
          Value m1 = arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, f32Const(nb, l, beta1), m),
                                           arith::MulFOp::create(nb, l, f32Const(nb, l, 1 - beta1), g));
          Value g2 = arith::MulFOp::create(nb, l, g, g);
          Value v1 = arith::AddFOp::create(nb, l, arith::MulFOp::create(nb, l, f32Const(nb, l, beta2), v),
                                           arith::MulFOp::create(nb, l, f32Const(nb, l, 1 - beta2), g2));
          // W ← W − (lr/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + ε).
          Value denom = arith::AddFOp::create(
              nb, l, arith::DivFOp::create(nb, l, math::SqrtOp::create(nb, l, v1), sqrtCorrection2),
              f32Const(nb, l, eps));
          Value step = arith::MulFOp::create(nb, l, stepSize, arith::DivFOp::create(nb, l, m1, denom));
          return SmallVector<Value>{arith::SubFOp::create(nb, l, w1, step), m1, v1};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void lowering::populateOptimizerLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerScheduleFactor, LowerSgdUpdate, LowerAdamWUpdate>(patterns.getContext());
}
