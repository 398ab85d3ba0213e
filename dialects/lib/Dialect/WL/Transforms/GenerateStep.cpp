//===- GenerateStep.cpp - the fused optimizer step -----------------------===//
//
// One function per optimizer group: the scheduled lr is computed once, then
// every tensor of the group is read (parameter, gradient, state), updated by
// the group's update op and written back. Each update op lowers to a single
// elementwise pass over the tensor and its state.
//
//===----------------------------------------------------------------------===//
#include "wl/Dialect/WL/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"

namespace wl {
#define GEN_PASS_DEF_WLGENERATESTEP
#include "wl/Dialect/WL/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

namespace {

/// Names of the optimizer state tensors each optimizer keeps (PyTorch's names).
SmallVector<StringRef> stateNames(OptimizerGroupOp group) {
  if (group.getOptimizer() == "sgd")
    return group.getHyper().getAs<FloatAttr>("momentum").getValueAsDouble() != 0
               ? SmallVector<StringRef>{"momentum_buffer"}
               : SmallVector<StringRef>{};
  if (group.getOptimizer() == "adamw")
    return {"exp_avg", "exp_avg_sq"};
  return {};
}

double hyper(OptimizerGroupOp group, StringRef name) {
  return group.getHyper().getAs<FloatAttr>(name).getValueAsDouble();
}

/// Emits the update of one tensor of `group` at the builder's position.
void emitUpdate(OpBuilder &b, Location loc, OptimizerGroupOp group, ParamOp param, Value lr,
                Value step) {
  auto sym = FlatSymbolRefAttr::get(param.getSymNameAttr());
  Type type = param.getType();
  Value w = ParamRefOp::create(b, loc, type, sym);
  Value g = GradRefOp::create(b, loc, type, sym);
  auto stateRef = [&](StringRef state) -> Value {
    return StateRefOp::create(b, loc, type, sym, b.getStringAttr(state));
  };
  auto f64 = [&](double v) { return b.getF64FloatAttr(v); };
  if (group.getOptimizer() == "sgd") {
    double momentum = hyper(group, "momentum");
    Value buffer = momentum != 0 ? stateRef("momentum_buffer") : Value();
    Type bufferType = momentum != 0 ? type : Type();
    auto update = SgdUpdateOp::create(
        b, loc, type, bufferType, w, g, buffer, lr, f64(momentum),
        b.getBoolAttr(group.getHyper().getAs<BoolAttr>("nesterov").getValue()),
        f64(hyper(group, "weight_decay")));
    ParamStoreOp::create(b, loc, sym, update.getNewParam());
    if (buffer)
      StateStoreOp::create(b, loc, sym, b.getStringAttr("momentum_buffer"), update.getNewMomentumBuffer());
    return;
  }
  // adamw
  Value expAvg = stateRef("exp_avg");
  Value expAvgSq = stateRef("exp_avg_sq");
  auto update = AdamWUpdateOp::create(
      b, loc, type, type, type, w, g, expAvg, expAvgSq, lr, step,
      f64(hyper(group, "beta1")), f64(hyper(group, "beta2")), f64(hyper(group, "eps")),
      f64(hyper(group, "weight_decay")));
  ParamStoreOp::create(b, loc, sym, update.getNewParam());
  StateStoreOp::create(b, loc, sym, b.getStringAttr("exp_avg"), update.getNewExpAvg());
  StateStoreOp::create(b, loc, sym, b.getStringAttr("exp_avg_sq"), update.getNewExpAvgSq());
}

struct WLGenerateStepPass : public wl::impl::WLGenerateStepBase<WLGenerateStepPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    if (symbols.lookup("step")) {
      module.emitError("wl-generate-step: @step already exists");
      return signalPassFailure();
    }
    SmallVector<OptimizerGroupOp> groups(module.getOps<OptimizerGroupOp>());
    SmallVector<ScheduleOp> schedules(module.getOps<ScheduleOp>());
    if (schedules.size() > 1) {
      schedules[1].emitOpError("a model has at most one schedule");
      return signalPassFailure();
    }

    // Every trainable tensor belongs to exactly one group.
    llvm::StringMap<OptimizerGroupOp> owner;
    for (OptimizerGroupOp group : groups)
      for (Attribute t : group.getTargets()) {
        StringRef name = cast<FlatSymbolRefAttr>(t).getValue();
        auto [it, inserted] = owner.try_emplace(name, group);
        if (!inserted) {
          group.emitOpError("'") << name << "' is already updated by another group";
          return signalPassFailure();
        }
      }
    for (ParamOp param : module.getOps<ParamOp>())
      if (param.getTrainable() && !owner.count(param.getSymName())) {
        param.emitOpError("is trainable but in no optimizer group");
        return signalPassFailure();
      }

    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    Location loc = module.getLoc();
    Type i64 = b.getI64Type();
    StringRef kind = schedules.empty() ? "constant" : schedules[0].getKind();
    int64_t warmup = schedules.empty() ? 0 : schedules[0].getWarmup();
    int64_t total = schedules.empty() ? 0 : schedules[0].getTotal();

    SmallVector<func::FuncOp> groupFns;
    for (auto [index, group] : llvm::enumerate(groups)) {
      Location gloc = group.getLoc();
      std::string name = ("step_" + Twine(index)).str();
      if (symbols.lookup(name)) {
        module.emitError("wl-generate-step: @") << name << " already exists";
        return signalPassFailure();
      }
      auto fn = func::FuncOp::create(b, gloc, name, b.getFunctionType({i64}, {}));
      fn.setPrivate();
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(fn.addEntryBlock());
      Value t = fn.getArgument(0);
      Value factor = ScheduleFactorOp::create(b, gloc, b.getF32Type(), t, kind, warmup, total);
      Value baseLr = arith::ConstantOp::create(
          b, gloc, b.getF32FloatAttr(static_cast<float>(hyper(group, "lr"))));
      Value lr = arith::MulFOp::create(b, gloc, factor, baseLr);
      for (Attribute target : group.getTargets()) {
        ParamOp param = symbols.lookup<ParamOp>(cast<FlatSymbolRefAttr>(target).getValue());
        SmallVector<StringRef> states = stateNames(group);
        if (!states.empty())
          param.setStateAttr(b.getStrArrayAttr(states));
        emitUpdate(b, gloc, group, param, lr, t);
      }
      func::ReturnOp::create(b, gloc);
      groupFns.push_back(fn);
    }

    auto step = func::FuncOp::create(b, loc, "step", b.getFunctionType({i64}, {}));
    b.setInsertionPointToStart(step.addEntryBlock());
    for (func::FuncOp fn : groupFns)
      func::CallOp::create(b, loc, fn, ValueRange{step.getArgument(0)});
    func::ReturnOp::create(b, loc);
  }
};

} // namespace
