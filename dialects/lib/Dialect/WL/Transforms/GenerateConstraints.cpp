//===- GenerateConstraints.cpp - constraints after every step ------------===//
//
// Each constrained parameter's update is followed by its projections, in the
// order written: MLIR-generated ones transform the value before it is stored,
// runtime ones (svd_clip, rank_at_most) and the `strict` rescale act on the
// stored parameter right after. @project() applies the exact creation-time
// projection once; wl_create calls it.
//
//===----------------------------------------------------------------------===//
#include "wl/Dialect/WL/Transforms/Passes.h"

#include "ConstraintMethods.h"
#include "SparseSpectral.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>

namespace wl {
#define GEN_PASS_DEF_WLGENERATECONSTRAINTS
#include "wl/Dialect/WL/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

namespace {

/// The constraints of `param`, in order.
SmallVector<Constraint> constraintsOf(ParamOp param) {
  SmallVector<Constraint> out;
  if (auto list = param.getConstraints())
    for (Attribute a : *list)
      out.push_back({cast<ConstraintAttrInterface>(a)});
  return out;
}

/// Orders the projections of one parameter's constraints around its store;
/// what each projection is comes from its entry (ConstraintMethods.h).
class ConstraintBuilder {
public:
  ConstraintBuilder(OpBuilder &b, ParamOp param, OptimizerGroupOp group,
                    bool creation)
      : projector{b, param, group, creation} {
    // At creation every spectral method projects exactly (after the store);
    // the power-iteration vector is started on the final weight.
    if (creation)
      for (const Constraint &c : constraintsOf(param))
        if (!c.byStructure())
          if (std::optional<ProjectionKind> kind =
                  methodOf(c.attr).creationProjection()) {
            creationClip =
                creationClip ? std::min(*creationClip, c.bound()) : c.bound();
            creationRescaleOnly &= *kind == ProjectionKind::Strict;
          }
  }

  /// The generated projections of `value` (the new parameter), in the order
  /// written, before it is stored. Returns the value to store.
  FailureOr<Value> beforeStore(Value value) {
    if (!isStacked())
      return projectMatrix(value);
    if (!generatesBeforeStore())
      return value;
    return eachMatrix(value,
                      [&](Value matrix) { return projectMatrix(matrix); });
  }

  /// The power-iteration vector(s) started converged on the stored weight.
  void startPowerVector(Location loc) {
    Value w = ParamRefOp::create(projector.b, loc, projector.param.getType(),
                                 projector.sym());
    if (!isStacked()) {
      projector.powerIteration(loc, w, kCreationPowerIterations);
      return;
    }
    (void)eachMatrix(w, [&](Value matrix) -> FailureOr<Value> {
      projector.powerIteration(loc, matrix, kCreationPowerIterations);
      return matrix;
    });
  }

private:
  bool isStacked() { return projector.param.getTensorType().getRank() == 3; }

  /// Whether any projection of this parameter is generated code before the
  /// store (rather than a runtime routine after it).
  bool generatesBeforeStore() {
    for (const Constraint &c : constraintsOf(projector.param)) {
      const ConstraintMethod &method = methodOf(c.attr);
      if (c.byStructure() || method.atRuntime() ||
          (projector.creation && method.creationProjection()))
        continue;
      return true;
    }
    return false;
  }

  /// `project` applied to each matrix of a stack [g, m, n], in one scf.for
  /// that carries the stack and, where there is one, `power_u` [g, m] (read
  /// before the loop and stored after it: the arena accesses stay outside).
  FailureOr<Value> eachMatrix(Value stack,
                              function_ref<FailureOr<Value>(Value)> project) {
    OpBuilder &b = projector.b;
    ParamOp param = projector.param;
    Location loc = param.getLoc();
    auto type = cast<RankedTensorType>(stack.getType());
    int64_t g = type.getDimSize(0), m = type.getDimSize(1),
            n = type.getDimSize(2);
    SmallVector<Value> carried{stack};
    bool power = param.hasState("power_u");
    if (power)
      carried.push_back(
          StateRefOp::create(b, loc, param.getStateType("power_u"),
                             projector.sym(), b.getStringAttr("power_u")));
    Value lb = arith::ConstantIndexOp::create(b, loc, 0);
    Value ub = arith::ConstantIndexOp::create(b, loc, g);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ForOp::create(b, loc, lb, ub, one, carried);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value index = loop.getInductionVar();
    SmallVector<OpFoldResult> offsets{index, b.getIndexAttr(0),
                                      b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), b.getIndexAttr(m),
                                    b.getIndexAttr(n)};
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    Value matrix = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({m, n}, type.getElementType()),
        loop.getRegionIterArgs()[0], offsets, sizes, strides);
    Value u = power ? loop.getRegionIterArgs()[1] : Value();
    projector.matrixIndex = index;
    projector.stackedU = power ? &u : nullptr;
    FailureOr<Value> projected = project(matrix);
    projector.matrixIndex = nullptr;
    projector.stackedU = nullptr;
    if (failed(projected))
      return failure();
    SmallVector<Value> yielded{tensor::InsertSliceOp::create(
        b, loc, *projected, loop.getRegionIterArgs()[0], offsets, sizes,
        strides)};
    if (power)
      yielded.push_back(u);
    scf::YieldOp::create(b, loc, yielded);
    b.setInsertionPointAfter(loop);
    if (power)
      StateStoreOp::create(b, loc, projector.sym(), b.getStringAttr("power_u"),
                           loop.getResult(1));
    return loop.getResult(0);
  }

  /// The generated projections of one matrix, in the order written.
  FailureOr<Value> projectMatrix(Value value) {
    bool runtimeSeen = false;
    for (const Constraint &c : constraintsOf(projector.param)) {
      if (c.byStructure())
        continue;
      const ConstraintMethod &method = methodOf(c.attr);
      if (projector.creation && method.creationProjection())
        continue; // after the store (constructor)
      if (method.atRuntime()) {
        runtimeSeen = true;
        continue;
      }
      if (runtimeSeen)
        return emitError(c.loc(projector.param.getLoc()))
               << "a '" << c.attr.getAbstractAttribute().getName().drop_front(3)
               << "' constraint after svd_clip or rank_at_most is not "
                  "supported yet";
      FailureOr<Value> projected = method.project(projector, c, value);
      if (failed(projected))
        return failure();
      value = *projected;
    }
    return value;
  }

public:
  /// The runtime projections and the strict rescale, after the store.
  void afterStore() {
    ParamOp param = projector.param;
    Location loc = param.getLoc();
    if (projector.creation) {
      // The nearest point of {rank ≤ r, σ ≤ c}: truncate, then clip.
      for (const Constraint &c : constraintsOf(param)) {
        const ConstraintMethod &method = methodOf(c.attr);
        if (!c.byStructure() && method.atRuntime() &&
            !method.creationProjection())
          method.projectStored(projector, c);
      }
      // normalize and hammer start from the sound rescale W·c/max(β, c)
      // rather than svd_clip: clipping leaves many singular values exactly at
      // c, and the power iteration of the first steps cannot tell which one
      // an update grew (σ reached 1.29c after one AdamW step).
      if (creationClip)
        projector.projectStored(loc,
                                creationRescaleOnly ? ProjectionKind::Strict
                                                    : ProjectionKind::SvdClip,
                                *creationClip);
      // The power-iteration vector starts converged on the projected weight.
      if (param.hasState("power_u") && creationClip)
        startPowerVector(loc);
    }
    std::optional<double> strict;
    for (const Constraint &c : constraintsOf(param)) {
      if (c.byStructure())
        continue;
      const ConstraintMethod &method = methodOf(c.attr);
      if (!projector.creation && method.atRuntime())
        method.projectStored(projector, c);
      if (c.strict())
        strict = strict ? std::min(*strict, c.bound()) : c.bound();
    }
    if (strict)
      projector.projectStored(loc, ProjectionKind::Strict, *strict);
  }

private:
  Projector projector;
  std::optional<double> creationClip;
  bool creationRescaleOnly = true;
};

} // namespace

std::pair<Guarantee, std::string>
wl::describeGuarantee(ParamOp param, ConstraintAttrInterface attr,
                      OptimizerGroupOp group) {
  auto guarantee = methodOf(attr).guarantee(param, Constraint{attr}, group);
  if (attr.getConstraintOrigin() == ConstraintOrigin::Factor)
    guarantee.second = throughStructure(attr) + "; " + guarantee.second;
  return guarantee;
}

namespace {

struct WLGenerateConstraintsPass
    : public wl::impl::WLGenerateConstraintsBase<WLGenerateConstraintsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    if (symbols.lookup("project")) {
      module.emitError("wl-generate-constraints: @project already exists");
      return signalPassFailure();
    }
    llvm::StringMap<OptimizerGroupOp> groupOf;
    for (OptimizerGroupOp group : module.getOps<OptimizerGroupOp>())
      for (Attribute t : group.getTargets())
        groupOf[cast<FlatSymbolRefAttr>(t).getValue()] = group;

    SmallVector<ParamOp> constrained;
    for (ParamOp p : module.getOps<ParamOp>()) {
      if (!p.getConstraints())
        continue;
      bool generates = false, onlyClamps = true;
      for (const Constraint &c : constraintsOf(p)) {
        generates |= !c.byStructure();
        onlyClamps &= c.byStructure() || methodOf(c.attr).appliesToVectors();
      }
      if (!generates)
        continue;
      int64_t rank = p.getTensorType().getRank();
      if (rank != 2 && rank != 3 && !onlyClamps) {
        p.emitOpError("constraints apply to matrices and stacks of matrices");
        return signalPassFailure();
      }
      // One vector per matrix: [m], or [g, m] for a stack [g, m, n].
      if (llvm::any_of(constraintsOf(p), [](const Constraint &c) {
            return !c.byStructure() && methodOf(c.attr).needsPowerVector();
          })) {
        SmallVector<int64_t> uShape(p.getTensorType().getShape());
        uShape.pop_back();
        p.addState("power_u", RankedTensorType::get(
                                  uShape, Float32Type::get(&getContext())));
      }
      constrained.push_back(p);
    }

    // After every update.
    SmallVector<ParamStoreOp> stores;
    module.walk([&](ParamStoreOp s) { stores.push_back(s); });
    for (ParamStoreOp store : stores) {
      ParamOp param = symbols.lookup<ParamOp>(store.getParam());
      if (!param || !llvm::is_contained(constrained, param))
        continue;
      OpBuilder b(store);
      ConstraintBuilder builder(b, param, groupOf.lookup(param.getSymName()),
                                /*creation=*/false);
      FailureOr<Value> value = builder.beforeStore(store.getValue());
      if (failed(value))
        return signalPassFailure();
      store.getValueMutable().assign(*value);
      b.setInsertionPointAfter(store);
      builder.afterStore();
    }

    // @project(): once, at creation.
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    auto project = func::FuncOp::create(b, module.getLoc(), "project",
                                        b.getFunctionType({}, {}));
    b.setInsertionPointToStart(project.addEntryBlock());
    // Re-splitting initialisers first: the constraints then see the factors.
    for (LayerOp layer : module.getOps<LayerOp>())
      if (auto split = layer->getAttrOfType<DictionaryAttr>("wl.resplit"))
        ResplitBaseOp::create(
            b, layer.getLoc(), split.getAs<ResplitKindAttr>("kind"),
            split.getAs<FlatSymbolRefAttr>("base"),
            split.getAs<ArrayAttr>("factors"), split.getAs<FloatAttr>("scale"));
    // SST's W0 becomes its SVD, and round 0 is sampled.
    emitSstRounds(b, module.getLoc(), module, /*step=*/nullptr);
    for (ParamOp param : constrained) {
      ConstraintBuilder builder(b, param, groupOf.lookup(param.getSymName()),
                                /*creation=*/true);
      auto sym = FlatSymbolRefAttr::get(param.getSymNameAttr());
      if (param.hasState("power_u")) {
        // The power iteration starts from the normalised all-ones vector.
        auto uType = param.getStateType("power_u");
        double start = 1.0 / std::sqrt(double(uType.getShape().back()));
        Value ones = arith::ConstantOp::create(
            b, param.getLoc(),
            DenseElementsAttr::get(uType, b.getF32FloatAttr(start)));
        StateStoreOp::create(b, param.getLoc(), sym, b.getStringAttr("power_u"),
                             ones);
      }
      Value w = ParamRefOp::create(b, param.getLoc(), param.getType(), sym);
      FailureOr<Value> value = builder.beforeStore(w);
      if (failed(value))
        return signalPassFailure();
      ParamStoreOp::create(b, param.getLoc(), sym, *value);
      builder.afterStore();
    }
    func::ReturnOp::create(b, module.getLoc());
  }
};

} // namespace
