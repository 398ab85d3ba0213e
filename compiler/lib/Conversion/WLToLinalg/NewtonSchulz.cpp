//===- NewtonSchulz.cpp - lowering of the Newton–Schulz orthogonalisation ===//
//
// X = G/(‖G‖_F + 1e-7) on the short side, then per step A = X Xᵀ (symmetric:
// on the CPU only the tiles meeting the upper triangle are multiplied, then
// mirrored, by wl-gemm-kernels),
// B = bA + cA² and X = aX + BX, each one product accumulated onto the scaled
// addend. Muon and the polar projections share it.
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

/// Marks a product whose result is symmetric: wl-gemm-kernels computes only
/// the micro-tiles meeting the upper triangle (about half the multiply-adds)
/// and mirrors them below the diagonal. Elsewhere (the CUDA target) the
/// product is computed whole.
Value symmetricProduct(OpBuilder &b, Location loc, Value product) {
  product.getDefiningOp()->setAttr("wl.upper", UnitAttr::get(b.getContext()));
  return product;
}

/// A = X Xᵀ for X [r, k], at half cost.
Value symmetricGram(OpBuilder &b, Location loc, Value x) {
  int64_t r = cast<RankedTensorType>(x.getType()).getDimSize(0);
  auto gramType = RankedTensorType::get({r, r}, b.getF32Type());
  return symmetricProduct(
      b, loc,
      contractionInto(b, loc, filled(b, loc, gramType, 0.0, {}), x, x, false,
                      /*transposeRhs=*/true, 1.0));
}

/// s·Y + t·(L·R) for L [m, k], R [k, n], Y [m, n]: the product accumulates
/// onto s·Y (one elementwise pass), so the polynomial costs no pass of its own
/// after the product. `symmetric`: L, R and Y are one symmetric matrix (bA +
/// cA²).
Value fusedPolynomialProduct(OpBuilder &b, Location loc, Value lhs, Value rhs,
                             Value addend, double s, double t,
                             bool symmetric = false) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(addend.getType());
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  // s = 1 (soft_cap's steps): the product accumulates onto Y itself
  // (bufferization copies Y if it is still needed).
  Value start = s == 1.0 ? addend
                         : linalg::GenericOp::create(
                               b, loc, TypeRange{type}, ValueRange{addend},
                               ValueRange{tensor::EmptyOp::create(
                                   b, loc, type.getShape(), b.getF32Type())},
                               ArrayRef<AffineMap>{id, id},
                               SmallVector<utils::IteratorType>(
                                   2, utils::IteratorType::parallel),
                               [&](OpBuilder &nb, Location l, ValueRange a) {
                                 linalg::YieldOp::create(
                                     nb, l,
                                     ValueRange{arith::MulFOp::create(
                                         nb, l, a[0], f32Const(nb, l, s))});
                               })
                               .getResult(0);
  Value product = contractionInto(b, loc, start, lhs, rhs, false, false, t);
  return symmetric ? symmetricProduct(b, loc, product) : product;
}

/// out = scale · (transpose ? inᵀ : in), as one elementwise pass.
Value scaled(OpBuilder &b, Location loc, Value in, Value scale,
             bool transpose) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(in.getType());
  SmallVector<int64_t> shape(type.getShape());
  if (transpose)
    std::swap(shape[0], shape[1]);
  auto outType = RankedTensorType::get(shape, b.getF32Type());
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap inMap =
      transpose
          ? AffineMap::get(
                2, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(0, ctx)}, ctx)
          : id;
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{in},
             ValueRange{tensor::EmptyOp::create(b, loc, shape, b.getF32Type())},
             ArrayRef<AffineMap>{inMap, id},
             SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l,
                   ValueRange{arith::MulFOp::create(nb, l, a[0], scale)});
             })
      .getResult(0);
}

} // namespace

/// Runs of at least this many identical steps become a loop.
constexpr size_t kLoopedRun = 8;

Value lowering::buildOddPolynomialIteration(
    OpBuilder &b, Location loc, Value g, Value scale,
    ArrayRef<std::array<double, 3>> steps) {
  auto type = cast<RankedTensorType>(g.getType());
  bool tall = type.getDimSize(0) > type.getDimSize(1);
  // Work on the short side: X is [min, max], X ← (aI + bA + cA²)X with A = XXᵀ
  // acts on singular values as σ ↦ aσ + bσ³ + cσ⁵, like X(aI + bXᵀX + c(XᵀX)²).
  Value x = scaled(b, loc, g, scale, tall);
  auto step = [](OpBuilder &nb, Location l, Value x,
                 const std::array<double, 3> &abc) -> Value {
    Value a = symmetricGram(nb, l, x);
    if (abc[2] == 0) // cubic: X = aX + b·A·X, no A·A
      return fusedPolynomialProduct(nb, l, a, x, x, abc[0], abc[1]);
    Value poly = fusedPolynomialProduct(nb, l, a, a, a, abc[1], abc[2],
                                        /*symmetric=*/true); // B = bA + cA·A
    return fusedPolynomialProduct(nb, l, poly, x, x, abc[0],
                                  1.0); // X = aX + B·X
  };
  for (size_t i = 0; i < steps.size();) {
    size_t run = 1;
    while (i + run < steps.size() && steps[i + run] == steps[i])
      ++run;
    if (run < kLoopedRun) {
      for (size_t k = 0; k < run; ++k)
        x = step(b, loc, x, steps[i]);
    } else {
      // A long run of one polynomial (the 40 polar steps at creation) is one
      // scf.for: unrolled, it multiplies the IR and the compile time.
      Value lb = arith::ConstantIndexOp::create(b, loc, 0);
      Value ub =
          arith::ConstantIndexOp::create(b, loc, static_cast<int64_t>(run));
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      const std::array<double, 3> abc = steps[i];
      x = scf::ForOp::create(
              b, loc, lb, ub, one, ValueRange{x},
              [&](OpBuilder &nb, Location l, Value, ValueRange carried) {
                scf::YieldOp::create(nb, l, step(nb, l, carried[0], abc));
              })
              .getResult(0);
    }
    i += run;
  }
  return tall ? scaled(b, loc, x, f32Const(b, loc, 1.0), true) : x;
}

Value lowering::buildSoftCap(OpBuilder &b, Location loc, Value w, Value alpha) {
  auto type = cast<RankedTensorType>(w.getType());
  bool tall = type.getDimSize(0) > type.getDimSize(1);
  Value x = scaled(b, loc, w, f32Const(b, loc, 1.0), tall);
  // α scales the small Gram matrix (min(OUT, IN)² entries), so each step is
  // still one product accumulated onto X.
  for (Value coefficient : {Value(arith::NegFOp::create(b, loc, alpha)), alpha})
    x = fusedPolynomialProduct(
        b, loc, scaled(b, loc, symmetricGram(b, loc, x), coefficient, false), x,
        x, 1.0, 1.0);
  return tall ? scaled(b, loc, x, f32Const(b, loc, 1.0), true) : x;
}

Value lowering::buildNewtonSchulz(OpBuilder &b, Location loc, Value g,
                                  int64_t steps, double ca, double cb,
                                  double cc) {
  MLIRContext *ctx = b.getContext();
  // 1 / (‖G‖_F + 1e-7), the sum of squares in f64 so that large gradients
  // (|g| up to ~1e150) do not overflow it.
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  auto f64Scalar = RankedTensorType::get({}, b.getF64Type());
  Value zero = filled(b, loc, f64Scalar, 0.0, {});
  Value sumSq =
      linalg::GenericOp::create(
          b, loc, TypeRange{f64Scalar}, ValueRange{g}, ValueRange{zero},
          ArrayRef<AffineMap>{id, AffineMap::get(2, 0, {}, ctx)},
          SmallVector<utils::IteratorType>(2, utils::IteratorType::reduction),
          [](OpBuilder &nb, Location l, ValueRange a) {
            Value x = arith::ExtFOp::create(nb, l, nb.getF64Type(), a[0]);
            Value sq = arith::MulFOp::create(nb, l, x, x);
            linalg::YieldOp::create(
                nb, l, ValueRange{arith::AddFOp::create(nb, l, a[1], sq)});
          })
          .getResult(0);
  Value norm = math::SqrtOp::create(
      b, loc, tensor::ExtractOp::create(b, loc, sumSq, ValueRange{}));
  norm = arith::AddFOp::create(
      b, loc, norm, arith::ConstantOp::create(b, loc, b.getF64FloatAttr(1e-7)));
  Value inv64 = arith::DivFOp::create(
      b, loc, arith::ConstantOp::create(b, loc, b.getF64FloatAttr(1.0)), norm);
  Value inv = arith::TruncFOp::create(b, loc, b.getF32Type(), inv64);
  SmallVector<std::array<double, 3>> coefficients(steps, {ca, cb, cc});
  return buildOddPolynomialIteration(b, loc, g, inv, coefficients);
}

namespace {
struct LowerNewtonSchulz : OpRewritePattern<NewtonSchulzOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NewtonSchulzOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildNewtonSchulz(rewriter, op.getLoc(),
                                             op.getInput(), op.getSteps(),
                                             op.getAAttr().getValueAsDouble(),
                                             op.getBAttr().getValueAsDouble(),
                                             op.getCAttr().getValueAsDouble()));
    return success();
  }
};
} // namespace

void lowering::populateNewtonSchulzLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LowerNewtonSchulz>(patterns.getContext());
}
