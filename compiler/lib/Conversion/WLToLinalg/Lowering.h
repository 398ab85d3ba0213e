//===- Lowering.h - shared pieces of the wl -> linalg lowering --*- C++ -*-===//
//
// Builders for the destination-style linalg ops every pattern uses, and the
// per-topic pattern populators (one file per topic of the wl dialect).
//
//===----------------------------------------------------------------------===//
#ifndef WL_CONVERSION_WLTOLINALG_LOWERING_H
#define WL_CONVERSION_WLTOLINALG_LOWERING_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <array>

namespace wl::lowering {

const mlir::utils::IteratorType kPar = mlir::utils::IteratorType::parallel;
const mlir::utils::IteratorType kRed = mlir::utils::IteratorType::reduction;

/// The affine map of `numLoops` loops that selects the loop dimensions `dims`.
mlir::AffineMap loopMap(mlir::MLIRContext *ctx, unsigned numLoops,
                        llvm::ArrayRef<unsigned> dims);

/// Body of an elementwise map: scalar inputs (and current outputs) -> scalar
/// results.
using ScalarBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// `tensor.empty` with the shape (and dynamic sizes) of `like`.
mlir::Value emptyLike(mlir::OpBuilder &b, mlir::Location loc, mlir::Value like,
                      mlir::Type elementType = {});
/// `tensor.empty` of `type`, taking each dynamic size from dimension `dim` of
/// `source`.
mlir::Value
emptyOf(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
        llvm::ArrayRef<std::pair<mlir::Value, int64_t>> dynamicFrom);
/// A tensor of `type` filled with `value` (dynamic sizes as in emptyOf).
mlir::Value filled(mlir::OpBuilder &b, mlir::Location loc,
                   mlir::RankedTensorType type, double value,
                   llvm::ArrayRef<std::pair<mlir::Value, int64_t>> dynamicFrom);

/// A parallel linalg.generic over identical shapes: outputs[i] =
/// body(inputs..., outputs...)[i]. `outputs` are the destinations (updated in
/// place when possible).
mlir::ValueRange elementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::ValueRange inputs, mlir::ValueRange outputs,
                             ScalarBody body);

/// C = op(A) · op(B) as a linalg.generic contraction into a zero-filled tensor
/// of `type`.
mlir::Value contraction(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, mlir::Value lhs,
                        mlir::Value rhs, bool transposeLhs, bool transposeRhs);

/// init + scale · op(A) · op(B) as a linalg.generic contraction: the epilogue
/// of a polynomial (e.g. B = bA + cA²) fused into the product.
mlir::Value contractionInto(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value init, mlir::Value lhs, mlir::Value rhs,
                            bool transposeLhs, bool transposeRhs, double scale);

/// Σ over all loops of `term(inputs)` (a full reduction) as an f32 scalar.
mlir::Value
sumAll(mlir::OpBuilder &b, mlir::Location loc, mlir::ValueRange inputs,
       llvm::ArrayRef<mlir::AffineMap> inputMaps, unsigned numLoops,
       llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                      mlir::ValueRange)>
           term);

/// X = scale·G on its short side, then per (a, b, c): X ← aX + (bA + cA²)X with
/// A = XXᵀ (half-cost, mirrored), i.e. σ ↦ aσ + bσ³ + cσ⁵ on every singular
/// value; the result has G's shape (NewtonSchulz.cpp).
mlir::Value
buildOddPolynomialIteration(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value g, mlir::Value scale,
                            llvm::ArrayRef<std::array<double, 3>> steps);

/// soft_cap's two steps X ← X − α·A·X, X ← X + α·A·X (A = XXᵀ, short side)
/// for a run-time α (NewtonSchulz.cpp).
mlir::Value buildSoftCap(mlir::OpBuilder &b, mlir::Location loc, mlir::Value w,
                         mlir::Value alpha);

/// The quintic Newton–Schulz iteration of `wl.newton_schulz`
/// (NewtonSchulz.cpp).
mlir::Value buildNewtonSchulz(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value g, int64_t steps, double ca,
                              double cb, double cc);

/// A scalar f32 constant.
mlir::Value f32Const(mlir::OpBuilder &b, mlir::Location loc, double value);
/// Scalar float arithmetic for the bodies of generics and loops.
inline mlir::Value addf(mlir::OpBuilder &b, mlir::Location l, mlir::Value x,
                        mlir::Value y) {
  return mlir::arith::AddFOp::create(b, l, x, y);
}
inline mlir::Value subf(mlir::OpBuilder &b, mlir::Location l, mlir::Value x,
                        mlir::Value y) {
  return mlir::arith::SubFOp::create(b, l, x, y);
}
inline mlir::Value mulf(mlir::OpBuilder &b, mlir::Location l, mlir::Value x,
                        mlir::Value y) {
  return mlir::arith::MulFOp::create(b, l, x, y);
}
/// Dimension `dim` of tensor `t` converted to f32.
mlir::Value dimAsF32(mlir::OpBuilder &b, mlir::Location loc, mlir::Value t,
                     int64_t dim);

void populateLinearLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateActivationLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateNormLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateLossLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateOptimizerLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateNewtonSchulzLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateConstraintLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateStructureLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateSequenceLoweringPatterns(mlir::RewritePatternSet &patterns);
void populateAttentionLoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace wl::lowering

#endif // WL_CONVERSION_WLTOLINALG_LOWERING_H
