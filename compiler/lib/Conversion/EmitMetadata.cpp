//===- EmitMetadata.cpp - the model description the runtime reads --------===//
//
// Serialises the model (sizes, arena layout, inits, layers, and the forward
// graph's Lipschitz composition) as the JSON of runtime/include/wl/wlgen.h
// into the constant global `wlgen_metadata`.
//
//===----------------------------------------------------------------------===//
#include "wl/Conversion/Passes.h"
#include "wl/Dialect/WL/IR/WL.h"

#include "llvm/ADT/StringSet.h"

#include "llvm/Support/JSON.h"

namespace wl {
#define GEN_PASS_DEF_WLEMITMETADATA
#include "wl/Conversion/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;
namespace json = llvm::json;

namespace {

json::Value attrToJson(Attribute a);

json::Object dictToJson(DictionaryAttr dict);

json::Value attrToJson(Attribute a) {
  if (auto d = dyn_cast<DictionaryAttr>(a))
    return dictToJson(d);
  if (auto array = dyn_cast<ArrayAttr>(a)) {
    json::Array out;
    for (Attribute e : array)
      out.push_back(attrToJson(e));
    return out;
  }
  if (auto f = dyn_cast<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto i = dyn_cast<IntegerAttr>(a))
    return i.getInt();
  if (auto s = dyn_cast<StringAttr>(a))
    return s.getValue().str();
  if (auto b = dyn_cast<BoolAttr>(a))
    return b.getValue();
  return nullptr;
}

json::Object dictToJson(DictionaryAttr dict) {
  json::Object o;
  for (NamedAttribute a : dict)
    o[a.getName().getValue()] = attrToJson(a.getValue());
  return o;
}

/// How wl_create fills a tensor: {"kind": "normal", "std": 0.05}.
json::Object initToJson(InitAttr init) {
  json::Object o{{"kind", stringifyInitKind(init.getKind()).str()}};
  if (init.getStd())
    o["std"] = double(*init.getStd());
  if (init.getA())
    o["a"] = double(*init.getA());
  if (init.getFile())
    o["file"] = init.getFile().getValue().str();
  if (init.getTensor())
    o["tensor"] = init.getTensor().getValue().str();
  if (init.getTransposed())
    o["transposed"] = true;
  return o;
}

struct WLEmitMetadataPass
    : public wl::impl::WLEmitMetadataBase<WLEmitMetadataPass> {
  using WLEmitMetadataBase::WLEmitMetadataBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto model = module->getAttrOfType<DictionaryAttr>("wl.model");
    auto arenaSize = module->getAttrOfType<IntegerAttr>("wl.arena_size");
    auto certificate = module->getAttrOfType<ArrayAttr>("wl.certificate");
    if (!model || !arenaSize || !certificate) {
      module.emitError("wl-emit-metadata needs the wl.model, wl.arena_size and "
                       "wl.certificate "
                       "attributes (run wl-assign-arena and wl-certify first)");
      return signalPassFailure();
    }
    json::Object doc = dictToJson(model);
    doc["abi"] = 1;
    doc["arena_size"] = arenaSize.getInt();
    // The runtime keeps a cuda library's memory on the GPU (managed memory).
    if (target == Target::CUDA)
      doc["target"] = "cuda";

    // Frozen tensors that the step rewrites (sst's mask of sampled columns):
    // the runtime's step guard restores them with the trainable ones.
    llvm::StringSet<> stepWritten;
    module.walk([&](SstRoundOp round) {
      if (round.getStep())
        stepWritten.insert(round.getSampled());
    });

    json::Array params;
    for (ParamOp p : module.getOps<ParamOp>()) {
      json::Array shape;
      for (int64_t d : p.getTensorType().getShape())
        shape.push_back(d);
      json::Array state;
      if (p.getState()) {
        ArrayAttr names = *p.getState(),
                  offsets = *p.getStateOffsets(); // outlive the loop
        for (auto [name, offset] : llvm::zip(names, offsets)) {
          StringRef stateName = cast<StringAttr>(name).getValue();
          json::Object entry{{"name", stateName.str()},
                             {"offset", cast<IntegerAttr>(offset).getInt()}};
          RankedTensorType stateType = p.getStateType(stateName);
          if (stateType != p.getTensorType()) {
            json::Array stateShape;
            for (int64_t d : stateType.getShape())
              stateShape.push_back(d);
            entry["shape"] = std::move(stateShape);
          }
          state.push_back(std::move(entry));
        }
      }
      params.push_back(json::Object{
          {"name", p.getSymName().str()},
          {"shape", std::move(shape)},
          {"offset", p.getOffsetAttr() ? p.getOffsetAttr().getInt() : -1},
          {"trainable", p.getTrainable()},
          {"init", initToJson(p.getInit())},
          {"grad_offset",
           p.getGradOffsetAttr() ? p.getGradOffsetAttr().getInt() : -1},
          {"state", std::move(state)}});
      if (!p.getTrainable() && stepWritten.contains(p.getSymName()))
        params.back().getAsObject()->insert({"step_written", true});
    }
    doc["params"] = std::move(params);

    json::Array layers;
    for (LayerOp l : module.getOps<LayerOp>()) {
      json::Object layer{
          {"name", l.getSymName().str()},
          {"in", l.getInFeatures()},
          {"out", l.getOutFeatures()},
          {"structure", l.getStructureName()},
          {"bound", stringifyBoundRule(l.getBound()).str()},
          {"weight", l.getWeight().str()},
          {"bias", l.getBias() ? l.getBias()->str() : std::string()}};
      if (l.getEmbedding())
        layer["kind"] = "embedding";
      if (auto factors = l.getFactors()) {
        json::Array names;
        for (Attribute f : *factors)
          names.push_back(cast<FlatSymbolRefAttr>(f).getValue().str());
        layer["factors"] = std::move(names);
      }
      layers.push_back(std::move(layer));
    }
    doc["layers"] = std::move(layers);

    doc["lipschitz"] = attrToJson(certificate);

    std::string text;
    llvm::raw_string_ostream os(text);
    os << json::Value(std::move(doc));
    text.push_back('\0');
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToStart(module.getBody());
    auto type = LLVM::LLVMArrayType::get(b.getI8Type(), text.size());
    LLVM::GlobalOp::create(b, module.getLoc(), type, /*isConstant=*/true,
                           LLVM::Linkage::External, "wlgen_metadata",
                           b.getStringAttr(text));
  }
};

} // namespace
