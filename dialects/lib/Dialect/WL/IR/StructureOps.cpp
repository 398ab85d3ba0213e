//===- StructureOps.cpp - structured weights: verifiers and VJP rules -----===//
#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;

static LogicalResult squareStatic(Operation *op, RankedTensorType t) {
  if (!t.hasStaticShape() || t.getDimSize(0) != t.getDimSize(1))
    return op->emitOpError("needs a static square generator, got ") << t;
  return success();
}

LogicalResult CayleyOp::verify() { return squareStatic(*this, getGenerator().getType()); }

LogicalResult CayleyOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(CayleyGradOp::create(b, getLoc(), getGenerator().getType(),
                                              getGenerator(), getResult(), resultGrads[0]));
  return success();
}

LogicalResult ExpSkewOp::verify() { return squareStatic(*this, getGenerator().getType()); }

LogicalResult ExpSkewOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(ExpSkewGradOp::create(b, getLoc(), getGenerator().getType(),
                                               getGenerator(), resultGrads[0]));
  return success();
}

/// `small` fits in the top-left corner of `large` (both static).
static LogicalResult cornerOf(Operation *op, RankedTensorType small, RankedTensorType large) {
  if (!small.hasStaticShape() || !large.hasStaticShape())
    return op->emitOpError("needs static shapes");
  if (small.getDimSize(0) > large.getDimSize(0) || small.getDimSize(1) > large.getDimSize(1))
    return op->emitOpError("block ") << small << " does not fit in " << large;
  return success();
}

LogicalResult LeadingBlockOp::verify() {
  return cornerOf(*this, getResult().getType(), getInput().getType());
}

LogicalResult LeadingBlockOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                       SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      EmbedBlockOp::create(b, getLoc(), getInput().getType(), resultGrads[0]));
  return success();
}

LogicalResult EmbedBlockOp::verify() {
  return cornerOf(*this, getInput().getType(), getResult().getType());
}

LogicalResult HouseholderOp::verify() {
  auto x = getInput().getType(), v = getReflectors().getType(), y = getResult().getType();
  if (!v.hasStaticShape() || x.isDynamicDim(1) || y.isDynamicDim(1))
    return emitOpError("needs static widths and reflectors");
  int64_t n = v.getDimSize(1);
  if (n != std::max(x.getDimSize(1), y.getDimSize(1)))
    return emitOpError("reflectors have length ")
           << n << ", expected max(IN, OUT) = " << std::max(x.getDimSize(1), y.getDimSize(1));
  if (v.getDimSize(0) < 1)
    return emitOpError("needs at least one reflector");
  if (x.getDimSize(0) != y.getDimSize(0))
    return emitOpError("result batch dimension must equal the input's");
  return success();
}

LogicalResult HouseholderOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                      SmallVectorImpl<Value> &operandGrads) {
  auto grad = HouseholderGradOp::create(b, getLoc(), getInput().getType(),
                                        getReflectors().getType(), getInput(), getReflectors(),
                                        resultGrads[0]);
  operandGrads.assign({grad.getInputGrad(), grad.getReflectorsGrad()});
  return success();
}

LogicalResult ScaleColumnsOp::verify() {
  auto x = getInput().getType();
  if (x.getDimSize(1) != getScale().getType().getDimSize(0) || x != getResult().getType())
    return emitOpError("scale must have the input's width and the result its type");
  return success();
}

LogicalResult ScaleColumnsOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                       SmallVectorImpl<Value> &operandGrads) {
  // y = x·d (per column): dx = dy·d, dd[j] = Σ_b x[b, j]·dy[b, j].
  Value dy = resultGrads[0];
  Value dx = ScaleColumnsOp::create(b, getLoc(), getInput().getType(), dy, getScale());
  Value dd = ColumnDotOp::create(b, getLoc(), getScale().getType(), getInput(), dy);
  operandGrads.assign({dx, dd});
  return success();
}

LogicalResult EyeOp::verify() {
  auto t = getResult().getType();
  if (!t.hasStaticShape() || t.getDimSize(0) != t.getDimSize(1))
    return emitOpError("needs a static square type, got ") << t;
  return success();
}

LogicalResult TransposeOp::verify() {
  auto x = getInput().getType(), y = getResult().getType();
  if (x.getDimSize(0) != y.getDimSize(1) || x.getDimSize(1) != y.getDimSize(0))
    return emitOpError("result must be the input's transpose, got ") << x << " -> " << y;
  return success();
}

LogicalResult TransposeOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(TransposeOp::create(b, getLoc(), getInput().getType(), resultGrads[0]));
  return success();
}
