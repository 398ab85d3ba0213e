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

struct WLAssignArenaPass
    : public wl::impl::WLAssignArenaBase<WLAssignArenaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    int64_t next = 0;
    auto allocate = [&](RankedTensorType type) {
      int64_t at = next;
      next += llvm::alignTo(type.getNumElements(), kAlignment);
      return at;
    };
    SmallVector<ParamOp> params(module.getOps<ParamOp>());
    for (ParamOp p : params)
      p.setOffsetAttr(b.getI64IntegerAttr(allocate(p.getTensorType())));
    for (ParamOp p : params)
      p.setGradOffsetAttr(b.getI64IntegerAttr(
          p.getTrainable() ? allocate(p.getTensorType()) : -1));
    for (ParamOp p : params) {
      if (!p.getState())
        continue;
      SmallVector<int64_t> offsets;
      ArrayAttr names = *p.getState(); // outlives the loop
      for (Attribute name : names)
        offsets.push_back(
            allocate(p.getStateType(cast<StringAttr>(name).getValue())));
      p.setStateOffsetsAttr(b.getI64ArrayAttr(offsets));
    }
    module->setAttr("wl.arena_size", b.getI64IntegerAttr(next));
  }
};
} // namespace
