//===- LinearOps.cpp - linear maps: verifiers and VJP rules ---------------===//
#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;

/// Two dimensions agree unless both are static and different.
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Prints a shape as `[4, ?]`.
static std::string dims(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      ", ");
  os << "]";
  return s;
}
static std::string dims(RankedTensorType t) { return dims(t.getShape()); }

LogicalResult LinearOp::verify() {
  auto x = getInput().getType(), w = getWeight().getType(),
       y = getResult().getType();
  if (!w.hasStaticShape())
    return emitOpError("weight must have a static shape, got ") << dims(w);
  if (!compatible(x.getDimSize(1), w.getDimSize(1)))
    return emitOpError("input width ")
           << x.getDimSize(1) << " does not match the weight's IN "
           << w.getDimSize(1) << " (weight is [OUT, IN] = " << dims(w) << ")";
  if (!compatible(y.getDimSize(1), w.getDimSize(0)))
    return emitOpError("result width ")
           << y.getDimSize(1) << " does not match the weight's OUT "
           << w.getDimSize(0);
  if (x.getDimSize(0) != y.getDimSize(0))
    return emitOpError("result batch dimension must equal the input's");
  return success();
}

LogicalResult LinearOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  Value dy = resultGrads[0];
  // y = x Wᵀ:  dx = dy W,  dW = dyᵀ x.
  Value dx =
      MatmulOp::create(b, getLoc(), getInput().getType(), dy, getWeight(),
                       /*transpose_lhs=*/false, /*transpose_rhs=*/false);
  Value dw =
      MatmulOp::create(b, getLoc(), getWeight().getType(), dy, getInput(),
                       /*transpose_lhs=*/true, /*transpose_rhs=*/false);
  operandGrads.assign({dx, dw});
  return success();
}

LogicalResult MatmulOp::verify() {
  auto a = getLhs().getType(), bT = getRhs().getType(),
       c = getResult().getType();
  int64_t m = a.getDimSize(getTransposeLhs() ? 1 : 0),
          k = a.getDimSize(getTransposeLhs() ? 0 : 1);
  int64_t k2 = bT.getDimSize(getTransposeRhs() ? 1 : 0),
          n = bT.getDimSize(getTransposeRhs() ? 0 : 1);
  if (!compatible(k, k2))
    return emitOpError("contraction dimensions differ: ") << k << " vs " << k2;
  if (!compatible(c.getDimSize(0), m) || !compatible(c.getDimSize(1), n))
    return emitOpError("result shape ")
           << dims(c) << " does not match the product's " << dims({m, n});
  return success();
}

LogicalResult MatmulOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  // C = op(A) op(B): dop(A) = dC op(B)ᵀ, dop(B) = op(A)ᵀ dC, transposed back as
  // needed.
  Value dc = resultGrads[0], a = getLhs(), bb = getRhs();
  bool tA = getTransposeLhs(), tB = getTransposeRhs();
  Location loc = getLoc();
  Value da =
      tA ? MatmulOp::create(b, loc, a.getType(), bb, dc, tB, true).getResult()
         : MatmulOp::create(b, loc, a.getType(), dc, bb, false, !tB)
               .getResult();
  Value db =
      tB ? MatmulOp::create(b, loc, bb.getType(), dc, a, true, tA).getResult()
         : MatmulOp::create(b, loc, bb.getType(), a, dc, !tA, false)
               .getResult();
  operandGrads.assign({da, db});
  return success();
}

LogicalResult BiasAddOp::verify() {
  auto x = getInput().getType(), bias = getBias().getType();
  if (!compatible(x.getDimSize(1), bias.getDimSize(0)))
    return emitOpError("bias of size ")
           << bias.getDimSize(0) << " does not match width " << x.getDimSize(1);
  if (getResult().getType() != x)
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult BiasAddOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  Value dy = resultGrads[0];
  Value db = ReduceBatchOp::create(b, getLoc(), getBias().getType(), dy);
  operandGrads.assign({dy, db});
  return success();
}

LogicalResult ReduceBatchOp::verify() {
  if (!compatible(getInput().getType().getDimSize(1),
                  getResult().getType().getDimSize(0)))
    return emitOpError("result size must equal the input width");
  return success();
}

LogicalResult AddOp::buildVJP(OpBuilder &, ValueRange resultGrads,
                              SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign({resultGrads[0], resultGrads[0]});
  return success();
}

LogicalResult ScaleOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(ScaleOp::create(b, getLoc(), resultGrads[0].getType(),
                                         resultGrads[0], getFactorAttr()));
  return success();
}

double ScaleOp::getLipschitzConstant() {
  return std::abs(getFactorAttr().getValueAsDouble());
}
