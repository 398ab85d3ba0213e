//===- LowerStridedCopies.cpp - keep generated code free of memrefCopy ----===//
#include "wl/Conversion/Passes.h"

#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace wl {
#define GEN_PASS_DEF_WLLOWERSTRIDEDCOPIES
#include "wl/Conversion/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {
struct WLLowerStridedCopiesPass
    : public wl::impl::WLLowerStridedCopiesBase<WLLowerStridedCopiesPass> {
  using WLLowerStridedCopiesBase::WLLowerStridedCopiesBase;

  void runOnOperation() override {
    getOperation().walk([&](memref::CopyOp copy) {
      auto contiguous = [](Value v) {
        return memref::isStaticShapeAndContiguousRowMajor(
            cast<MemRefType>(v.getType()));
      };
      if (!all && contiguous(copy.getSource()) && contiguous(copy.getTarget()))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};
} // namespace
