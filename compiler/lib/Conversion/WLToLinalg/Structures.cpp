//===- Structures.cpp - lowering of structured weights --------------------===//
//
// Orthogonal (Cayley through LAPACK's LU solve, exponential by scaling and
// squaring, Householder reflections applied to the batch), the corner blocks
// of rectangular orthogonal weights, and the per-column scaling of `diagonal`
// and `svd`. Formulas: ALGORITHMS.md; VJPs: StructureOps.cpp.
//
//===----------------------------------------------------------------------===//
#include "Lowering.h"

#include "wl/Dialect/WL/IR/WL.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace wl;
using namespace wl::lowering;

namespace {

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// 1.0 on the diagonal, else 0.0, inside a 2-loop generic body.
Value identityEntry(OpBuilder &b, Location loc) {
  Value i = linalg::IndexOp::create(b, loc, 0),
        j = linalg::IndexOp::create(b, loc, 1);
  Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, i, j);
  Value zero = f32Const(b, loc, 0.0), one = f32Const(b, loc, 1.0);
  return arith::SelectOp::create(b, loc, eq, one, zero);
}

/// out[i, j] = body(S[i, j], S[j, i], δ_ij) for a square S.
Value fromSkewPair(
    OpBuilder &b, Location loc, Value s,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> body) {
  MLIRContext *ctx = b.getContext();
  return linalg::GenericOp::create(
             b, loc, TypeRange{s.getType()}, ValueRange{s, s},
             ValueRange{emptyLike(b, loc, s)},
             ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}),
                                 loopMap(ctx, 2, {1, 0}),
                                 loopMap(ctx, 2, {0, 1})},
             ArrayRef<utils::IteratorType>{kPar, kPar},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l, body(nb, l, a[0], a[1], identityEntry(nb, l)));
             })
      .getResult(0);
}

/// M − Mᵀ.
Value minusTranspose(OpBuilder &b, Location loc, Value m) {
  return fromSkewPair(
      b, loc, m,
      [](OpBuilder &nb, Location l, Value x, Value xt, Value) -> Value {
        return arith::SubFOp::create(nb, l, x, xt);
      });
}

/// α·M (+ β·I when beta != 0).
Value scaledPlusIdentity(OpBuilder &b, Location loc, Value m, Value alpha,
                         double beta) {
  MLIRContext *ctx = b.getContext();
  return linalg::GenericOp::create(
             b, loc, TypeRange{m.getType()}, ValueRange{m},
             ValueRange{emptyLike(b, loc, m)},
             ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}),
                                 loopMap(ctx, 2, {0, 1})},
             ArrayRef<utils::IteratorType>{kPar, kPar},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value r = arith::MulFOp::create(nb, l, a[0], alpha);
               if (beta != 0.0) {
                 Value betaValue = f32Const(nb, l, beta);
                 Value scaledIdentity = arith::MulFOp::create(
                     nb, l, identityEntry(nb, l), betaValue);
                 r = arith::AddFOp::create(nb, l, r, scaledIdentity);
               }
               linalg::YieldOp::create(nb, l, ValueRange{r});
             })
      .getResult(0);
}

/// The runtime routine wlrt_solve (runtime/include/wl/wlgen.h), declared once.
func::FuncOp solveRoutine(OpBuilder &b, Operation *anchor,
                          MemRefType anyMatrix) {
  auto module = anchor->getParentOfType<ModuleOp>();
  if (auto existing = module.lookupSymbol<func::FuncOp>("wlrt_solve"))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto decl = func::FuncOp::create(
      b, module.getLoc(), "wlrt_solve",
      b.getFunctionType({anyMatrix, anyMatrix, b.getI64Type()}, {}));
  decl.setPrivate();
  decl->setAttr("llvm.emit_c_interface", UnitAttr::get(b.getContext()));
  return decl;
}

/// A⁻¹·B (or A⁻ᵀ·B) by LAPACK's LU solve in the runtime: both operands are
/// copied to fresh buffers the routine may overwrite.
Value solve(OpBuilder &b, Location loc, Operation *anchor, Value a, Value rhs,
            bool transpose) {
  MLIRContext *ctx = b.getContext();
  int64_t dyn = ShapedType::kDynamic;
  auto anyMatrix = MemRefType::get(
      {dyn, dyn}, b.getF32Type(), StridedLayoutAttr::get(ctx, dyn, {dyn, dyn}));
  func::FuncOp routine = solveRoutine(b, anchor, anyMatrix);
  auto buffer = [&](Value t) {
    auto type = tensorType(t);
    Value m = memref::AllocOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()));
    bufferization::MaterializeInDestinationOp::create(b, loc, TypeRange{}, t, m,
                                                      /*restrict=*/false,
                                                      /*writable=*/true);
    return m;
  };
  Value aBuf = buffer(a), bBuf = buffer(rhs);
  Value flag =
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(transpose ? 1 : 0));
  func::CallOp::create(
      b, loc, routine,
      ValueRange{memref::CastOp::create(b, loc, anyMatrix, aBuf),
                 memref::CastOp::create(b, loc, anyMatrix, bBuf), flag});
  return bufferization::ToTensorOp::create(b, loc, tensorType(rhs), bBuf,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

/// A = I − X/2 with X = S − Sᵀ, the matrix the Cayley map solves with.
Value cayleyDenominator(OpBuilder &b, Location loc, Value s) {
  return fromSkewPair(
      b, loc, s,
      [](OpBuilder &nb, Location l, Value x, Value xt, Value id) -> Value {
        Value halfConst = f32Const(nb, l, 0.5);
        Value half = arith::MulFOp::create(
            nb, l, arith::SubFOp::create(nb, l, x, xt), halfConst);
        return arith::SubFOp::create(nb, l, id, half);
      });
}

struct LowerCayley : OpRewritePattern<CayleyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CayleyOp op,
                                PatternRewriter &rewriter) const override {
    // Q = A⁻¹(I + X/2) = A⁻¹(2I − A).
    Location loc = op.getLoc();
    Value a = cayleyDenominator(rewriter, loc, op.getGenerator());
    Value numerator = scaledPlusIdentity(rewriter, loc, a,
                                         f32Const(rewriter, loc, -1.0), 2.0);
    rewriter.replaceOp(
        op, solve(rewriter, loc, op, a, numerator, /*transpose=*/false));
    return success();
  }
};

/// dS = dX − dXᵀ for the gradient G of Q = cayley(S): Z = A⁻ᵀG, dX = ½(Z +
/// Z Qᵀ). Q = A⁻¹(2I − A) = 2A⁻¹ − I, so A⁻¹ = ½(I + Q) and Z = ½(G + QᵀG):
/// a product with the forward's Q instead of a second solve (two triangular
/// solves in LAPACK, at a fraction of the product kernels' speed).
Value cayleyGradOf(OpBuilder &b, Location loc, Value q, Value g) {
  Value halfG = scaledPlusIdentity(b, loc, g, f32Const(b, loc, 0.5), 0.0);
  Value z = contractionInto(b, loc, halfG, q, g, /*transposeLhs=*/true,
                            /*transposeRhs=*/false, 0.5);
  Value halfZ = scaledPlusIdentity(b, loc, z, f32Const(b, loc, 0.5), 0.0);
  Value dx = contractionInto(b, loc, halfZ, z, q, false,
                             /*transposeRhs=*/true, 0.5);
  return minusTranspose(b, loc, dx);
}

struct LowerCayleyGrad : OpRewritePattern<CayleyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CayleyGradOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, cayleyGradOf(rewriter, op.getLoc(), op.getQ(), op.getGrad()));
    return success();
  }
};

struct LowerCayleyLinearGrad : OpRewritePattern<CayleyLinearGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CayleyLinearGradOp op,
                                PatternRewriter &rewriter) const override {
    // B < 2n: dX = uᵀv with u = ½(dy + dy Q), v = ½(x + x Qᵀ), 4Bn² flops;
    // otherwise forming G = dyᵀx (2Bn²) and cayley_grad's two n³ products
    // (4n³) cost less.
    Location loc = op.getLoc();
    Value q = op.getQ(), dy = op.getDy(), x = op.getX(), xq = op.getXq();
    RankedTensorType type = tensorType(q);
    int64_t n = type.getDimSize(0);
    Value batch = tensor::DimOp::create(rewriter, loc, dy, 0);
    Value lowRank = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::ult, batch,
        arith::ConstantIndexOp::create(rewriter, loc, 2 * n));
    auto ifOp = scf::IfOp::create(
        rewriter, loc, lowRank,
        [&](OpBuilder &b, Location l) {
          Value halfDy = scaledPlusIdentity(b, l, dy, f32Const(b, l, 0.5), 0.0);
          Value u = contractionInto(b, l, halfDy, dy, q, false, false, 0.5);
          Value v = elementwise(
              b, l, ValueRange{x, xq}, ValueRange{emptyLike(b, l, x)},
              [](OpBuilder &nb, Location bl, ValueRange a) {
                return SmallVector<Value>{mulf(nb, bl, addf(nb, bl, a[0], a[1]),
                                               f32Const(nb, bl, 0.5))};
              })[0];
          Value dX = contraction(b, l, type, u, v, /*transposeLhs=*/true,
                                 /*transposeRhs=*/false);
          scf::YieldOp::create(b, l, minusTranspose(b, l, dX));
        },
        [&](OpBuilder &b, Location l) {
          Value g = contraction(b, l, type, dy, x, /*transposeLhs=*/true,
                                /*transposeRhs=*/false);
          scf::YieldOp::create(b, l, cayleyGradOf(b, l, q, g));
        });
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Matrix exponential of a skew matrix
//===----------------------------------------------------------------------===//

/// ‖X‖₂·2⁻ˢ ≤ 1 after scaling; the degree-12 Taylor remainder is then below
/// 1/13! ≈ 1.6e-10, far under float rounding. Few squarings matter more:
/// each one doubles the rounding error already in the result.
constexpr double kExpScaledNorm = 1.0;
constexpr int64_t kExpTaylorDegree = 12;

/// The number of squarings s (an index) and the scale 2⁻ˢ (f32) for X. s
/// comes from an upper bound of ‖X‖₂ by two Gram steps, r·‖(X̂ᵀX̂)²‖_F^(1/4)
/// with X̂ = X/r, r = ‖X‖_F: at most n^(1/8)·‖X‖₂, where ‖X‖_F alone can be
/// √n·‖X‖₂ (two more squarings at n = 256).
std::pair<Value, Value> expScaling(OpBuilder &b, Location loc, Value x) {
  MLIRContext *ctx = b.getContext();
  auto type = tensorType(x);
  auto frobenius = [&](Value m) -> Value {
    Value sq = sumAll(b, loc, {m}, {loopMap(ctx, 2, {0, 1})}, 2,
                      [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                        return arith::MulFOp::create(nb, l, a[0], a[0]);
                      });
    return math::SqrtOp::create(b, loc, sq);
  };
  Value r = frobenius(x);
  Value rSafe = arith::MaximumFOp::create(b, loc, r, f32Const(b, loc, 1e-30));
  Value inv = arith::DivFOp::create(b, loc, f32Const(b, loc, 1.0), rSafe);
  Value xn = scaledPlusIdentity(b, loc, x, inv, 0.0);
  Value g1 = contraction(b, loc, type, xn, xn, /*transposeLhs=*/true, false);
  Value g2 = contraction(b, loc, type, g1, g1, false, false);
  Value norm = arith::MulFOp::create(
      b, loc, r,
      math::SqrtOp::create(b, loc,
                           math::SqrtOp::create(b, loc, frobenius(g2))));
  // s = max(0, ceil(log2(bound / θ))), in f32 (exact for the integers
  // involved).
  Value ratio =
      arith::DivFOp::create(b, loc, norm, f32Const(b, loc, kExpScaledNorm));
  Value s = math::CeilOp::create(b, loc, math::Log2Op::create(b, loc, ratio));
  s = arith::MaximumFOp::create(b, loc, s, f32Const(b, loc, 0.0));
  s = arith::MinimumFOp::create(b, loc, s,
                                f32Const(b, loc, 64.0)); // NaN/∞ stay bounded
  Value scale = math::Exp2Op::create(b, loc, arith::NegFOp::create(b, loc, s));
  Value count = arith::IndexCastOp::create(
      b, loc, b.getIndexType(),
      arith::FPToSIOp::create(b, loc, b.getI64Type(), s));
  return {count, scale};
}

/// The n × n identity.
Value identity(OpBuilder &b, Location loc, RankedTensorType type) {
  return elementwise(b, loc, {},
                     {tensor::EmptyOp::create(b, loc, type, ValueRange{})},
                     [](OpBuilder &nb, Location l, ValueRange) {
                       return SmallVector<Value>{identityEntry(nb, l)};
                     })[0];
}

/// exp(Y) ≈ Σ_{k ≤ 12} Yᵏ/k! by Horner's rule: P ← I + Y·P/k for k = 12..1.
/// With `e`, also the Fréchet derivative L(Y, E) on pairs: (P, L) ←
/// (I + YP/k, (YL + EP)/k), starting from (I, 0).
std::pair<Value, Value> taylorExp(OpBuilder &b, Location loc, Value y,
                                  Value e) {
  auto type = tensorType(y);
  Value p = scaledPlusIdentity(b, loc, y,
                               f32Const(b, loc, 1.0 / kExpTaylorDegree), 1.0);
  Value l = e ? scaledPlusIdentity(
                    b, loc, e, f32Const(b, loc, 1.0 / kExpTaylorDegree), 0.0)
              : Value();
  for (int64_t k = kExpTaylorDegree - 1; k >= 1; --k) {
    double inv = 1.0 / double(k);
    if (e) {
      Value yl = contractionInto(b, loc, filled(b, loc, type, 0.0, {}), y, l,
                                 false, false, inv);
      l = contractionInto(b, loc, yl, e, p, false, false, inv);
    }
    p = contractionInto(b, loc, identity(b, loc, type), y, p, false, false,
                        inv);
  }
  return {p, l};
}

/// exp(X) (and, given G, L(Xᵀ, G)) with X = S − Sᵀ, by scaling and squaring.
std::pair<Value, Value> expSkew(OpBuilder &b, Location loc, Value s, Value g) {
  auto type = tensorType(s);
  Value x = minusTranspose(b, loc, s);
  auto [count, scale] = expScaling(b, loc, x);
  // Xᵀ = −X for the derivative's block matrix [[Xᵀ, G], [0, Xᵀ]].
  Value y = scaledPlusIdentity(
      b, loc, x, g ? arith::NegFOp::create(b, loc, scale).getResult() : scale,
      0.0);
  Value e = g ? scaledPlusIdentity(b, loc, g, scale, 0.0) : Value();
  auto [p, l] = taylorExp(b, loc, y, e);
  // s squarings: P ← P², L ← PL + LP.
  Value zero = arith::ConstantIndexOp::create(b, loc, 0),
        one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> init{p};
  if (g)
    init.push_back(l);
  auto loop = scf::ForOp::create(
      b, loc, zero, count, one, init,
      [&](OpBuilder &nb, Location nl, Value, ValueRange carried) {
        Value cp = carried[0];
        SmallVector<Value> next{
            contraction(nb, nl, type, cp, cp, false, false)};
        if (g) {
          Value pl = contraction(nb, nl, type, cp, carried[1], false, false);
          next.push_back(
              contractionInto(nb, nl, pl, carried[1], cp, false, false, 1.0));
        }
        scf::YieldOp::create(nb, nl, next);
      });
  return {loop.getResult(0), g ? loop.getResult(1) : Value()};
}

struct LowerExpSkew : OpRewritePattern<ExpSkewOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ExpSkewOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, expSkew(rewriter, op.getLoc(), op.getGenerator(), Value()).first);
    return success();
  }
};

struct LowerExpSkewGrad : OpRewritePattern<ExpSkewGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ExpSkewGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value dx = expSkew(rewriter, loc, op.getGenerator(), op.getGrad()).second;
    rewriter.replaceOp(op, minusTranspose(rewriter, loc, dx));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Corner blocks
//===----------------------------------------------------------------------===//

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> v) {
  SmallVector<OpFoldResult> out;
  for (int64_t x : v)
    out.push_back(b.getIndexAttr(x));
  return out;
}

struct LowerLeadingBlock : OpRewritePattern<LeadingBlockOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LeadingBlockOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getResult().getType();
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, type, op.getInput(), indexAttrs(rewriter, {0, 0}),
        indexAttrs(rewriter, type.getShape()), indexAttrs(rewriter, {1, 1}));
    return success();
  }
};

struct LowerEmbedBlock : OpRewritePattern<EmbedBlockOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EmbedBlockOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value zeros = filled(rewriter, loc, op.getResult().getType(), 0.0, {});
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, op.getInput(), zeros, indexAttrs(rewriter, {0, 0}),
        indexAttrs(rewriter, op.getInput().getType().getShape()),
        indexAttrs(rewriter, {1, 1}));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Householder reflections on a batch
//===----------------------------------------------------------------------===//

/// The batch size of x [B, ·] as a size: static when x's is.
OpFoldResult batchSize(OpBuilder &b, Location loc, Value x) {
  int64_t rows = tensorType(x).getDimSize(0);
  if (!ShapedType::isDynamic(rows))
    return b.getIndexAttr(rows);
  return tensor::DimOp::create(b, loc, x, 0).getResult();
}

/// [B, width] zeros with x's batch size (static or not), x written into its
/// first columns.
Value padColumns(OpBuilder &b, Location loc, Value x, int64_t width) {
  auto xType = tensorType(x);
  if (xType.getDimSize(1) == width)
    return x;
  auto type =
      RankedTensorType::get({xType.getDimSize(0), width}, b.getF32Type());
  SmallVector<std::pair<Value, int64_t>> dynamic;
  if (type.isDynamicDim(0))
    dynamic.push_back({x, 0});
  Value zeros = filled(b, loc, type, 0.0, dynamic);
  return tensor::InsertSliceOp::create(
      b, loc, x, zeros, indexAttrs(b, {0, 0}),
      SmallVector<OpFoldResult>{batchSize(b, loc, x),
                                b.getIndexAttr(xType.getDimSize(1))},
      indexAttrs(b, {1, 1}));
}

/// The first `width` columns of z [B, n].
Value leadingColumns(OpBuilder &b, Location loc, Value z, int64_t width) {
  auto zType = tensorType(z);
  if (zType.getDimSize(1) == width)
    return z;
  auto type =
      RankedTensorType::get({zType.getDimSize(0), width}, b.getF32Type());
  return tensor::ExtractSliceOp::create(
      b, loc, type, z, indexAttrs(b, {0, 0}),
      SmallVector<OpFoldResult>{batchSize(b, loc, z), b.getIndexAttr(width)},
      indexAttrs(b, {1, 1}));
}

/// r[b] = Σ_j z[b, j]·v[j] (a dot product per row; any summation order).
Value rowDots(OpBuilder &b, Location loc, Value z, Value v) {
  MLIRContext *ctx = b.getContext();
  auto type =
      RankedTensorType::get({tensorType(z).getDimSize(0)}, b.getF32Type());
  SmallVector<std::pair<Value, int64_t>> dynamic;
  if (type.isDynamicDim(0))
    dynamic.push_back({z, 0});
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{z, v},
             ValueRange{filled(b, loc, type, 0.0, dynamic)},
             ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}), loopMap(ctx, 2, {1}),
                                 loopMap(ctx, 2, {0})},
             ArrayRef<utils::IteratorType>{kPar, kRed},
             [](OpBuilder &nb, Location l, ValueRange a) {
               Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
               auto sum = arith::AddFOp::create(nb, l, a[2], p);
               sum.setFastmath(arith::FastMathFlags::reassoc);
               linalg::YieldOp::create(nb, l, ValueRange{sum.getResult()});
             })
      .getResult(0);
}

/// z − c·w vᵀ: one reflection of every row given w = z·v.
Value rankOneUpdate(OpBuilder &b, Location loc, Value z, Value w, Value v,
                    Value c) {
  MLIRContext *ctx = b.getContext();
  return linalg::GenericOp::create(
             b, loc, TypeRange{z.getType()}, ValueRange{z, w, v},
             ValueRange{emptyLike(b, loc, z)},
             ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}), loopMap(ctx, 2, {0}),
                                 loopMap(ctx, 2, {1}), loopMap(ctx, 2, {0, 1})},
             ArrayRef<utils::IteratorType>{kPar, kPar},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value cw = arith::MulFOp::create(nb, l, c, a[1]);
               Value r = arith::SubFOp::create(
                   nb, l, a[0], arith::MulFOp::create(nb, l, cw, a[2]));
               linalg::YieldOp::create(nb, l, ValueRange{r});
             })
      .getResult(0);
}

/// Row i of the reflectors [k, n] and its coefficient c = 2/‖v‖² (0 for v = 0:
/// a zero reflector is the identity).
std::pair<Value, Value> reflector(OpBuilder &b, Location loc, Value reflectors,
                                  Value i) {
  MLIRContext *ctx = b.getContext();
  int64_t n = tensorType(reflectors).getDimSize(1);
  auto rowType = RankedTensorType::get({n}, b.getF32Type());
  Value v = tensor::ExtractSliceOp::create(
      b, loc, rowType, reflectors,
      SmallVector<OpFoldResult>{i, b.getIndexAttr(0)}, indexAttrs(b, {1, n}),
      indexAttrs(b, {1, 1}));
  Value sq = sumAll(b, loc, {v}, {loopMap(ctx, 1, {0})}, 1,
                    [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                      return arith::MulFOp::create(nb, l, a[0], a[0]);
                    });
  Value zero = f32Const(b, loc, 0.0);
  Value isZero =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sq, zero);
  Value c = arith::DivFOp::create(b, loc, f32Const(b, loc, 2.0), sq);
  return {v, arith::SelectOp::create(b, loc, isZero, zero, c)};
}

/// H_1⋯H_k applied to the rows of z [B, n] (H_k first).
Value applyReflectors(OpBuilder &b, Location loc, Value z, Value reflectors) {
  int64_t k = tensorType(reflectors).getDimSize(0);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0),
        one = arith::ConstantIndexOp::create(b, loc, 1);
  Value last = arith::ConstantIndexOp::create(b, loc, k - 1);
  auto loop = scf::ForOp::create(
      b, loc, zero, arith::ConstantIndexOp::create(b, loc, k), one,
      ValueRange{z},
      [&](OpBuilder &nb, Location l, Value j, ValueRange carried) {
        Value i = arith::SubIOp::create(nb, l, last, j);
        auto [v, c] = reflector(nb, l, reflectors, i);
        Value w = rowDots(nb, l, carried[0], v);
        scf::YieldOp::create(
            nb, l, ValueRange{rankOneUpdate(nb, l, carried[0], w, v, c)});
      });
  return loop.getResult(0);
}

struct LowerHouseholder : OpRewritePattern<HouseholderOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HouseholderOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t n = op.getReflectors().getType().getDimSize(1);
    Value z = padColumns(rewriter, loc, op.getInput(), n);
    z = applyReflectors(rewriter, loc, z, op.getReflectors());
    Value y = leadingColumns(rewriter, loc, z,
                             op.getResult().getType().getDimSize(1));
    if (y.getType() != op.getResult().getType())
      y = tensor::CastOp::create(rewriter, loc, op.getResult().getType(), y);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct LowerHouseholderGrad : OpRewritePattern<HouseholderGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(HouseholderGradOp op,
                                PatternRewriter &rewriter) const override {
    // For H = I − c v vᵀ (c = 2/‖v‖²) mapping z_in to z_out with output adjoint
    // d: a = z_in·v, g = d·v per row, dz_in = H d, and
    // dv = −c Σ_b (g_b z_in_b + a_b d_b) + c² (Σ_b a_b g_b) v.
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value reflectors = op.getReflectors();
    auto vType = op.getReflectors().getType();
    int64_t k = vType.getDimSize(0), n = vType.getDimSize(1);
    Value zOut = applyReflectors(
        rewriter, loc, padColumns(rewriter, loc, op.getInput(), n), reflectors);
    Value dOut = padColumns(rewriter, loc, op.getGrad(), n);
    Value dv0 = filled(rewriter, loc, vType, 0.0, {});
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    auto rowType = RankedTensorType::get({n}, rewriter.getF32Type());
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, arith::ConstantIndexOp::create(rewriter, loc, k),
        one, ValueRange{zOut, dOut, dv0},
        [&](OpBuilder &b, Location l, Value i, ValueRange carried) {
          Value z = carried[0], d = carried[1];
          auto [v, c] = reflector(b, l, reflectors, i);
          Value zIn = rankOneUpdate(b, l, z, rowDots(b, l, z, v), v, c);
          Value a = rowDots(b, l, zIn, v), g = rowDots(b, l, d, v);
          // r[j] = Σ_b g_b z_in[b, j] + a_b d[b, j]; batch outer so rows
          // stream.
          Value r =
              linalg::GenericOp::create(
                  b, l, TypeRange{rowType}, ValueRange{zIn, d, a, g},
                  ValueRange{filled(b, l, rowType, 0.0, {})},
                  ArrayRef<AffineMap>{
                      loopMap(ctx, 2, {0, 1}), loopMap(ctx, 2, {0, 1}),
                      loopMap(ctx, 2, {0}), loopMap(ctx, 2, {0}),
                      loopMap(ctx, 2, {1})},
                  ArrayRef<utils::IteratorType>{kRed, kPar},
                  [](OpBuilder &nb, Location nl, ValueRange x) {
                    Value second = arith::MulFOp::create(nb, nl, x[2], x[1]);
                    Value first = arith::MulFOp::create(nb, nl, x[3], x[0]);
                    Value t = arith::AddFOp::create(nb, nl, first, second);
                    linalg::YieldOp::create(
                        nb, nl,
                        ValueRange{arith::AddFOp::create(nb, nl, x[4], t)});
                  })
                  .getResult(0);
          Value ag =
              sumAll(b, l, {a, g}, {loopMap(ctx, 1, {0}), loopMap(ctx, 1, {0})},
                     1, [](OpBuilder &nb, Location nl, ValueRange x) -> Value {
                       return arith::MulFOp::create(nb, nl, x[0], x[1]);
                     });
          Value c2ag = arith::MulFOp::create(
              b, l, arith::MulFOp::create(b, l, c, c), ag);
          Value dv = elementwise(
              b, l, {r, v}, {emptyLike(b, l, v)},
              [&](OpBuilder &nb, Location nl, ValueRange x) {
                Value t = arith::MulFOp::create(nb, nl, c2ag, x[1]);
                Value u = arith::MulFOp::create(nb, nl, c, x[0]);
                return SmallVector<Value>{arith::SubFOp::create(nb, nl, t, u)};
              })[0];
          Value dvAll = tensor::InsertSliceOp::create(
              b, l, dv, carried[2],
              SmallVector<OpFoldResult>{i, b.getIndexAttr(0)},
              indexAttrs(b, {1, n}), indexAttrs(b, {1, 1}));
          Value dIn = rankOneUpdate(b, l, d, g, v, c);
          scf::YieldOp::create(b, l, ValueRange{zIn, dIn, dvAll});
        });
    Value dx = leadingColumns(rewriter, loc, loop.getResult(1),
                              op.getInput().getType().getDimSize(1));
    if (dx.getType() != op.getInputGrad().getType())
      dx = tensor::CastOp::create(rewriter, loc, op.getInputGrad().getType(),
                                  dx);
    rewriter.replaceOp(op, {dx, loop.getResult(2)});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Per-column scaling
//===----------------------------------------------------------------------===//

struct LowerScaleColumns : OpRewritePattern<ScaleColumnsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScaleColumnsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = op.getInput();
    rewriter.replaceOp(
        op,
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{x.getType()}, ValueRange{x, op.getScale()},
            ValueRange{emptyLike(rewriter, loc, x)},
            ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}), loopMap(ctx, 2, {1}),
                                loopMap(ctx, 2, {0, 1})},
            ArrayRef<utils::IteratorType>{kPar, kPar},
            [](OpBuilder &nb, Location l, ValueRange a) {
              linalg::YieldOp::create(
                  nb, l, ValueRange{arith::MulFOp::create(nb, l, a[0], a[1])});
            })
            .getResults());
    return success();
  }
};

/// sst's y = ((x V)·s) Uᵀ as the wl ops that lower it (its VJP is already
/// built, so the product is just the three steps).
struct LowerSstProduct : OpRewritePattern<SstProductOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SstProductOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto xType = op.getInput().getType();
    auto bm = RankedTensorType::get(
        {xType.getDimSize(0), op.getS().getType().getDimSize(0)},
        xType.getElementType());
    Value a = MatmulOp::create(rewriter, loc, bm, op.getInput(), op.getV(),
                               false, false);
    Value scaled = ScaleColumnsOp::create(rewriter, loc, bm, a, op.getS());
    rewriter.replaceOpWithNewOp<MatmulOp>(op, op.getResult().getType(), scaled,
                                          op.getU(), false, true);
    return success();
  }
};

struct LowerColumnDot : OpRewritePattern<ColumnDotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ColumnDotOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = op.getResult().getType();
    rewriter.replaceOp(
        op,
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{type},
            ValueRange{op.getLhs(), op.getRhs()},
            ValueRange{filled(rewriter, loc, type, 0.0, {})},
            ArrayRef<AffineMap>{loopMap(ctx, 2, {0, 1}),
                                loopMap(ctx, 2, {0, 1}), loopMap(ctx, 2, {1})},
            ArrayRef<utils::IteratorType>{kRed, kPar},
            [](OpBuilder &nb, Location l, ValueRange a) {
              Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
              linalg::YieldOp::create(
                  nb, l, ValueRange{arith::AddFOp::create(nb, l, a[2], p)});
            })
            .getResults());
    return success();
  }
};

struct LowerEye : OpRewritePattern<EyeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EyeOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, identity(rewriter, op.getLoc(), op.getResult().getType()));
    return success();
  }
};

struct LowerTranspose : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value init = tensor::EmptyOp::create(
        rewriter, loc, op.getResult().getType(), ValueRange{});
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(op, op.getInput(), init,
                                                     ArrayRef<int64_t>{1, 0});
    return success();
  }
};

struct LowerContract : OpRewritePattern<ContractOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ContractOp op,
                                PatternRewriter &rewriter) const override {
    // One linalg.generic: the product of the operands accumulated into a
    // zero-filled result; loops the result does not index are reductions. An
    // innermost reduction is a dot product and may be reassociated
    // (vectorised), as in contractionInto.
    Location loc = op.getLoc();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    AffineMap outMap = maps.back();
    unsigned loops = outMap.getNumDims();
    SmallVector<utils::IteratorType> iterators(loops, kRed);
    for (AffineExpr e : outMap.getResults())
      iterators[cast<AffineDimExpr>(e).getPosition()] = kPar;
    auto type = op.getResult().getType();
    // Dynamic result sizes come from an operand indexing the same loop.
    SmallVector<std::pair<Value, int64_t>> dynamicFrom;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        continue;
      unsigned loop = cast<AffineDimExpr>(outMap.getResult(d)).getPosition();
      bool found = false;
      for (auto [i, input] : llvm::enumerate(op.getInputs())) {
        std::optional<unsigned> pos =
            maps[i].getResultPosition(getAffineDimExpr(loop, op.getContext()));
        if (pos && !found) {
          dynamicFrom.push_back({input, *pos});
          found = true;
        }
      }
      if (!found)
        return rewriter.notifyMatchFailure(
            op, "a dynamic result size no operand provides");
    }
    // Without reduction loops (a permutation or a broadcast product) every
    // result entry is written once: no zero fill to accumulate into.
    bool reduces = llvm::is_contained(iterators, kRed);
    Value init = reduces ? filled(rewriter, loc, type, 0.0, dynamicFrom)
                         : emptyOf(rewriter, loc, type, dynamicFrom);
    bool dotProduct = iterators.back() == kRed;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, op.getInputs(), ValueRange{init}, maps,
        iterators, [&](OpBuilder &nb, Location l, ValueRange a) {
          Value p = a[0];
          for (Value v : a.drop_front().drop_back())
            p = arith::MulFOp::create(nb, l, p, v);
          if (!reduces) {
            linalg::YieldOp::create(nb, l, ValueRange{p});
            return;
          }
          auto sum = arith::AddFOp::create(nb, l, a.back(), p);
          if (dotProduct)
            sum.setFastmath(arith::FastMathFlags::reassoc);
          linalg::YieldOp::create(nb, l, ValueRange{sum.getResult()});
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct LowerReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<ReassociationIndices> groups = op.getReassociation();
    auto in = op.getInput().getType(), out = op.getResult().getType();
    if (out.getRank() > in.getRank()) {
      // Output sizes: the dynamic batch is its input dim divided by the
      // static dims split off with it ([B·T, d] -> [B, T, d]).
      SmallVector<OpFoldResult> sizes(out.getRank());
      Location l = op.getLoc();
      for (auto [inDim, group] : llvm::enumerate(groups)) {
        int64_t staticProduct = 1;
        for (int64_t d : group)
          if (!out.isDynamicDim(d))
            staticProduct *= out.getDimSize(d);
        for (int64_t d : group) {
          if (!out.isDynamicDim(d)) {
            sizes[d] = rewriter.getIndexAttr(out.getDimSize(d));
            continue;
          }
          Value size = tensor::DimOp::create(rewriter, l, op.getInput(), inDim);
          if (staticProduct != 1)
            size = arith::DivUIOp::create(
                rewriter, l, size,
                arith::ConstantIndexOp::create(rewriter, l, staticProduct));
          sizes[d] = size;
        }
      }
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, out, op.getInput(),
                                                         groups, sizes);
    } else {
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, out, op.getInput(), groups);
    }
    return success();
  }
};

} // namespace

void lowering::populateStructureLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerCayley, LowerCayleyGrad, LowerCayleyLinearGrad,
               LowerExpSkew, LowerExpSkewGrad, LowerLeadingBlock,
               LowerEmbedBlock, LowerHouseholder, LowerHouseholderGrad,
               LowerScaleColumns, LowerSstProduct, LowerColumnDot, LowerEye,
               LowerTranspose, LowerContract, LowerReshape>(
      patterns.getContext());
}
