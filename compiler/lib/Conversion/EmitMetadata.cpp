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

/// Estimated flops of one op of a tensor's step. Only wl.distributed reads it,
/// to balance a sharded step across ranks: matrix iterations count their
/// products on the short side s of an s × l matrix (2·s·s·l flops each), a
/// dense SVD about ten of them, anything else one pass over its results.
double estimatedFlops(Operation *op, SymbolTable &symbols) {
  auto shortLong = [](Type t) {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(t).getShape();
    int64_t m = shape[shape.size() - 2], n = shape.back();
    int64_t stack = shape.size() == 3 ? shape[0] : 1;
    return std::tuple<double, double, double>(std::min(m, n), std::max(m, n),
                                              stack);
  };
  auto products = [&](Type t, double count) {
    auto [s, l, stack] = shortLong(t);
    return stack * count * 2 * s * s * l;
  };
  if (auto muon = dyn_cast<MuonUpdateOp>(op)) {
    // Per Newton–Schulz step: X Xᵀ, A², then B·X (A² is s × s).
    auto [s, l, stack] = shortLong(muon.getParam().getType());
    return stack * double(muon.getNsSteps()) * (4 * s * s * l + 2 * s * s * s);
  }
  if (auto polar = dyn_cast<PolarIterationOp>(op))
    return products(polar.getWeight().getType(), 2.0 * polar.getSteps());
  if (auto soft = dyn_cast<SpectralSoftCapOp>(op))
    return products(soft.getWeight().getType(), 4);
  if (auto hard = dyn_cast<SpectralHardCapOp>(op))
    return products(hard.getWeight().getType(), 4 * 3);
  if (auto power = dyn_cast<PowerIterationOp>(op)) {
    auto [s, l, stack] = shortLong(power.getWeight().getType());
    return stack * 4 * s * l * double(power.getIterations());
  }
  if (auto project = dyn_cast<ProjectParamOp>(op))
    return products(symbols.lookup<ParamOp>(project.getParam()).getType(), 10);
  double flops = 0;
  for (Type t : op->getResultTypes())
    if (auto tensor = dyn_cast<RankedTensorType>(t))
      flops += double(tensor.getNumElements());
  return flops;
}

/// The functions @step_<k> of wl-generate-step in order, each with the
/// parameter it updates (`wl.updates`; a function without it is an error).
FailureOr<SmallVector<std::pair<func::FuncOp, FlatSymbolRefAttr>>>
stepFunctions(ModuleOp module) {
  SymbolTable symbols(module);
  SmallVector<std::pair<func::FuncOp, FlatSymbolRefAttr>> out;
  for (int64_t k = 0;; ++k) {
    auto fn = symbols.lookup<func::FuncOp>(("step_" + Twine(k)).str());
    if (!fn)
      return out;
    auto updates = fn->getAttrOfType<FlatSymbolRefAttr>("wl.updates");
    if (!updates)
      return fn.emitError("a step function without `wl.updates`"), failure();
    out.push_back({fn, updates});
  }
}

/// "step_tensors": the functions @step_<k> of wl-generate-step in order, each
/// with the parameter it updates and its estimated flops. A sharded step
/// broadcasts what the k-th function wrote from the rank that ran it, so each
/// must write its own parameter and state only: anything else is an error.
FailureOr<json::Array>
stepTensorsToJson(ModuleOp module,
                  ArrayRef<std::pair<func::FuncOp, FlatSymbolRefAttr>> pieces) {
  SymbolTable symbols(module);
  json::Array out;
  for (auto [fn, updates] : pieces) {
    double flops = 0;
    WalkResult walk = fn.walk([&](Operation *op) {
      if (op == fn)
        return WalkResult::advance();
      flops += estimatedFlops(op, symbols);
      FlatSymbolRefAttr written;
      if (auto store = dyn_cast<ParamStoreOp>(op))
        written = store.getParamAttr();
      else if (auto store = dyn_cast<StateStoreOp>(op))
        written = store.getParamAttr();
      else if (auto project = dyn_cast<ProjectParamOp>(op))
        written = project.getParamAttr();
      else if (!isa<func::CallOp>(op) && !isMemoryEffectFree(op) &&
               !op->hasTrait<OpTrait::IsTerminator>() &&
               !isa<ParamRefOp, GradRefOp, StateRefOp>(op))
        written = FlatSymbolRefAttr::get(op->getContext(), "?");
      if (written && written != updates) {
        op->emitError("the step of ")
            << updates << " writes " << written
            << ": a sharded step needs each tensor's step to write only its "
               "own parameter and state";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();
    out.push_back(json::Object{{"param", updates.getValue().str()},
                               {"flops", flops}});
  }
  return out;
}

/// "step_tensors_independent": no @step_<k> reads a parameter or state that
/// another one writes (stepTensorsToJson checks that each writes only its
/// own), so the runtime may run them in any order, side by side. Gradients
/// are never written by a step.
bool stepTensorsIndependent(
    ArrayRef<std::pair<func::FuncOp, FlatSymbolRefAttr>> pieces) {
  llvm::StringSet<> written;
  for (auto [fn, updates] : pieces)
    written.insert(updates.getValue());
  for (auto [fn, own] : pieces) {
    WalkResult walk = fn.walk([&](Operation *op) {
      if (op == fn || isa<GradRefOp>(op))
        return WalkResult::advance();
      for (NamedAttribute attr : op->getAttrs()) {
        auto ref = dyn_cast<FlatSymbolRefAttr>(attr.getValue());
        if (ref && ref != own && written.contains(ref.getValue()))
          return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return false;
  }
  return true;
}

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

    auto pieces = stepFunctions(module);
    if (failed(pieces))
      return signalPassFailure();
    FailureOr<json::Array> stepTensors = stepTensorsToJson(module, *pieces);
    if (failed(stepTensors))
      return signalPassFailure();
    doc["step_tensors"] = std::move(*stepTensors);
    doc["step_tensors_independent"] = stepTensorsIndependent(*pieces);

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
