//===- LossOps.cpp - losses: verifiers and VJP rules ----------------------===//
#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;

static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static LogicalResult verifyLabels(Operation *op, RankedTensorType logits,
                                  RankedTensorType labels) {
  if (!compatible(logits.getDimSize(0), labels.getDimSize(0)))
    return op->emitOpError("expects one label per row: ")
           << labels.getDimSize(0) << " labels for " << logits.getDimSize(0)
           << " rows";
  if (logits.getDimSize(1) == 0)
    return op->emitOpError("needs at least one class");
  return success();
}

LogicalResult CrossEntropyOp::verify() {
  return verifyLabels(*this, getLogits().getType(), getLabels().getType());
}
// AllTypesMatch<["logits", "result"]> already makes the result the logits'
// type.
LogicalResult CrossEntropyGradOp::verify() {
  return verifyLabels(*this, getLogits().getType(), getLabels().getType());
}

LogicalResult CrossEntropyOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                       SmallVectorImpl<Value> &operandGrads) {
  Value dz =
      CrossEntropyGradOp::create(b, getLoc(), getLogits().getType(),
                                 getLogits(), getLabels(), resultGrads[0]);
  operandGrads.assign({dz, Value()}); // class labels are not differentiable
  return success();
}

// The AllTypesMatch constraints of wl.mse and wl.mse_grad already give the
// prediction, the target (and the gradient) one type; nothing is left to check.

LogicalResult MseOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                              SmallVectorImpl<Value> &operandGrads) {
  Value dz = MseGradOp::create(b, getLoc(), getPrediction().getType(),
                               getPrediction(), getTarget(), resultGrads[0]);
  operandGrads.assign({dz, Value()}); // targets are data, not trained
  return success();
}
