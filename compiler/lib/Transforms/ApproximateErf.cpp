//===- ApproximateErf.cpp - erf as vectorisable arithmetic ----------------===//
//
// See Passes.td: the upstream rational approximation of math.erf, so that a
// gelu loop has no libm call left and LLVM vectorises it.
//
//===----------------------------------------------------------------------===//
#include "wl/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace wl {
#define GEN_PASS_DEF_WLAPPROXIMATEERF
#include "wl/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {

struct WLApproximateErfPass
    : public wl::impl::WLApproximateErfBase<WLApproximateErfPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populatePolynomialApproximateErfPattern(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
