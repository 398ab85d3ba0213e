//===- StructureOps.cpp - structured weights: verifiers and VJP rules -----===//
#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;

static LogicalResult squareStatic(Operation *op, RankedTensorType t) {
  if (!t.hasStaticShape() || t.getDimSize(0) != t.getDimSize(1))
    return op->emitOpError("needs a static square generator, got ") << t;
  return success();
}

LogicalResult CayleyOp::verify() {
  return squareStatic(*this, getGenerator().getType());
}

/// The forward's y = x Qᵀ behind `product`, Q's gradient, when that is one
/// linear layer's dyᵀx (wl.linear's weight VJP, nothing else added) and y is
/// already computed where the VJP goes: the wl.linear, or null.
static LinearOp linearBehind(CayleyOp cayley, MatmulOp product, OpBuilder &b) {
  if (!product || !product.getTransposeLhs() || product.getTransposeRhs() ||
      !product.getResult().use_empty())
    return nullptr;
  Block *block = b.getInsertionBlock();
  for (Operation *user : cayley.getResult().getUsers()) {
    auto linear = dyn_cast<LinearOp>(user);
    if (linear && linear.getWeight() == cayley.getResult() &&
        linear.getInput() == product.getRhs() && linear->getBlock() == block &&
        (b.getInsertionPoint() == block->end() ||
         linear->isBeforeInBlock(&*b.getInsertionPoint())))
      return linear;
  }
  return nullptr;
}

LogicalResult CayleyOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                 SmallVectorImpl<Value> &operandGrads) {
  Value grad = resultGrads[0];
  auto product = grad.getDefiningOp<MatmulOp>();
  if (LinearOp linear = linearBehind(*this, product, b)) {
    operandGrads.push_back(CayleyLinearGradOp::create(
        b, getLoc(), getGenerator().getType(), getGenerator(), getResult(),
        product.getLhs(), product.getRhs(), linear.getResult()));
    return success();
  }
  operandGrads.push_back(
      CayleyGradOp::create(b, getLoc(), getGenerator().getType(),
                           getGenerator(), getResult(), grad));
  return success();
}

LogicalResult CayleyLinearGradOp::verify() {
  auto q = cast<RankedTensorType>(getQ().getType());
  auto dy = cast<RankedTensorType>(getDy().getType());
  if (failed(squareStatic(*this, q)))
    return failure();
  if (!dy.isDynamicDim(1) && dy.getDimSize(1) == q.getDimSize(0))
    return success();
  return emitOpError("needs dy, x and xq of shape [B, ")
         << q.getDimSize(0) << "], got " << dy;
}

LogicalResult ExpSkewOp::verify() {
  return squareStatic(*this, getGenerator().getType());
}

LogicalResult ExpSkewOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(ExpSkewGradOp::create(
      b, getLoc(), getGenerator().getType(), getGenerator(), resultGrads[0]));
  return success();
}

/// `small` fits in the top-left corner of `large` (both static).
static LogicalResult cornerOf(Operation *op, RankedTensorType small,
                              RankedTensorType large) {
  if (!small.hasStaticShape() || !large.hasStaticShape())
    return op->emitOpError("needs static shapes");
  if (small.getDimSize(0) > large.getDimSize(0) ||
      small.getDimSize(1) > large.getDimSize(1))
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
  auto x = getInput().getType(), v = getReflectors().getType(),
       y = getResult().getType();
  if (!v.hasStaticShape() || x.isDynamicDim(1) || y.isDynamicDim(1))
    return emitOpError("needs static widths and reflectors");
  int64_t n = v.getDimSize(1);
  if (n != std::max(x.getDimSize(1), y.getDimSize(1)))
    return emitOpError("reflectors have length ")
           << n << ", expected max(IN, OUT) = "
           << std::max(x.getDimSize(1), y.getDimSize(1));
  if (v.getDimSize(0) < 1)
    return emitOpError("needs at least one reflector");
  if (x.getDimSize(0) != y.getDimSize(0))
    return emitOpError("result batch dimension must equal the input's");
  return success();
}

LogicalResult HouseholderOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                      SmallVectorImpl<Value> &operandGrads) {
  auto grad = HouseholderGradOp::create(b, getLoc(), getInput().getType(),
                                        getReflectors().getType(), getInput(),
                                        getReflectors(), resultGrads[0]);
  operandGrads.assign({grad.getInputGrad(), grad.getReflectorsGrad()});
  return success();
}

LogicalResult ScaleColumnsOp::verify() {
  auto x = getInput().getType();
  if (x.getDimSize(1) != getScale().getType().getDimSize(0) ||
      x != getResult().getType())
    return emitOpError(
        "scale must have the input's width and the result its type");
  return success();
}

LogicalResult ScaleColumnsOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                       SmallVectorImpl<Value> &operandGrads) {
  // y = x·d (per column): dx = dy·d, dd[j] = Σ_b x[b, j]·dy[b, j].
  Value dy = resultGrads[0];
  Value dx =
      ScaleColumnsOp::create(b, getLoc(), getInput().getType(), dy, getScale());
  Value dd =
      ColumnDotOp::create(b, getLoc(), getScale().getType(), getInput(), dy);
  operandGrads.assign({dx, dd});
  return success();
}

LogicalResult SstProductOp::verify() {
  auto x = getInput().getType(), u = getU().getType(), v = getV().getType(),
       y = getResult().getType();
  int64_t m = getS().getType().getDimSize(0);
  if (u.getDimSize(1) != m || v.getDimSize(1) != m ||
      x.getDimSize(1) != v.getDimSize(0) || y.getDimSize(1) != u.getDimSize(0) ||
      y.getDimSize(0) != x.getDimSize(0))
    return emitOpError("needs x [B, IN], U [OUT, m], s [m], V [IN, m] and a "
                       "[B, OUT] result");
  return success();
}

LogicalResult SstProductOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                     SmallVectorImpl<Value> &operandGrads) {
  // a = x V and c = dy U [B, m]: dx = (c·s) Vᵀ, ds = Σ_b a·c, and SST's
  // dU = dyᵀ a, dV = xᵀ c (no s factor).
  Location loc = getLoc();
  Value x = getInput(), u = getU(), s = getS(), v = getV(), dy = resultGrads[0];
  auto xType = getInput().getType();
  int64_t batch = xType.getDimSize(0), m = getS().getType().getDimSize(0);
  auto bm = RankedTensorType::get({batch, m}, xType.getElementType());
  Value a = MatmulOp::create(b, loc, bm, x, v, false, false);
  Value c = MatmulOp::create(b, loc, bm, dy, u, false, false);
  Value dx = MatmulOp::create(
      b, loc, xType, ScaleColumnsOp::create(b, loc, bm, c, s), v, false, true);
  Value du = MatmulOp::create(b, loc, u.getType(), dy, a, true, false);
  Value ds = ColumnDotOp::create(b, loc, s.getType(), a, c);
  Value dv = MatmulOp::create(b, loc, v.getType(), x, c, true, false);
  operandGrads.assign({dx, du, ds, dv});
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
    return emitOpError("result must be the input's transpose, got ")
           << x << " -> " << y;
  return success();
}

LogicalResult TransposeOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      TransposeOp::create(b, getLoc(), getInput().getType(), resultGrads[0]));
  return success();
}

//===----------------------------------------------------------------------===//
// wl.contract and wl.reshape
//===----------------------------------------------------------------------===//

LogicalResult ContractOp::verify() {
  SmallVector<AffineMap> maps = getIndexingMapsArray();
  if (maps.size() != getInputs().size() + 1)
    return emitOpError("needs one indexing map per operand and one for the "
                       "result, got ")
           << maps.size() << " for " << getInputs().size() << " operands";
  if (getInputs().empty())
    return emitOpError("needs at least one operand");
  unsigned loops = maps[0].getNumDims();
  // Each loop's extent, from the first static size that names it.
  SmallVector<int64_t> extent(loops, ShapedType::kDynamic);
  SmallVector<Type> types(getInputs().getTypes());
  types.push_back(getResult().getType());
  SmallVector<bool> seen(loops, false);
  for (auto [i, map] : llvm::enumerate(maps)) {
    auto type = cast<RankedTensorType>(types[i]);
    if (map.getNumDims() != loops || map.getNumSymbols() != 0 ||
        !map.isProjectedPermutation())
      return emitOpError("indexing map #")
             << i << " must be a projected permutation of the " << loops
             << " loops, got " << AffineMapAttr::get(map);
    if (map.getNumResults() != static_cast<unsigned>(type.getRank()))
      return emitOpError("indexing map #")
             << i << " has " << map.getNumResults() << " results for a rank-"
             << type.getRank() << " tensor";
    for (auto [d, expr] : llvm::enumerate(map.getResults())) {
      unsigned loop = cast<AffineDimExpr>(expr).getPosition();
      seen[loop] = true;
      int64_t size = type.getDimSize(d);
      if (ShapedType::isDynamic(size))
        continue;
      if (!ShapedType::isDynamic(extent[loop]) && extent[loop] != size)
        return emitOpError("loop d")
               << loop << " has extent " << extent[loop]
               << " in one operand and " << size << " in another";
      extent[loop] = size;
    }
  }
  for (unsigned l = 0; l < loops; ++l)
    if (!seen[l])
      return emitOpError("loop d") << l << " is indexed by no operand";
  return success();
}

LogicalResult ContractOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                   SmallVectorImpl<Value> &operandGrads) {
  SmallVector<AffineMap> maps = getIndexingMapsArray();
  AffineMap outMap = maps.back();
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    // d input_i[m_i] = Σ_{loops not in m_i} dOut[m_out] · Π_{j ≠ i}
    // input_j[m_j].
    SmallVector<Value> operands{resultGrads[0]};
    SmallVector<AffineMap> gradMaps{outMap};
    for (auto [j, other] : llvm::enumerate(getInputs()))
      if (j != i) {
        operands.push_back(other);
        gradMaps.push_back(maps[j]);
      }
    gradMaps.push_back(maps[i]);
    operandGrads.push_back(
        ContractOp::create(b, getLoc(), input.getType(), operands,
                           b.getAffineMapArrayAttr(gradMaps)));
  }
  return success();
}

/// Groups consecutive dims of `large` whose sizes multiply to each dim of
/// `small`. A dynamic dim of `small` (the batch) takes the dynamic dim of
/// `large` and the first `absorb` static dims after it (batch · positions);
/// trailing unit dims join the last group. Empty when that does not regroup.
static SmallVector<ReassociationIndices>
regroup(ArrayRef<int64_t> small, ArrayRef<int64_t> large, size_t absorb) {
  SmallVector<ReassociationIndices> groups;
  size_t next = 0;
  bool absorbed = false;
  for (int64_t target : small) {
    ReassociationIndices group;
    if (ShapedType::isDynamic(target)) {
      if (next >= large.size() || !ShapedType::isDynamic(large[next]) ||
          absorbed)
        return {};
      group.push_back(next++);
      for (size_t k = 0; k < absorb; ++k) {
        if (next >= large.size() || ShapedType::isDynamic(large[next]))
          return {};
        group.push_back(next++);
      }
      absorbed = true;
    } else {
      int64_t product = 1;
      while (next < large.size() && !ShapedType::isDynamic(large[next]) &&
             (group.empty() || product < target)) {
        product *= large[next];
        group.push_back(next++);
      }
      if (product != target)
        return {};
    }
    groups.push_back(group);
  }
  while (next < large.size() && large[next] == 1 && !groups.empty())
    groups.back().push_back(next++);
  if (next != large.size())
    return {};
  return groups;
}

SmallVector<ReassociationIndices> ReshapeOp::getReassociation() {
  // The fewest static dims merged into the batch that regroup the shapes:
  // [B, n1·n2] <-> [B, n1, n2] merges none, [B·T, d] <-> [B, T, d] one.
  ArrayRef<int64_t> in = getInput().getType().getShape(),
                    out = getResult().getType().getShape();
  bool expanding = out.size() >= in.size();
  ArrayRef<int64_t> small = expanding ? in : out, large = expanding ? out : in;
  for (size_t absorb = 0; absorb < large.size(); ++absorb)
    if (SmallVector<ReassociationIndices> groups =
            regroup(small, large, absorb);
        !groups.empty())
      return groups;
  return {};
}

LogicalResult ReshapeOp::verify() {
  if (getInput().getType().getRank() == getResult().getType().getRank())
    return emitOpError("must change the rank (split or merge dimensions)");
  if (getReassociation().empty())
    return emitOpError("cannot regroup ")
           << getInput().getType() << " into " << getResult().getType();
  return success();
}

LogicalResult ReshapeOp::buildVJP(OpBuilder &b, ValueRange resultGrads,
                                  SmallVectorImpl<Value> &operandGrads) {
  operandGrads.push_back(
      ReshapeOp::create(b, getLoc(), getInput().getType(), resultGrads[0]));
  return success();
}
