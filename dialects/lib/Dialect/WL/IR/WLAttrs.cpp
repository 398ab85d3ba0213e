//===- WLAttrs.cpp - enums and attributes of the wl dialect ---------------===//
//
// The verifiers of the initialiser and constraint attributes: what each
// accepts is checked once, here, wherever the attribute is built or parsed.
//
//===----------------------------------------------------------------------===//
#include "wl/Dialect/WL/IR/WL.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace wl;

#include "wl/Dialect/WL/IR/WLAttrInterfaces.cpp.inc"
#include "wl/Dialect/WL/IR/WLEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "wl/Dialect/WL/IR/WLAttrs.cpp.inc"

void WLDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "wl/Dialect/WL/IR/WLAttrs.cpp.inc"
      >();
}

LogicalResult
OrthonormalPenaltyAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               F64 gamma, bool transposed) {
  if (!std::isfinite(gamma) || gamma < 0)
    return emitError() << "orthonormal_penalty needs a finite gamma >= 0, got "
                       << double(gamma);
  return success();
}

LogicalResult InitAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               InitKind kind, std::optional<F64> stdAttr,
                               std::optional<F64> aAttr, StringAttr file,
                               StringAttr tensor, bool transposed) {
  if (transposed && kind != InitKind::From)
    return emitError() << "only a 'from' init is stored transposed";
  bool hasStd = stdAttr.has_value(), hasA = aAttr.has_value(),
       hasFile = file || tensor;
  double std = stdAttr.value_or(0), a = aAttr.value_or(0);
  switch (kind) {
  case InitKind::Normal:
    // std = 0 is allowed (all zeros, like PyTorch's normal_(std=0)).
    if (!hasStd || !std::isfinite(std) || std < 0 || hasA || hasFile)
      return emitError() << "normal init needs a finite, non-negative 'std' "
                            "(and nothing else)";
    return success();
  case InitKind::Uniform:
    if (!hasA || !std::isfinite(a) || a <= 0 || hasStd || hasFile)
      return emitError()
             << "uniform init needs a finite, positive 'a' (and nothing else)";
    return success();
  case InitKind::From:
    if (!file || file.getValue().empty() || !tensor ||
        tensor.getValue().empty() || hasStd || hasA)
      return emitError() << "from init needs a non-empty 'file' and 'tensor' "
                            "(and nothing else)";
    return success();
  case InitKind::Zeros:
  case InitKind::Ones:
  case InitKind::Orthogonal:
    if (hasStd || hasA || hasFile)
      return emitError() << stringifyInitKind(kind)
                         << " init takes no arguments";
    return success();
  }
  llvm_unreachable("unknown init kind");
}

/// c of a bound: a positive, finite number.
static LogicalResult positiveBound(function_ref<InFlightDiagnostic()> emitError,
                                   StringRef kind, double c) {
  if (!(c > 0) || !std::isfinite(c))
    return emitError() << kind << " needs a positive, finite 'c', got " << c;
  return success();
}

LogicalResult
SpectralBoundAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          F64 c, SpectralMethod method, bool strict,
                          FlatSymbolRefAttr partner, bool transposed,
                          FlatSymbolRefAttr left, bool fixed,
                          LocationAttr loc, ConstraintOrigin origin,
                          StructureKindAttr structure) {
  bool needsPartner = method == SpectralMethod::ProductClip ||
                      method == SpectralMethod::RowBlockScale;
  if (needsPartner != bool(partner))
    return emitError() << "spectral_bound: methods product_clip and "
                          "row_block_scale and a partner go together";
  if (transposed && !partner)
    return emitError() << "spectral_bound: 'transposed' needs a partner";
  if (left && !partner)
    return emitError() << "spectral_bound: a 'left' factor needs a partner";
  if (fixed && !left)
    return emitError() << "spectral_bound: 'fixed' needs a 'left' factor";
  if (method == SpectralMethod::Clamp && !structure)
    return emitError() << "spectral_bound with method clamp needs the "
                          "structure whose scale it "
                          "clamps (svd or diagonal)";
  return positiveBound(emitError, "spectral_bound", c);
}

LogicalResult
NormBoundAttr::verify(function_ref<InFlightDiagnostic()> emitError, F64 c,
                      NormKind norm, LocationAttr loc, ConstraintOrigin origin,
                      StructureKindAttr structure) {
  return positiveBound(emitError, "norm_bound", c);
}

LogicalResult
RankAtMostAttr::verify(function_ref<InFlightDiagnostic()> emitError, int64_t r,
                       LocationAttr loc, ConstraintOrigin origin,
                       StructureKindAttr structure) {
  if (r < 1)
    return emitError() << "rank_at_most needs an integer 'r' >= 1, got " << r;
  return success();
}

LogicalResult
OrthonormalAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        LocationAttr loc, ConstraintOrigin origin,
                        StructureKindAttr structure) {
  if (origin == ConstraintOrigin::Retraction && !structure)
    return emitError() << "a retraction names the structure whose factor it "
                          "keeps orthonormal";
  return success();
}
