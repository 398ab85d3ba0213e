//===- SparseSpectral.cpp - sst layers for the step and @project ----------===//
#include "SparseSpectral.h"

using namespace mlir;

namespace wl {

SmallVector<SstLayer> sstLayers(ModuleOp module) {
  SmallVector<SstLayer> layers;
  for (LayerOp layer : module.getOps<LayerOp>()) {
    auto sst = layer->getAttrOfType<DictionaryAttr>("wl.sst");
    if (!sst)
      continue;
    layers.push_back({sst.getAs<FlatSymbolRefAttr>("u"),
                      sst.getAs<FlatSymbolRefAttr>("s"),
                      sst.getAs<FlatSymbolRefAttr>("v"),
                      sst.getAs<FlatSymbolRefAttr>("sampled"),
                      sst.getAs<IntegerAttr>("rank").getInt(),
                      sst.getAs<IntegerAttr>("every").getInt()});
  }
  return layers;
}

void emitSstRounds(OpBuilder &b, Location loc, ModuleOp module, Value step) {
  for (auto [stream, l] : llvm::enumerate(sstLayers(module)))
    SstRoundOp::create(b, loc, l.u, l.s, l.v, l.sampled, step,
                       b.getI64IntegerAttr(l.rank), b.getI64IntegerAttr(l.every),
                       b.getI64IntegerAttr(static_cast<int64_t>(stream)));
}

} // namespace wl
