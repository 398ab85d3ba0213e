//===- ActivationOps.cpp - activations: verifiers and VJP rules ----------===//
#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;

ArrayRef<StringRef> ActivationGradOp::getKnownActivations() {
  static const StringRef names[] = {"relu",    "gelu", "gelu_tanh", "tanh",
                                    "sigmoid", "abs",  "identity"};
  return names;
}

LogicalResult ActivationGradOp::verify() {
  if (!llvm::is_contained(getKnownActivations(), getActivation()))
    return emitOpError("unknown activation '") << getActivation() << "'";
  return success();
}

/// Every unary activation differentiates the same way: dx = f'(x)·dy, with
/// f' selected by the op's name.
static void buildActivationVJP(Operation *op, OpBuilder &b,
                               ValueRange resultGrads,
                               SmallVectorImpl<Value> &operandGrads) {
  Value x = op->getOperand(0);
  operandGrads.push_back(
      ActivationGradOp::create(b, op->getLoc(), x.getType(), x, resultGrads[0],
                               op->getName().stripDialect()));
}

/// relu'(x) = [x > 0] = [relu(x) > 0], so the mask is read from the output,
/// which the backward keeps anyway (the next layer's weight gradient reads
/// it): the pre-activation then has one reader, and the product before the
/// relu writes relu(x Wᵀ + b) directly (wl-gemm-kernels' epilogue).
LogicalResult ReluOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                               SmallVectorImpl<Value> &operandGrads) {
  Value y = getResult();
  operandGrads.push_back(ActivationGradOp::create(b, getLoc(), y.getType(), y,
                                                  resultGrads[0], "relu"));
  return success();
}

#define WL_ACTIVATION_VJP(OpClass)                                             \
  LogicalResult OpClass::buildVJP(OpBuilder &b, ValueRange resultGrads,        \
                                  SmallVectorImpl<Value> &operandGrads) {      \
    buildActivationVJP(*this, b, resultGrads, operandGrads);                   \
    return success();                                                          \
  }
WL_ACTIVATION_VJP(GeluOp)
WL_ACTIVATION_VJP(GeluTanhOp)
WL_ACTIVATION_VJP(TanhOp)
WL_ACTIVATION_VJP(SigmoidOp)
WL_ACTIVATION_VJP(AbsOp)
#undef WL_ACTIVATION_VJP

LogicalResult IdentityOp::buildVJP(OpBuilder &, ValueRange resultGrads,
                                   SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(resultGrads[0]);
  return success();
}

static LogicalResult verifyGroup(Operation *op, RankedTensorType type,
                                 int64_t group) {
  if (group < 1)
    return op->emitOpError("group size must be >= 1, got ") << group;
  int64_t width = type.getDimSize(1);
  if (!ShapedType::isDynamic(width) && width % group != 0)
    return op->emitOpError("group size ")
           << group << " does not divide the width " << width;
  return success();
}

LogicalResult GroupSortOp::verify() {
  return verifyGroup(*this, getInput().getType(), getGroup());
}
LogicalResult GroupSortGradOp::verify() {
  return verifyGroup(*this, getInput().getType(), getGroup());
}

/// eps > 0 and finite: the statistics' floor, and the Lipschitz constant's.
static LogicalResult verifyEps(Operation *op, double eps) {
  if (!(eps > 0) || !std::isfinite(eps))
    return op->emitOpError("eps must be positive and finite, got ") << eps;
  return success();
}

LogicalResult RowNormOp::verify() {
  return verifyEps(*this, getEpsAttr().getValueAsDouble());
}
LogicalResult RowNormGradOp::verify() {
  return verifyEps(*this, getEpsAttr().getValueAsDouble());
}

LogicalResult RowNormOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      RowNormGradOp::create(b, getLoc(), getInput().getType(), getInput(),
                            resultGrads[0], getKindAttr(), getEpsAttr()));
  return success();
}

LogicalResult GroupSortOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      GroupSortGradOp::create(b, getLoc(), getInput().getType(), getInput(),
                              resultGrads[0], getGroup()));
  return success();
}
