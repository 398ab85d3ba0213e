//===- GenerateStep.cpp - the fused optimizer step -----------------------===//
//
// One function per trainable tensor, @step_<k> with k its place in the step
// (groups in order, each group's targets in order): the group's scheduled lr,
// then the tensor is read (parameter, gradient, state), updated by the group's
// update op and written back. @step_finish holds the work that needs every
// tensor updated first. Three entry points call them:
//   @step(t)           every @step_<k> in order, then @step_finish(t);
//   @step_tensor(t, k) @step_<k> alone, so that the ranks of a sharded step
//                      each compute a share of the tensors (wl.distributed);
//   @step_finish(t)    after the shares are exchanged.
// Each update op lowers to a single elementwise pass over the tensor and its
// state (Muon: its Newton–Schulz products first).
//
//===----------------------------------------------------------------------===//
#include "SparseSpectral.h"
#include "wl/Dialect/WL/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/StringMap.h"

#include <numeric>

namespace wl {
#define GEN_PASS_DEF_WLGENERATESTEP
#include "wl/Dialect/WL/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

namespace {

/// Names of the optimizer state tensors each optimizer keeps (PyTorch's names).
SmallVector<StringRef> stateNames(OptimizerGroupOp group) {
  StringRef optimizer = group.getOptimizer();
  if (optimizer == "sgd")
    return group.getHyper().getAs<FloatAttr>("momentum").getValueAsDouble() != 0
               ? SmallVector<StringRef>{"momentum_buffer"}
               : SmallVector<StringRef>{};
  if (optimizer == "adamw" || optimizer == "adamp")
    return {"exp_avg", "exp_avg_sq"};
  if (optimizer == "muon")
    return {"momentum_buffer"};
  if (optimizer == "lion")
    return {"exp_avg"};
  return {};
}

/// Emits the update of one tensor of `group` at the builder's position: read
/// the parameter, its gradient and state, update, write them back.
void emitUpdate(OpBuilder &b, Location loc, OptimizerGroupOp group,
                ParamOp param, Value lr, Value step, int64_t penalised,
                FlatSymbolRefAttr sampled) {
  auto sym = FlatSymbolRefAttr::get(param.getSymNameAttr());
  Type type = param.getType();
  DictionaryAttr hyper = group.getHyper();
  auto f64 = [&](StringRef name) { return hyper.getAs<FloatAttr>(name); };
  auto flag = [&](StringRef name) { return hyper.getAs<BoolAttr>(name); };
  Value w = ParamRefOp::create(b, loc, type, sym);
  Value g = GradRefOp::create(b, loc, type, sym);
  // SORSA's orthonormal regulariser (ALGORITHMS.md): g += ∇(γ/lr_peak · R),
  // R the mean of ‖M‖_F over the module's `penalised` factors.
  if (OrthonormalPenaltyAttr penalty = param.getOrthonormalPenaltyAttr()) {
    double gamma = penalty.strength();
    double lrPeak = hyper.getAs<FloatAttr>("lr").getValueAsDouble();
    if (gamma > 0 && lrPeak > 0 && penalised > 0) {
      double weight = gamma / (lrPeak * double(penalised));
      Value grad = OrthonormalPenaltyGradOp::create(
          b, loc, type, w, b.getF64FloatAttr(weight),
          b.getBoolAttr(penalty.getTransposed()));
      g = AddOp::create(b, loc, g, grad);
    }
  }
  // SST's U and V: only the round's sampled columns train.
  if (sampled) {
    auto maskType = RankedTensorType::get(
        {cast<RankedTensorType>(type).getDimSize(1)}, b.getF32Type());
    Value mask = ParamRefOp::create(b, loc, maskType, sampled);
    g = ScaleColumnsOp::create(b, loc, type, g, mask);
  }
  SmallVector<StringRef> states = stateNames(group);
  SmallVector<Value> s;
  for (StringRef state : states)
    s.push_back(StateRefOp::create(b, loc, type, sym, b.getStringAttr(state)));

  StringRef optimizer = group.getOptimizer();
  Operation *update;
  if (optimizer == "sgd") {
    update =
        SgdUpdateOp::create(b, loc, type, s.empty() ? Type() : type, w, g,
                            s.empty() ? Value() : s[0], lr, f64("momentum"),
                            flag("nesterov"), f64("weight_decay"));
  } else if (optimizer == "adamw") {
    update = AdamWUpdateOp::create(b, loc, type, type, type, w, g, s[0], s[1],
                                   lr, step, f64("beta1"), f64("beta2"),
                                   f64("eps"), f64("weight_decay"));
  } else if (optimizer == "muon") {
    auto muon = [&](Type t, Value w, Value g, Value m) {
      return MuonUpdateOp::create(
          b, loc, t, t, w, g, m, lr, f64("momentum"), flag("nesterov"),
          hyper.getAs<IntegerAttr>("ns_steps"), f64("weight_decay"));
    };
    auto tensorType = cast<RankedTensorType>(type);
    if (tensorType.getRank() == 2) {
      update = muon(type, w, g, s[0]);
    } else {
      // A stack of k matrices (kronecker, monarch and blockdiag factors,
      // [k, m, n]): each matrix is orthogonalised on its own (LANGUAGE.md).
      int64_t k = tensorType.getDimSize(0), m = tensorType.getDimSize(1),
              n = tensorType.getDimSize(2);
      auto matrix = RankedTensorType::get({m, n}, tensorType.getElementType());
      SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(m),
                                         b.getIndexAttr(n)};
      SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
      Value newW = w, newM = s[0];
      for (int64_t i = 0; i < k; ++i) {
        SmallVector<OpFoldResult> offsets = {
            b.getIndexAttr(i), b.getIndexAttr(0), b.getIndexAttr(0)};
        auto slice = [&](Value v) {
          return tensor::ExtractSliceOp::create(b, loc, matrix, v, offsets,
                                                sizes, strides);
        };
        // Named, so the slices come in this order whatever the compiler's
        // argument evaluation order.
        Value wi = slice(w), gi = slice(g), mi = slice(s[0]);
        MuonUpdateOp one = muon(matrix, wi, gi, mi);
        newW = tensor::InsertSliceOp::create(b, loc, one.getResult(0), newW,
                                             offsets, sizes, strides);
        newM = tensor::InsertSliceOp::create(b, loc, one.getResult(1), newM,
                                             offsets, sizes, strides);
      }
      ParamStoreOp::create(b, loc, sym, newW);
      StateStoreOp::create(b, loc, sym, b.getStringAttr(states[0]), newM);
      return;
    }
  } else if (optimizer == "lion") {
    update =
        LionUpdateOp::create(b, loc, type, type, w, g, s[0], lr, f64("beta1"),
                             f64("beta2"), f64("weight_decay"));
  } else {
    update = AdamPUpdateOp::create(b, loc, type, type, type, w, g, s[0], s[1],
                                   lr, step, f64("beta1"), f64("beta2"),
                                   f64("eps"), f64("weight_decay"),
                                   f64("delta"), f64("wd_ratio"));
  }
  ParamStoreOp::create(b, loc, sym, update->getResult(0));
  for (auto [index, state] : llvm::enumerate(states))
    StateStoreOp::create(b, loc, sym, b.getStringAttr(state),
                         update->getResult(index + 1));
}

struct WLGenerateStepPass
    : public wl::impl::WLGenerateStepBase<WLGenerateStepPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
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
          group.emitOpError("'")
              << name << "' is already updated by another group";
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

    // n of SORSA's regulariser: every factor carrying it (γ = 0 included).
    int64_t penalised = llvm::count_if(module.getOps<ParamOp>(), [](ParamOp p) {
      return bool(p.getOrthonormalPenaltyAttr());
    });

    // SST's U and V, each with its layer's mask of sampled columns.
    llvm::StringMap<FlatSymbolRefAttr> sampledOf;
    for (const SstLayer &l : sstLayers(module)) {
      sampledOf[l.u.getValue()] = l.sampled;
      sampledOf[l.v.getValue()] = l.sampled;
    }

    // The step's functions; none may exist already.
    auto declare = [&](Location l, StringRef name, TypeRange args) {
      if (symbols.lookup(name)) {
        module.emitError("wl-generate-step: @") << name << " already exists";
        return func::FuncOp();
      }
      return func::FuncOp::create(b, l, name, b.getFunctionType(args, {}));
    };

    SmallVector<func::FuncOp> tensorFns;
    for (OptimizerGroupOp group : groups) {
      Location gloc = group.getLoc();
      for (Attribute target : group.getTargets()) {
        ParamOp param =
            symbols.lookup<ParamOp>(cast<FlatSymbolRefAttr>(target).getValue());
        int64_t rank = param.getTensorType().getRank();
        if (group.getOptimizer() == "muon" && rank != 2 && rank != 3) {
          param.emitOpError("muon updates matrices and stacks of them only, "
                            "got rank ")
              << rank;
          return signalPassFailure();
        }
        func::FuncOp fn =
            declare(gloc, ("step_" + Twine(tensorFns.size())).str(), {i64});
        if (!fn)
          return signalPassFailure();
        fn.setPrivate();
        fn->setAttr("wl.updates", FlatSymbolRefAttr::get(param.getSymNameAttr()));
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(fn.addEntryBlock());
        Value t = fn.getArgument(0);
        Value factor = ScheduleFactorOp::create(b, gloc, b.getF32Type(), t,
                                                kind, warmup, total);
        Value baseLr = arith::ConstantOp::create(
            b, gloc,
            b.getF32FloatAttr(static_cast<float>(
                group.getHyper().getAs<FloatAttr>("lr").getValueAsDouble())));
        Value lr = arith::MulFOp::create(b, gloc, factor, baseLr);
        for (StringRef state : stateNames(group))
          param.addState(state);
        emitUpdate(b, gloc, group, param, lr, t, penalised,
                   sampledOf.lookup(param.getSymName()));
        func::ReturnOp::create(b, gloc);
        tensorFns.push_back(fn);
      }
    }

    // @step_finish(t): after every update, SST's clamp, normalisation and
    // round (wl-generate-constraints adds the product clips).
    func::FuncOp finish = declare(loc, "step_finish", {i64});
    if (!finish)
      return signalPassFailure();
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(finish.addEntryBlock());
      emitSstRounds(b, loc, module, finish.getArgument(0));
      func::ReturnOp::create(b, loc);
    }

    // @step_tensor(t, k): the update of tensor k alone; any other k does
    // nothing (the runtime checks k).
    func::FuncOp one = declare(loc, "step_tensor", {i64, i64});
    if (!one)
      return signalPassFailure();
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(one.addEntryBlock());
      Value k = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                           one.getArgument(1));
      SmallVector<int64_t> cases(tensorFns.size());
      std::iota(cases.begin(), cases.end(), 0);
      auto pick = scf::IndexSwitchOp::create(b, loc, TypeRange{}, k, cases,
                                             cases.size());
      auto yieldIn = [&](Region &region) {
        b.setInsertionPointToStart(&region.emplaceBlock());
        return scf::YieldOp::create(b, loc);
      };
      yieldIn(pick.getDefaultRegion());
      for (auto [region, fn] : llvm::zip(pick.getCaseRegions(), tensorFns)) {
        scf::YieldOp yield = yieldIn(region);
        b.setInsertionPoint(yield);
        func::CallOp::create(b, loc, fn, ValueRange{one.getArgument(0)});
      }
      b.setInsertionPointAfter(pick);
      func::ReturnOp::create(b, loc);
    }

    func::FuncOp step = declare(loc, "step", {i64});
    if (!step)
      return signalPassFailure();
    b.setInsertionPointToStart(step.addEntryBlock());
    for (func::FuncOp fn : tensorFns)
      func::CallOp::create(b, loc, fn, ValueRange{step.getArgument(0)});
    func::CallOp::create(b, loc, finish, ValueRange{step.getArgument(0)});
    func::ReturnOp::create(b, loc);
  }
};

} // namespace
