//===- ConstraintOps.cpp - constraint projections: verifiers -------------===//
#include "wl/Dialect/WL/IR/WL.h"

using namespace mlir;
using namespace wl;

static LogicalResult positiveBound(Operation *op, double c) {
  if (!(c > 0))
    return op->emitOpError("bound must be > 0, got ") << c;
  return success();
}

static LogicalResult staticMatrix(Operation *op, RankedTensorType t) {
  if (!t.hasStaticShape())
    return op->emitOpError("needs a statically shaped matrix, got ") << t;
  return success();
}

LogicalResult PowerIterationOp::verify() {
  if (failed(staticMatrix(*this, getWeight().getType())))
    return failure();
  if (getIterations() < 1)
    return emitOpError("'iterations' must be >= 1, got ") << getIterations();
  if (getU().getType().getDimSize(0) != getWeight().getType().getDimSize(0) ||
      getNewU().getType() != getU().getType())
    return emitOpError("u must be a vector of the weight's OUT size");
  return success();
}

LogicalResult SpectralRescaleOp::verify() {
  return positiveBound(*this, getBoundAttr().getValueAsDouble());
}

LogicalResult SpectralHammerOp::verify() {
  if (failed(staticMatrix(*this, getWeight().getType())))
    return failure();
  if (getU().getType().getDimSize(0) != getWeight().getType().getDimSize(0))
    return emitOpError("u must be a vector of the weight's OUT size");
  return positiveBound(*this, getBoundAttr().getValueAsDouble());
}

LogicalResult SpectralHardCapOp::verify() {
  if (failed(staticMatrix(*this, getWeight().getType())))
    return failure();
  return positiveBound(*this, getBoundAttr().getValueAsDouble());
}

LogicalResult SpectralSoftCapOp::verify() {
  return staticMatrix(*this, getWeight().getType());
}

LogicalResult SoftCapStrengthOp::verify() {
  if (failed(positiveBound(*this, getBoundAttr().getValueAsDouble())))
    return failure();
  if (!(getUpdateBoundAttr().getValueAsDouble() >= 0))
    return emitOpError("update_bound must be >= 0, got ")
           << getUpdateBoundAttr().getValueAsDouble();
  if (!(getWeightDecayAttr().getValueAsDouble() >= 0))
    return emitOpError("weight_decay must be >= 0, got ")
           << getWeightDecayAttr().getValueAsDouble();
  return success();
}

double SoftCapStrengthOp::strength(double bound, double k) {
  if (!(k > bound))
    return 0.0; // the step cannot leave the constraint set
  // h(t) = (1 − t) + t(1 − t)³ falls strictly from 1 to 0 on [0, 1]; keep
  // h(hi) ≤ c/k so that f(k) ≤ c at the returned α.
  double ratio = bound / k, lo = 0.0, hi = 1.0;
  for (int i = 0; i < kBisectionSteps; ++i) {
    double mid = 0.5 * (lo + hi), rest = 1.0 - mid;
    double h = rest + mid * rest * rest * rest;
    (h <= ratio ? hi : lo) = mid;
  }
  return hi / (k * k);
}

OpFoldResult SoftCapStrengthOp::fold(FoldAdaptor adaptor) {
  auto lr = dyn_cast_if_present<FloatAttr>(adaptor.getLr());
  if (!lr)
    return {};
  double c = getBoundAttr().getValueAsDouble();
  double k = reach(c, static_cast<float>(lr.getValueAsDouble()),
                   getWeightDecayAttr().getValueAsDouble(),
                   getUpdateBoundAttr().getValueAsDouble());
  return FloatAttr::get(Float32Type::get(getContext()),
                        static_cast<float>(strength(c, k)));
}

LogicalResult NormBoundOp::verify() {
  if (failed(staticMatrix(*this, getWeight().getType())))
    return failure();
  return positiveBound(*this, getBoundAttr().getValueAsDouble());
}

LogicalResult PolarIterationOp::verify() {
  if (failed(staticMatrix(*this, getWeight().getType())))
    return failure();
  if (getSteps() < 1)
    return emitOpError("'steps' must be >= 1, got ") << getSteps();
  return success();
}

LogicalResult ProjectParamOp::verify() {
  double v = getValueAttr().getValueAsDouble();
  bool needsPartner = getKind() == ProjectionKind::ProductClip ||
                      getKind() == ProjectionKind::RowBlockScale;
  if (needsPartner != bool(getPartnerAttr()))
    return emitOpError("a 'partner' goes with product_clip and "
                       "row_block_scale and only with them");
  if (getKind() == ProjectionKind::RowBlockScale &&
      (getTransposed() || getLeftAttr()))
    return emitOpError("row_block_scale takes no 'transposed' or 'left'");
  if (getTransposed() && !getPartnerAttr())
    return emitOpError("'transposed' needs a 'partner'");
  if (getLeftAttr() && !getPartnerAttr())
    return emitOpError("a 'left' factor needs a 'partner'");
  if (getFixed() && !getLeftAttr())
    return emitOpError("'fixed' needs a 'left' factor");
  switch (getKind()) {
  case ProjectionKind::SvdClip:
  case ProjectionKind::Strict:
  case ProjectionKind::ProductClip:
  case ProjectionKind::RowBlockScale:
    return positiveBound(*this, v);
  case ProjectionKind::RankAtMost:
    if (!(v >= 1) || v >= 9.2e18 ||
        v != static_cast<double>(static_cast<int64_t>(v)))
      return emitOpError("rank must be a positive integer, got ") << v;
    return success();
  }
  llvm_unreachable("unknown projection kind");
}

LogicalResult ProjectParamOp::verifySymbolUses(SymbolTableCollection &symbols) {
  auto param =
      symbols.lookupNearestSymbolFrom<ParamOp>(*this, getParamAttr().getAttr());
  if (!param)
    return emitOpError("'") << getParam() << "' does not name a wl.param";
  int64_t rank = param.getTensorType().getRank();
  if (getLeftAttr())
    return verifyDiagProduct(symbols, param);
  if (rank != 2 && rank != 3)
    return emitOpError("'")
           << getParam() << "' is neither a matrix nor a stack of them";
  if (!getPartnerAttr())
    return success();
  if (getKind() == ProjectionKind::RowBlockScale)
    return verifyRowBlocks(symbols, param);
  // U [m, r] and V [n, r] (Vᵀ [r, n] when transposed): the same rank r.
  auto partner =
      symbols.lookupNearestSymbolFrom<ParamOp>(*this, getPartnerAttr());
  if (!partner)
    return emitOpError("partner '")
           << getPartnerAttr().getValue() << "' does not name a wl.param";
  auto u = param.getTensorType(), v = partner.getTensorType();
  if (rank != 2 || v.getRank() != 2 ||
      u.getDimSize(1) != v.getDimSize(getTransposed() ? 0 : 1))
    return emitOpError("product_clip needs U [m, r] and a partner ")
           << (getTransposed() ? "V^T [r, n]" : "V [n, r]") << ", got " << u
           << " and " << v;
  return success();
}

LogicalResult AbsClampOp::verify() {
  return positiveBound(*this, getBoundAttr().getValueAsDouble());
}

LogicalResult ProjectParamOp::verifyDiagProduct(SymbolTableCollection &symbols,
                                                ParamOp d) {
  // U [m, r], d [r], V [n, r] (Vᵀ [r, n] when transposed).
  auto u = symbols.lookupNearestSymbolFrom<ParamOp>(*this, getLeftAttr());
  auto v = symbols.lookupNearestSymbolFrom<ParamOp>(*this, getPartnerAttr());
  if (!u || !v)
    return emitOpError("'")
           << (u ? getPartnerAttr() : getLeftAttr()).getValue()
           << "' does not name a wl.param";
  auto dt = d.getTensorType(), ut = u.getTensorType(), vt = v.getTensorType();
  if (dt.getRank() != 1 || ut.getRank() != 2 || vt.getRank() != 2 ||
      ut.getDimSize(1) != dt.getDimSize(0) ||
      vt.getDimSize(getTransposed() ? 0 : 1) != dt.getDimSize(0))
    return emitOpError("product_clip of U diag(d) Vᵀ needs U [m, r], d [r] "
                       "and a partner ")
           << (getTransposed() ? "V^T [r, n]" : "V [n, r]") << ", got " << ut
           << ", " << dt << " and " << vt;
  return success();
}

LogicalResult ProjectParamOp::verifyRowBlocks(SymbolTableCollection &symbols,
                                              ParamOp blocks) {
  // B [ni, r, r] and the base [ni·r, nj·r].
  auto base = symbols.lookupNearestSymbolFrom<ParamOp>(*this, getPartnerAttr());
  if (!base)
    return emitOpError("partner '")
           << getPartnerAttr().getValue() << "' does not name a wl.param";
  auto bt = blocks.getTensorType(), wt = base.getTensorType();
  if (bt.getRank() != 3 || wt.getRank() != 2 ||
      bt.getDimSize(1) != bt.getDimSize(2) ||
      wt.getDimSize(0) != bt.getDimSize(0) * bt.getDimSize(1) ||
      wt.getDimSize(1) % bt.getDimSize(1) != 0)
    return emitOpError("row_block_scale needs B [ni, r, r] and a base "
                       "[ni·r, nj·r], got ")
           << bt << " and " << wt;
  return success();
}
