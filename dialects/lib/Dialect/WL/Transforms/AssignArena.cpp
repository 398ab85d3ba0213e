//===- AssignArena.cpp - the model's memory layout -----------------------===//
#include "wl/Dialect/WL/Transforms/Passes.h"

namespace wl {
#define GEN_PASS_DEF_WLASSIGNARENA
#include "wl/Dialect/WL/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

namespace {
/// Offsets are multiples of 16 floats (64 bytes): every tensor starts on a
/// cache line and a 512-bit vector boundary.
constexpr int64_t kAlignment = 16;

struct WLAssignArenaPass : public wl::impl::WLAssignArenaBase<WLAssignArenaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    int64_t next = 0;
    auto allocate = [&](ParamOp param) {
      int64_t at = next;
      next += llvm::alignTo(param.getTensorType().getNumElements(), kAlignment);
      return at;
    };
    SmallVector<ParamOp> params(module.getOps<ParamOp>());
    for (ParamOp p : params)
      p.setOffsetAttr(b.getI64IntegerAttr(allocate(p)));
    for (ParamOp p : params)
      p.setGradOffsetAttr(b.getI64IntegerAttr(p.getTrainable() ? allocate(p) : -1));
    for (ParamOp p : params) {
      if (!p.getState())
        continue;
      SmallVector<int64_t> offsets;
      for (size_t i = 0, e = p.getState()->size(); i < e; ++i)
        offsets.push_back(allocate(p));
      p.setStateOffsetsAttr(b.getI64ArrayAttr(offsets));
    }
    module->setAttr("wl.arena_size", b.getI64IntegerAttr(next));
  }
};
} // namespace
