//===- Optimizers.cpp - lowering of optimizer updates and schedules ------===//
//
// Each update is one elementwise linalg.generic over the parameter, its
// gradient and its state, writing the new parameter and state in place: a
// single pass over memory per tensor.
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include <algorithm>
#include <cmath>
#include <tuple>

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

Value f64Const(OpBuilder &b, Location l, double v) {
  return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v));
}

/// Adam's per-step scalars, once per tensor: lr/(1 − β1ᵗ) and √(1 − β2ᵗ), the
/// bias corrections computed in f64 and rounded once.
std::pair<Value, Value> adamScalars(OpBuilder &b, Location loc, Value lr,
                                    Value step, double beta1, double beta2) {
  Value t = arith::SIToFPOp::create(b, loc, b.getF64Type(), step);
  auto correction = [&](double beta) -> Value {
    Value p = math::PowFOp::create(b, loc, f64Const(b, loc, beta), t);
    Value c = arith::SubFOp::create(b, loc, f64Const(b, loc, 1.0), p);
    return arith::TruncFOp::create(b, loc, b.getF32Type(), c);
  };
  Value stepSize = arith::DivFOp::create(b, loc, lr, correction(beta1));
  return {stepSize, math::SqrtOp::create(b, loc, correction(beta2))};
}

/// 1 − lr·wd (decoupled weight decay), as a scalar.
Value decayFactor(OpBuilder &b, Location l, Value lr, double wd) {
  Value lrWd = arith::MulFOp::create(b, l, lr, f32Const(b, l, wd));
  return arith::SubFOp::create(b, l, f32Const(b, l, 1.0), lrWd);
}

/// Adam's moments and direction for one element (shared by AdamW and AdamP):
/// m ← β1 m + (1−β1)g; v ← β2 v + (1−β2)g²; direction m/(√v/√(1−β2ᵗ) + ε).
struct AdamMoments {
  Value m, v, direction;
};
AdamMoments adamMoments(OpBuilder &b, Location l, Value g, Value m, Value v,
                        double beta1, double beta2, double eps,
                        Value sqrtCorrection2) {
  // Ops are created one statement at a time: the IR order must not depend on
  // the host compiler's order of evaluating arguments (gcc and clang differ).
  Value newGrad = arith::MulFOp::create(b, l, f32Const(b, l, 1 - beta1), g);
  Value oldM = arith::MulFOp::create(b, l, f32Const(b, l, beta1), m);
  Value m1 = arith::AddFOp::create(b, l, oldM, newGrad);
  Value g2 = arith::MulFOp::create(b, l, g, g);
  Value newG2 = arith::MulFOp::create(b, l, f32Const(b, l, 1 - beta2), g2);
  Value oldV = arith::MulFOp::create(b, l, f32Const(b, l, beta2), v);
  Value v1 = arith::AddFOp::create(b, l, oldV, newG2);
  Value epsilon = f32Const(b, l, eps);
  Value rms = arith::DivFOp::create(b, l, math::SqrtOp::create(b, l, v1),
                                    sqrtCorrection2);
  Value denom = arith::AddFOp::create(b, l, rms, epsilon);
  return {m1, v1, arith::DivFOp::create(b, l, m1, denom)};
}

struct LowerScheduleFactor : OpRewritePattern<ScheduleFactorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScheduleFactorOp op,
                                PatternRewriter &rewriter) const override {
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
    Value span = f64Const(b, l, total - warmup);
    Value sinceWarmup = arith::SubFOp::create(b, l, t, f64Const(b, l, warmup));
    Value progress = arith::DivFOp::create(b, l, sinceWarmup, span);
    Value decay;
    if (op.getKind() == "warmup_linear") {
      // max(0, (total − t)/(total − warmup)) = max(0, 1 − progress).
      Value rest = arith::SubFOp::create(b, l, f64Const(b, l, 1.0), progress);
      decay = arith::MaximumFOp::create(b, l, rest, f64Const(b, l, 0.0));
    } else {
      // 0.5·(1 + cos(π·min(1, progress))).
      Value p = arith::MinimumFOp::create(b, l, progress, f64Const(b, l, 1.0));
      Value c = math::CosOp::create(
          b, l, arith::MulFOp::create(b, l, f64Const(b, l, M_PI), p));
      Value onePlusC = arith::AddFOp::create(b, l, f64Const(b, l, 1.0), c);
      decay = arith::MulFOp::create(b, l, f64Const(b, l, 0.5), onePlusC);
    }
    Value inWarmup = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLE, t,
                                           f64Const(b, l, warmup));
    Value factor = arith::SelectOp::create(b, l, inWarmup, ramp, decay);
    rewriter.replaceOp(op,
                       arith::TruncFOp::create(b, l, b.getF32Type(), factor));
    return success();
  }
};

struct LowerSgdUpdate : OpRewritePattern<SgdUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SgdUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double momentum = op.getMomentumAttr().getValueAsDouble();
    double wd = op.getWeightDecayAttr().getValueAsDouble();
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
        rewriter, loc, inputs, outputs,
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value w = a[0], g = a[1];
          if (wd != 0)
            g = arith::AddFOp::create(
                b, l, g, arith::MulFOp::create(b, l, f32Const(b, l, wd), w));
          SmallVector<Value> yielded;
          Value direction = g;
          if (momentum != 0) {
            Value mu = f32Const(b, l, momentum);
            Value buffer = arith::AddFOp::create(
                b, l, arith::MulFOp::create(b, l, mu, a[2]), g);
            direction =
                nesterov ? arith::AddFOp::create(
                               b, l, g, arith::MulFOp::create(b, l, mu, buffer))
                               .getResult()
                         : buffer;
            yielded.push_back(buffer);
          }
          Value newW = arith::SubFOp::create(
              b, l, w, arith::MulFOp::create(b, l, lr, direction));
          yielded.insert(yielded.begin(), newW);
          return yielded;
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct LowerAdamWUpdate : OpRewritePattern<AdamWUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdamWUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    double beta1 = op.getBeta1Attr().getValueAsDouble(),
           beta2 = op.getBeta2Attr().getValueAsDouble();
    double eps = op.getEpsAttr().getValueAsDouble(),
           wd = op.getWeightDecayAttr().getValueAsDouble();
    Value lr = op.getLr();
    Value stepSize, sqrtCorrection2;
    std::tie(stepSize, sqrtCorrection2) =
        adamScalars(b, loc, lr, op.getStep(), beta1, beta2);
    Value decay = decayFactor(b, loc, lr, wd);
    ValueRange results = elementwise(
        rewriter, loc,
        {op.getParam(), op.getGrad(), op.getExpAvg(), op.getExpAvgSq()},
        {op.getParam(), op.getExpAvg(), op.getExpAvgSq()},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value w = a[0], g = a[1], m = a[2], v = a[3];
          // W ← W(1 − lr·wd); m ← β1 m + (1−β1)g; v ← β2 v + (1−β2)g².
          Value w1 = arith::MulFOp::create(nb, l, w, decay);
          AdamMoments adam =
              adamMoments(nb, l, g, m, v, beta1, beta2, eps, sqrtCorrection2);
          // W ← W − (lr/(1−β1ᵗ))·m / (√v/√(1−β2ᵗ) + ε).
          Value step = arith::MulFOp::create(nb, l, stepSize, adam.direction);
          return SmallVector<Value>{arith::SubFOp::create(nb, l, w1, step),
                                    adam.m, adam.v};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// sign(x) with sign(0) = 0.
Value sign(OpBuilder &b, Location l, Value x) {
  Value zero = f32Const(b, l, 0.0);
  Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, zero);
  Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, zero);
  Value negOrZero =
      arith::SelectOp::create(b, l, neg, f32Const(b, l, -1.0), zero);
  return arith::SelectOp::create(b, l, pos, f32Const(b, l, 1.0), negOrZero);
}

struct LowerMuonUpdate : OpRewritePattern<MuonUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MuonUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    double beta = op.getMomentumAttr().getValueAsDouble();
    bool nesterov = op.getNesterov();
    // m ← βm + (1−β)g; u = nesterov ? (1−β)g + βm : m (one pass).
    ValueRange momentum = elementwise(
        b, loc, {op.getGrad(), op.getMomentumBuffer()},
        {op.getMomentumBuffer(), emptyLike(b, loc, op.getGrad())},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value g1 =
              arith::MulFOp::create(nb, l, a[0], f32Const(nb, l, 1 - beta));
          Value m = arith::AddFOp::create(
              nb, l, arith::MulFOp::create(nb, l, a[1], f32Const(nb, l, beta)),
              g1);
          Value u =
              nesterov
                  ? arith::AddFOp::create(
                        nb, l, g1,
                        arith::MulFOp::create(nb, l, m, f32Const(nb, l, beta)))
                        .getResult()
                  : m;
          return SmallVector<Value>{m, u};
        });
    // Muon's quintic coefficients (KellerJordan/Muon).
    Value ortho = buildNewtonSchulz(b, loc, momentum[1], op.getNsSteps(),
                                    3.4445, -4.7750, 2.0315);
    // W ← W(1 − lr·wd) − lr·sqrt(max(1, OUT/IN))·O.
    auto shape = op.getParam().getType().getShape();
    double scale =
        std::sqrt(std::max(1.0, double(shape[0]) / double(shape[1])));
    Value decay = decayFactor(b, loc, op.getLr(),
                              op.getWeightDecayAttr().getValueAsDouble());
    Value stepSize =
        arith::MulFOp::create(b, loc, op.getLr(), f32Const(b, loc, scale));
    ValueRange param = elementwise(
        b, loc, {op.getParam(), ortho}, {op.getParam()},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value w = arith::MulFOp::create(nb, l, a[0], decay);
          Value d = arith::MulFOp::create(nb, l, stepSize, a[1]);
          return SmallVector<Value>{arith::SubFOp::create(nb, l, w, d)};
        });
    rewriter.replaceOp(op, {param[0], momentum[0]});
    return success();
  }
};

/// weight · 2·M·A/‖M‖_F with M = AAᵀ − I (or, transposed, 2·B·N/‖N‖_F with
/// N = BᵀB − I): the r × r Gram, its distance to I and one more product;
/// zero when the norm is zero.
struct LowerOrthonormalPenaltyGrad
    : OpRewritePattern<OrthonormalPenaltyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OrthonormalPenaltyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value w = op.getParam();
    auto type = cast<RankedTensorType>(w.getType());
    bool transposed = op.getTransposed();
    int64_t r = type.getDimSize(transposed ? 1 : 0);
    auto square = RankedTensorType::get({r, r}, type.getElementType());
    // AAᵀ, or BᵀB.
    Value gram = contraction(b, loc, square, w, w, transposed, !transposed);
    // M = Gram − I.
    Value m = elementwise(
        b, loc, {gram}, {emptyLike(b, loc, gram)},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value i = linalg::IndexOp::create(nb, l, 0);
          Value j = linalg::IndexOp::create(nb, l, 1);
          Value diag =
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, i, j);
          Value one = arith::SelectOp::create(nb, l, diag, f32Const(nb, l, 1.0),
                                              f32Const(nb, l, 0.0));
          return SmallVector<Value>{subf(nb, l, a[0], one)};
        })[0];
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, b.getContext());
    Value sq = sumAll(b, loc, {m}, {id}, 2,
                      [](OpBuilder &nb, Location l, ValueRange a) {
                        return mulf(nb, l, a[0], a[0]);
                      });
    Value norm = math::SqrtOp::create(b, loc, sq);
    // coef = 2·weight/‖M‖_F, 0 when ‖M‖_F = 0.
    Value twice = f32Const(b, loc, 2.0 * op.getWeightAttr().getValueAsDouble());
    Value quotient = arith::DivFOp::create(b, loc, twice, norm);
    Value zero = f32Const(b, loc, 0.0);
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, norm, zero);
    Value coef = arith::SelectOp::create(b, loc, positive, quotient, zero);
    // M·A [r, n], or B·N [m, r].
    Value product = transposed ? contraction(b, loc, type, w, m, false, false)
                               : contraction(b, loc, type, m, w, false, false);
    ValueRange result =
        elementwise(b, loc, {product}, {emptyLike(b, loc, product)},
                    [&](OpBuilder &nb, Location l, ValueRange a) {
                      return SmallVector<Value>{mulf(nb, l, a[0], coef)};
                    });
    rewriter.replaceOp(op, result[0]);
    return success();
  }
};

struct LowerLionUpdate : OpRewritePattern<LionUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LionUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double beta1 = op.getBeta1Attr().getValueAsDouble(),
           beta2 = op.getBeta2Attr().getValueAsDouble();
    Value lr = op.getLr();
    Value decay = decayFactor(rewriter, loc, lr,
                              op.getWeightDecayAttr().getValueAsDouble());
    // c = β1 m + (1−β1)g; W ← W(1 − lr·wd) − lr·sign(c); m ← β2 m + (1−β2)g:
    // one pass.
    ValueRange results = elementwise(
        rewriter, loc, {op.getParam(), op.getGrad(), op.getExpAvg()},
        {op.getParam(), op.getExpAvg()},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value w = a[0], g = a[1], m = a[2];
          auto lerp = [&](double beta) -> Value {
            Value newPart =
                arith::MulFOp::create(b, l, g, f32Const(b, l, 1 - beta));
            Value oldPart =
                arith::MulFOp::create(b, l, m, f32Const(b, l, beta));
            return arith::AddFOp::create(b, l, oldPart, newPart);
          };
          Value step = arith::MulFOp::create(b, l, lr, sign(b, l, lerp(beta1)));
          Value newW = arith::SubFOp::create(
              b, l, arith::MulFOp::create(b, l, w, decay), step);
          return SmallVector<Value>{newW, lerp(beta2)};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Reduces the rows of the [R, C] inputs: out_k[i] = Σ_j terms(inputs[i,
/// j])[k].
SmallVector<Value> rowSums(
    OpBuilder &b, Location loc, ValueRange inputs, unsigned numOutputs,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> terms) {
  MLIRContext *ctx = b.getContext();
  int64_t rows = cast<RankedTensorType>(inputs[0].getType()).getDimSize(0);
  auto rowType = RankedTensorType::get({rows}, b.getF32Type());
  SmallVector<Value> inits(numOutputs, filled(b, loc, rowType, 0.0, {}));
  SmallVector<AffineMap> maps(inputs.size(),
                              AffineMap::getMultiDimIdentityMap(2, ctx));
  maps.append(numOutputs,
              AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx));
  auto generic = linalg::GenericOp::create(
      b, loc, SmallVector<Type>(numOutputs, rowType), inputs, inits, maps,
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                    utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        SmallVector<Value> t = terms(nb, l, a.take_front(inputs.size()));
        SmallVector<Value> sums;
        for (unsigned k = 0; k < numOutputs; ++k)
          sums.push_back(
              arith::AddFOp::create(nb, l, a[inputs.size() + k], t[k]));
        linalg::YieldOp::create(nb, l, sums);
      });
  return SmallVector<Value>(generic.getResults());
}

/// max_i over a vector, or its sum, as an f32 scalar.
Value reduceVector(OpBuilder &b, Location loc, Value v, bool max) {
  MLIRContext *ctx = b.getContext();
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  Value init = filled(b, loc, scalarType, max ? 0.0 : 0.0, {});
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{scalarType}, ValueRange{v}, ValueRange{init},
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx),
                          AffineMap::get(1, 0, {}, ctx)},
      ArrayRef<utils::IteratorType>{utils::IteratorType::reduction},
      [&](OpBuilder &nb, Location l, ValueRange a) {
        Value r = max ? arith::MaximumFOp::create(nb, l, a[1], a[0]).getResult()
                      : arith::AddFOp::create(nb, l, a[1], a[0]).getResult();
        linalg::YieldOp::create(nb, l, ValueRange{r});
      });
  return tensor::ExtractOp::create(b, loc, generic.getResult(0), ValueRange{});
}

struct LowerAdamPUpdate : OpRewritePattern<AdamPUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AdamPUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    double beta1 = op.getBeta1Attr().getValueAsDouble(),
           beta2 = op.getBeta2Attr().getValueAsDouble();
    double eps = op.getEpsAttr().getValueAsDouble(),
           wd = op.getWeightDecayAttr().getValueAsDouble();
    double delta = op.getDeltaAttr().getValueAsDouble(),
           wdRatio = op.getWdRatioAttr().getValueAsDouble();
    Value lr = op.getLr();
    Value w = op.getParam(), g = op.getGrad();
    auto type = op.getParam().getType();

    Value stepSize, sqrtCorrection2;
    std::tie(stepSize, sqrtCorrection2) =
        adamScalars(b, loc, lr, op.getStep(), beta1, beta2);

    // Pass over g, m, v: Adam's moments and direction p = m̂-free form
    // m/(√v/√bc2 + ε).
    ValueRange adam =
        elementwise(b, loc, {g, op.getExpAvg(), op.getExpAvgSq()},
                    {op.getExpAvg(), op.getExpAvgSq(), emptyLike(b, loc, g)},
                    [&](OpBuilder &nb, Location l, ValueRange a) {
                      AdamMoments adam =
                          adamMoments(nb, l, a[0], a[1], a[2], beta1, beta2,
                                      eps, sqrtCorrection2);
                      return SmallVector<Value>{adam.m, adam.v, adam.direction};
                    });
    Value p = adam[2];

    auto finish =
        [&](Value ratio,
            function_ref<Value(OpBuilder &, Location, ValueRange)> radial,
            ValueRange extraInputs, ArrayRef<AffineMap> extraMaps) {
          // W ← W(1 − lr·wd·ratio) − step·(p − radial part): one pass.
          Value lrWd = arith::MulFOp::create(b, loc, lr, f32Const(b, loc, wd));
          Value lrWdRatio = arith::MulFOp::create(b, loc, lrWd, ratio);
          Value decay =
              arith::SubFOp::create(b, loc, f32Const(b, loc, 1.0), lrWdRatio);
          MLIRContext *ctx = b.getContext();
          unsigned rank = type.getRank();
          AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
          SmallVector<Value> inputs{w, p};
          llvm::append_range(inputs, extraInputs);
          SmallVector<AffineMap> maps{id, id};
          llvm::append_range(maps, extraMaps);
          maps.push_back(id);
          auto generic = linalg::GenericOp::create(
              b, loc, TypeRange{type}, inputs, ValueRange{w}, maps,
              SmallVector<utils::IteratorType>(rank,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &nb, Location l, ValueRange a) {
                Value dir =
                    arith::SubFOp::create(nb, l, a[1], radial(nb, l, a));
                Value stepDir = arith::MulFOp::create(nb, l, stepSize, dir);
                Value nw = arith::SubFOp::create(
                    nb, l, arith::MulFOp::create(nb, l, a[0], decay), stepDir);
                linalg::YieldOp::create(nb, l, ValueRange{nw});
              });
          rewriter.replaceOp(op, {generic.getResult(0), adam[0], adam[1]});
        };

    if (type.getRank() != 2) {
      // Vectors: Adam with decoupled weight decay, no projection.
      finish(f32Const(b, loc, 1.0),
             [](OpBuilder &nb, Location l, ValueRange) -> Value {
               return f32Const(nb, l, 0.0);
             },
             {}, {});
      return success();
    }

    // Cosines of g and w per row and for the whole tensor (one pass over w, g).
    SmallVector<Value> stats =
        rowSums(b, loc, {w, g}, 3, [](OpBuilder &nb, Location l, ValueRange a) {
          return SmallVector<Value>{arith::MulFOp::create(nb, l, a[0], a[1]),
                                    arith::MulFOp::create(nb, l, a[0], a[0]),
                                    arith::MulFOp::create(nb, l, a[1], a[1])};
        });
    Value wg = stats[0], ww = stats[1], gg = stats[2];
    auto cosine = [&](OpBuilder &nb, Location l, Value dot, Value wsq,
                      Value gsq) -> Value {
      Value e = f32Const(nb, l, eps);
      Value nw =
          arith::MaximumFOp::create(nb, l, math::SqrtOp::create(nb, l, wsq), e);
      Value ng =
          arith::MaximumFOp::create(nb, l, math::SqrtOp::create(nb, l, gsq), e);
      return math::AbsFOp::create(
          nb, l,
          arith::DivFOp::create(nb, l, dot,
                                arith::MulFOp::create(nb, l, nw, ng)));
    };
    ValueRange rowCos = elementwise(
        b, loc, {wg, ww, gg}, {emptyLike(b, loc, wg)},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          return SmallVector<Value>{cosine(nb, l, a[0], a[1], a[2])};
        });
    Value maxRowCos = reduceVector(b, loc, rowCos[0], /*max=*/true);
    Value wgAll = reduceVector(b, loc, wg, false),
          wwAll = reduceVector(b, loc, ww, false),
          ggAll = reduceVector(b, loc, gg, false);
    Value wholeCos = cosine(b, loc, wgAll, wwAll, ggAll);
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    Value channel = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::OLT, maxRowCos,
        f32Const(b, loc, delta / std::sqrt(double(cols))));
    Value whole = arith::CmpFOp::create(
        b, loc, arith::CmpFPredicate::OLT, wholeCos,
        f32Const(b, loc, delta / std::sqrt(double(rows * cols))));
    Value layer = arith::AndIOp::create(
        b, loc, whole,
        arith::XOrIOp::create(b, loc, channel,
                              arith::ConstantIntOp::create(b, loc, 1, 1)));
    Value projected = arith::OrIOp::create(b, loc, channel, layer);
    Value one = f32Const(b, loc, 1.0);
    Value ratio = arith::SelectOp::create(b, loc, projected,
                                          f32Const(b, loc, wdRatio), one);

    // ŵ·(ŵᵀp) per row (channel view) or for the whole tensor (layer view).
    SmallVector<Value> wp =
        rowSums(b, loc, {w, p}, 1, [](OpBuilder &nb, Location l, ValueRange a) {
          return SmallVector<Value>{arith::MulFOp::create(nb, l, a[0], a[1])};
        });
    Value wpAll = reduceVector(b, loc, wp[0], false);
    Value epsilon = f32Const(b, loc, eps);
    Value normAll = arith::AddFOp::create(
        b, loc, math::SqrtOp::create(b, loc, wwAll), epsilon);
    MLIRContext *ctx = b.getContext();
    AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    finish(ratio,
           [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
             // a = (w, p, wp_row, ww_row, out).
             Value epsilon = f32Const(nb, l, eps);
             Value normRow = arith::AddFOp::create(
                 nb, l, math::SqrtOp::create(nb, l, a[3]), epsilon);
             Value normRow2 = arith::MulFOp::create(nb, l, normRow, normRow);
             Value channelPart = arith::DivFOp::create(
                 nb, l, arith::MulFOp::create(nb, l, a[0], a[2]), normRow2);
             Value normAll2 = arith::MulFOp::create(nb, l, normAll, normAll);
             Value layerPart = arith::DivFOp::create(
                 nb, l, arith::MulFOp::create(nb, l, a[0], wpAll), normAll2);
             Value zero = f32Const(nb, l, 0.0);
             return arith::SelectOp::create(
                 nb, l, channel, channelPart,
                 arith::SelectOp::create(nb, l, layer, layerPart, zero));
           },
           {wp[0], ww}, {row, row});
    return success();
  }
};

} // namespace

void lowering::populateOptimizerLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerScheduleFactor, LowerSgdUpdate, LowerAdamWUpdate,
               LowerMuonUpdate, LowerLionUpdate, LowerAdamPUpdate,
               LowerOrthonormalPenaltyGrad>(patterns.getContext());
}
