//===- Certify.cpp - the Lipschitz certificate's composition -------------===//
//
// The runtime evaluates the certificate for the current weights: each layer's
// sound σ_max bound, multiplied and added along the graph recorded here.
//
//===----------------------------------------------------------------------===//
#include "wl/Dialect/WL/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"

namespace wl {
#define GEN_PASS_DEF_WLCERTIFY
#include "wl/Dialect/WL/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

namespace {

struct WLCertifyPass : public wl::impl::WLCertifyBase<WLCertifyPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = SymbolTable(module).lookup<func::FuncOp>("forward");
    if (!forward || forward.isExternal()) {
      module.emitError("wl-certify: no @forward function with a body");
      return signalPassFailure();
    }
    Builder b(&getContext());
    llvm::StringMap<StringRef> layerOfWeight;
    for (LayerOp layer : module.getOps<LayerOp>())
      layerOfWeight[layer.getWeight()] = layer.getSymName();

    SmallVector<Attribute> nodes;
    DenseMap<Value, int64_t> index;
    auto node = [&](Value v, ArrayRef<NamedAttribute> attrs) {
      index[v] = nodes.size();
      nodes.push_back(b.getDictionaryAttr(attrs));
    };
    auto ref = [&](Value v) { return b.getI64IntegerAttr(index.lookup(v)); };
    node(forward.getArgument(0),
         {b.getNamedAttr("op", b.getStringAttr("input"))});
    // Ops MLIRGen tagged as one application of a layer form one node: its
    // argument is the one operand that comes from outside the application.
    DenseMap<int64_t, int64_t> applicationNode;
    DenseMap<int64_t, Value> applicationInput;
    DenseMap<Value, int64_t> applicationOf;
    for (Operation &op : forward.getBody().front()) {
      if (isa<ParamRefOp, func::ReturnOp>(op))
        continue;
      auto application = op.getAttrOfType<IntegerAttr>("wl.application");
      auto layerName = op.getAttrOfType<StringAttr>("wl.layer");
      if (application && layerName) {
        int64_t id = application.getInt();
        for (Value operand : op.getOperands()) {
          auto it = applicationOf.find(operand);
          if ((it != applicationOf.end() && it->second == id) ||
              !index.count(operand))
            continue; // inside this application, or a parameter
          if (applicationNode.count(id)) {
            if (applicationInput[id] == operand)
              continue; // another term of a sum reads the same input
            op.emitOpError("layer application with two inputs; cannot certify");
            return signalPassFailure();
          }
          applicationInput[id] = operand;
          applicationNode[id] = nodes.size();
          nodes.push_back(b.getDictionaryAttr(
              {b.getNamedAttr("op", b.getStringAttr("layer")),
               b.getNamedAttr("layer", layerName),
               b.getNamedAttr("arg", ref(operand))}));
        }
        for (Value r : op.getResults()) {
          applicationOf[r] = id;
          if (applicationNode.count(id))
            index[r] = applicationNode[id];
        }
        continue;
      }
      if (auto linear = dyn_cast<LinearOp>(op)) {
        auto weight = linear.getWeight().getDefiningOp<ParamRefOp>();
        if (!weight || !layerOfWeight.count(weight.getParam())) {
          op.emitOpError("weight is not a declared layer's; cannot certify");
          return signalPassFailure();
        }
        node(linear,
             {b.getNamedAttr("op", b.getStringAttr("layer")),
              b.getNamedAttr("layer",
                             b.getStringAttr(layerOfWeight[weight.getParam()])),
              b.getNamedAttr("arg", ref(linear.getInput()))});
      } else if (auto bias = dyn_cast<BiasAddOp>(op)) {
        index[bias] = index.lookup(
            bias.getInput()); // a translation: Lipschitz constant 1
      } else if (auto lip = dyn_cast<LipschitzOpInterface>(op)) {
        node(op.getResult(0),
             {b.getNamedAttr("op", b.getStringAttr("scale")),
              b.getNamedAttr("factor",
                             b.getF64FloatAttr(lip.getLipschitzConstant())),
              b.getNamedAttr("arg", ref(op.getOperand(0)))});
      } else if (auto sum = dyn_cast<AddOp>(op)) {
        node(sum,
             {b.getNamedAttr("op", b.getStringAttr("add")),
              b.getNamedAttr("args", b.getArrayAttr({ref(sum.getLhs()),
                                                     ref(sum.getRhs())}))});
      } else {
        op.emitOpError("has no Lipschitz rule for the certificate");
        return signalPassFailure();
      }
    }
    // The output is the last node: re-point with an identity scale if needed.
    auto ret = cast<func::ReturnOp>(forward.getBody().front().getTerminator());
    int64_t out = index.lookup(ret.getOperand(0));
    if (out != static_cast<int64_t>(nodes.size()) - 1)
      nodes.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("op", b.getStringAttr("scale")),
           b.getNamedAttr("factor", b.getF64FloatAttr(1.0)),
           b.getNamedAttr("arg", b.getI64IntegerAttr(out))}));
    module->setAttr("wl.certificate", b.getArrayAttr(nodes));
  }
};

} // namespace
