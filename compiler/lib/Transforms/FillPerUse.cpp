//===- FillPerUse.cpp - one fill, of its own tensor.empty, per reader -----===//
//
// See Passes.td: every reader of a fill of a tensor.empty gets its own fill
// of its own tensor.empty, created right before it, so bufferization
// allocates each separately instead of copying.
//
//===----------------------------------------------------------------------===//
#include "wl/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace wl {
#define GEN_PASS_DEF_WLFILLPERUSE
#include "wl/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;

namespace {

struct WLFillPerUsePass : public wl::impl::WLFillPerUseBase<WLFillPerUsePass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation()->walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() &&
          fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
        fills.push_back(fill);
    });
    OpBuilder b(&getContext());
    for (linalg::FillOp fill : fills) {
      auto empty = fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
      SmallVector<OpOperand *> uses = llvm::map_to_vector(
          fill->getUses(), [](OpOperand &use) { return &use; });
      // The fill's operands dominate the fill, which dominates each reader.
      for (OpOperand *use : uses) {
        b.setInsertionPoint(use->getOwner());
        IRMapping own;
        own.map(empty.getResult(), b.clone(*empty)->getResult(0));
        use->set(b.clone(*fill, own)->getResult(0));
      }
      fill->erase();
      if (empty->use_empty())
        empty->erase();
    }
  }
};

} // namespace
