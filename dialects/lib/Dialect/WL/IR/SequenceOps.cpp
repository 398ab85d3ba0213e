//===- SequenceOps.cpp - sequence ops: verifiers and VJP rules ------------===//
#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;

static RankedTensorType ranked(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// `length` (T) is at least 1.
static LogicalResult verifyLength(Operation *op, int64_t length) {
  if (length < 1)
    return op->emitOpError("length must be >= 1, got ") << length;
  return success();
}

/// Token ids [B, T] with T = `length` when given.
static LogicalResult verifyIds(Operation *op, RankedTensorType ids,
                               std::optional<int64_t> length = {}) {
  if (ids.isDynamicDim(1))
    return op->emitOpError("needs a static sequence length, got ") << ids;
  if (length && ids.getDimSize(1) != *length)
    return op->emitOpError("ids of length ")
           << ids.getDimSize(1) << " do not match length " << *length;
  return success();
}

/// A row-form [B·T, D] tensor with a static width.
static LogicalResult verifyRows(Operation *op, StringRef what,
                                RankedTensorType type) {
  if (type.isDynamicDim(1))
    return op->emitOpError("needs a static width for ")
           << what << ", got " << type;
  return success();
}

//===----------------------------------------------------------------------===//
// wl.positions
//===----------------------------------------------------------------------===//

LogicalResult PositionsOp::verify() {
  if (failed(verifyLength(*this, getLength())))
    return failure();
  if (ranked(getLike()).getRank() < 1)
    return emitOpError("needs a batch dimension in its operand");
  return verifyIds(*this, ranked(getResult()), getLength());
}

//===----------------------------------------------------------------------===//
// wl.embedding
//===----------------------------------------------------------------------===//

/// Shapes shared by the embedding and its VJP: table [V, D] static, ids
/// [B, T], rows [B·T, D].
static LogicalResult verifyEmbedding(Operation *op, RankedTensorType table,
                                     RankedTensorType ids,
                                     RankedTensorType rows) {
  if (!table.hasStaticShape())
    return op->emitOpError("needs a static table, got ") << table;
  if (failed(verifyIds(op, ids)))
    return failure();
  if (rows.getDimSize(1) != table.getDimSize(1))
    return op->emitOpError("rows of width ")
           << rows.getDimSize(1) << " do not match the table's width "
           << table.getDimSize(1);
  return success();
}

LogicalResult EmbeddingOp::verify() {
  return verifyEmbedding(*this, ranked(getTable()), ranked(getIds()),
                         ranked(getResult()));
}

LogicalResult EmbeddingGradOp::verify() {
  return verifyEmbedding(*this, ranked(getResult()), ranked(getIds()),
                         ranked(getGrad()));
}

LogicalResult EmbeddingOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(EmbeddingGradOp::create(
      b, getLoc(), ranked(getTable()), getIds(), resultGrads[0]));
  operandGrads.push_back(Value()); // token ids
  return success();
}

//===----------------------------------------------------------------------===//
// wl.attention
//===----------------------------------------------------------------------===//

/// The attribute and shape rules of wl.attention and its VJP: `rows` (q, k,
/// v, out and their adjoints) all of one type [B·T, D], `stats` [B·T, H].
static LogicalResult verifyAttention(Operation *op, TypeRange rows,
                                     RankedTensorType stats, int64_t length,
                                     int64_t heads, double scale, bool rope,
                                     double ropeBase) {
  if (failed(verifyLength(op, length)))
    return failure();
  if (heads < 1)
    return op->emitOpError("heads must be >= 1, got ") << heads;
  if (!std::isfinite(scale))
    return op->emitOpError("scale must be finite, got ") << scale;
  if (!(ropeBase > 0) || !std::isfinite(ropeBase))
    return op->emitOpError("rope_base must be positive and finite, got ")
           << ropeBase;
  Type type = rows.front();
  for (Type t : rows.drop_front())
    if (t != type)
      return op->emitOpError("needs q, k, v and out of one type, got ")
             << type << " and " << t;
  auto rowType = cast<RankedTensorType>(type);
  if (failed(verifyRows(op, "q, k and v", rowType)))
    return failure();
  int64_t width = rowType.getDimSize(1);
  if (width % heads != 0)
    return op->emitOpError("heads (")
           << heads << ") do not divide the width " << width;
  if (rope && (width / heads) % 2 != 0)
    return op->emitOpError("rope needs an even head width, got ")
           << width / heads;
  if (stats.getDimSize(1) != heads)
    return op->emitOpError("needs stats of type tensor<?x")
           << heads << "xf32>, got " << stats;
  return success();
}

LogicalResult AttentionOp::verify() {
  SmallVector<Type> rows = {getQ().getType(), getK().getType(),
                            getV().getType(), getOut().getType()};
  return verifyAttention(*this, rows, ranked(getStats()), getLength(),
                         getHeads(), getScaleAttr().getValueAsDouble(),
                         getRope(), getRopeBaseAttr().getValueAsDouble());
}

LogicalResult AttentionGradOp::verify() {
  SmallVector<Type> rows = {getQ().getType(),    getK().getType(),
                            getV().getType(),    getOut().getType(),
                            getDout().getType(), getDq().getType(),
                            getDk().getType(),   getDv().getType()};
  return verifyAttention(*this, rows, ranked(getStats()), getLength(),
                         getHeads(), getScaleAttr().getValueAsDouble(),
                         getRope(), getRopeBaseAttr().getValueAsDouble());
}

LogicalResult AttentionOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  // The row statistics only serve the backward; their adjoint is ignored.
  Value dout = resultGrads[0];
  if (!dout) {
    operandGrads.append(3, Value());
    return success();
  }
  Type t = getQ().getType();
  auto grad = AttentionGradOp::create(
      b, getLoc(), TypeRange{t, t, t}, getQ(), getK(), getV(), getOut(),
      getStats(), dout, getLengthAttr(), getHeadsAttr(), getCausalAttr(),
      getScaleAttr(), getRopeAttr(), getRopeBaseAttr());
  llvm::append_range(operandGrads, grad.getResults());
  return success();
}

//===----------------------------------------------------------------------===//
// wl.mean_pool
//===----------------------------------------------------------------------===//

/// [B·T, D] positions and [B, D] examples of one width D.
static LogicalResult verifyPool(Operation *op, int64_t length,
                                RankedTensorType positions,
                                RankedTensorType examples) {
  if (failed(verifyLength(op, length)))
    return failure();
  if (positions.getDimSize(1) != examples.getDimSize(1))
    return op->emitOpError("needs one width for positions and examples, got ")
           << positions << " and " << examples;
  return success();
}

LogicalResult MeanPoolOp::verify() {
  return verifyPool(*this, getLength(), ranked(getInput()),
                    ranked(getResult()));
}

LogicalResult MeanPoolGradOp::verify() {
  return verifyPool(*this, getLength(), ranked(getResult()), ranked(getGrad()));
}

LogicalResult MeanPoolOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                   SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(MeanPoolGradOp::create(
      b, getLoc(), ranked(getInput()), resultGrads[0], getLengthAttr()));
  return success();
}
