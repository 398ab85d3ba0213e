//===- OptimizerOps.cpp - optimizer groups, updates and schedules --------===//
#include "wl/Dialect/WL/IR/WL.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace wl;

namespace {
/// What one hyperparameter must look like.
struct HyperSpec {
  StringRef name;
  enum Kind {
    NonNegative,
    Positive,
    UnitInterval /*[0, 1)*/,
    Bool,
    PositiveInteger
  } kind;
};
} // namespace

/// The hyperparameters of each optimizer the compiler generates, all required
/// (the frontend fills in the defaults of LANGUAGE.md).
static ArrayRef<HyperSpec> hyperSpecs(StringRef optimizer) {
  static const HyperSpec sgd[] = {{"lr", HyperSpec::NonNegative},
                                  {"momentum", HyperSpec::UnitInterval},
                                  {"nesterov", HyperSpec::Bool},
                                  {"weight_decay", HyperSpec::NonNegative}};
  static const HyperSpec adamw[] = {{"lr", HyperSpec::NonNegative},
                                    {"beta1", HyperSpec::UnitInterval},
                                    {"beta2", HyperSpec::UnitInterval},
                                    {"eps", HyperSpec::Positive},
                                    {"weight_decay", HyperSpec::NonNegative}};
  static const HyperSpec muon[] = {{"lr", HyperSpec::NonNegative},
                                   {"momentum", HyperSpec::UnitInterval},
                                   {"nesterov", HyperSpec::Bool},
                                   {"ns_steps", HyperSpec::PositiveInteger},
                                   {"weight_decay", HyperSpec::NonNegative}};
  static const HyperSpec lion[] = {{"lr", HyperSpec::NonNegative},
                                   {"beta1", HyperSpec::UnitInterval},
                                   {"beta2", HyperSpec::UnitInterval},
                                   {"weight_decay", HyperSpec::NonNegative}};
  static const HyperSpec adamp[] = {{"lr", HyperSpec::NonNegative},
                                    {"beta1", HyperSpec::UnitInterval},
                                    {"beta2", HyperSpec::UnitInterval},
                                    {"eps", HyperSpec::Positive},
                                    {"weight_decay", HyperSpec::NonNegative},
                                    {"delta", HyperSpec::NonNegative},
                                    {"wd_ratio", HyperSpec::NonNegative}};
  if (optimizer == "sgd")
    return sgd;
  if (optimizer == "adamw")
    return adamw;
  if (optimizer == "muon")
    return muon;
  if (optimizer == "lion")
    return lion;
  if (optimizer == "adamp")
    return adamp;
  return {};
}

static LogicalResult checkValue(Operation *op, StringRef name,
                                HyperSpec::Kind kind, double v) {
  switch (kind) {
  case HyperSpec::NonNegative:
    if (!(v >= 0))
      return op->emitOpError("'") << name << "' must be >= 0, got " << v;
    break;
  case HyperSpec::Positive:
    if (!(v > 0))
      return op->emitOpError("'") << name << "' must be > 0, got " << v;
    break;
  case HyperSpec::UnitInterval:
    if (!(v >= 0 && v < 1))
      return op->emitOpError("'") << name << "' must be in [0, 1), got " << v;
    break;
  case HyperSpec::PositiveInteger:
    if (!(v >= 1))
      return op->emitOpError("'") << name << "' must be >= 1, got " << v;
    break;
  case HyperSpec::Bool:
    break;
  }
  return success();
}

LogicalResult wl::verifyOptimizerHyper(Operation *op, StringRef optimizer,
                                       DictionaryAttr hyper) {
  ArrayRef<HyperSpec> specs = hyperSpecs(optimizer);
  if (specs.empty())
    return op->emitOpError("unknown optimizer '")
           << optimizer << "' (expected sgd, adamw, muon, lion or adamp)";
  for (const HyperSpec &spec : specs) {
    Attribute a = hyper.get(spec.name);
    if (!a)
      return op->emitOpError("missing hyperparameter '")
             << spec.name << "' of " << optimizer;
    if (spec.kind == HyperSpec::Bool) {
      if (!isa<BoolAttr>(a))
        return op->emitOpError("'") << spec.name << "' must be a bool";
      continue;
    }
    if (spec.kind == HyperSpec::PositiveInteger) {
      auto i = dyn_cast<IntegerAttr>(a);
      if (!i)
        return op->emitOpError("'") << spec.name << "' must be an integer";
      if (failed(checkValue(op, spec.name, spec.kind,
                            static_cast<double>(i.getInt()))))
        return failure();
      continue;
    }
    auto f = dyn_cast<FloatAttr>(a);
    if (!f)
      return op->emitOpError("'") << spec.name << "' must be a float";
    if (failed(checkValue(op, spec.name, spec.kind, f.getValueAsDouble())))
      return failure();
  }
  for (NamedAttribute a : hyper)
    if (!llvm::any_of(
            specs, [&](const HyperSpec &s) { return s.name == a.getName(); }))
      return op->emitOpError("unknown hyperparameter '")
             << a.getName().getValue() << "' of " << optimizer;
  if (optimizer == "sgd" && hyper.getAs<BoolAttr>("nesterov").getValue() &&
      hyper.getAs<FloatAttr>("momentum").getValueAsDouble() == 0)
    return op->emitOpError("nesterov needs momentum > 0");
  return success();
}

LogicalResult OptimizerGroupOp::verify() {
  if (getTargets().empty())
    return emitOpError("needs at least one target");
  // SymbolRefArrayAttr also admits nested references (`@a::@b`).
  for (Attribute t : getTargets())
    if (!isa<FlatSymbolRefAttr>(t))
      return emitOpError("target ") << t << " is not a flat symbol reference";
  return verifyOptimizerHyper(*this, getOptimizer(), getHyper());
}

LogicalResult
OptimizerGroupOp::verifySymbolUses(SymbolTableCollection &symbols) {
  llvm::StringSet<> seen;
  for (Attribute t : getTargets()) {
    auto sym = cast<FlatSymbolRefAttr>(t);
    auto param = symbols.lookupNearestSymbolFrom<ParamOp>(*this, sym.getAttr());
    if (!param)
      return emitOpError("target '")
             << sym.getValue() << "' does not name a wl.param";
    if (!param.getTrainable())
      return emitOpError("target '") << sym.getValue() << "' is frozen";
    if (!seen.insert(sym.getValue()).second)
      return emitOpError("target '") << sym.getValue() << "' is listed twice";
  }
  return success();
}

LogicalResult wl::verifySchedule(Operation *op, StringRef kind, int64_t warmup,
                                 int64_t total) {
  if (kind == "constant")
    return success();
  if (kind != "warmup_linear" && kind != "warmup_cosine")
    return op->emitOpError("unknown schedule '")
           << kind << "' (expected constant, warmup_linear or warmup_cosine)";
  if (warmup < 0)
    return op->emitOpError("warmup must be >= 0, got ") << warmup;
  if (total <= warmup)
    return op->emitOpError("total (")
           << total << ") must be greater than warmup (" << warmup << ")";
  return success();
}

LogicalResult ScheduleOp::verify() {
  return verifySchedule(*this, getKind(), getWarmup(), getTotal());
}
LogicalResult ScheduleFactorOp::verify() {
  return verifySchedule(*this, getKind(), getWarmup(), getTotal());
}

LogicalResult SgdUpdateOp::verify() {
  double momentum = getMomentumAttr().getValueAsDouble();
  if (failed(
          checkValue(*this, "momentum", HyperSpec::UnitInterval, momentum)) ||
      failed(checkValue(*this, "weight_decay", HyperSpec::NonNegative,
                        getWeightDecayAttr().getValueAsDouble())))
    return failure();
  bool hasBuffer = static_cast<bool>(getMomentumBuffer());
  if (hasBuffer != (momentum != 0))
    return emitOpError(momentum != 0
                           ? "momentum > 0 needs a momentum buffer operand"
                           : "momentum = 0 takes no momentum buffer");
  if (hasBuffer != static_cast<bool>(getNewMomentumBuffer()))
    return emitOpError(
        "returns a new momentum buffer exactly when it takes one");
  if (hasBuffer && (getMomentumBuffer().getType() != getParam().getType() ||
                    getNewMomentumBuffer().getType() != getParam().getType()))
    return emitOpError("momentum buffer type must equal the parameter type");
  if (getNesterov() && momentum == 0)
    return emitOpError("nesterov needs momentum > 0");
  return success();
}

/// beta1 and beta2 of the AdamW, AdamP and Lion updates, each in [0, 1).
static LogicalResult checkBetas(Operation *op, FloatAttr beta1,
                                FloatAttr beta2) {
  if (failed(checkValue(op, "beta1", HyperSpec::UnitInterval,
                        beta1.getValueAsDouble())))
    return failure();
  return checkValue(op, "beta2", HyperSpec::UnitInterval,
                    beta2.getValueAsDouble());
}

LogicalResult AdamWUpdateOp::verify() {
  if (failed(checkBetas(*this, getBeta1Attr(), getBeta2Attr())) ||
      failed(checkValue(*this, "eps", HyperSpec::Positive,
                        getEpsAttr().getValueAsDouble())) ||
      failed(checkValue(*this, "weight_decay", HyperSpec::NonNegative,
                        getWeightDecayAttr().getValueAsDouble())))
    return failure();
  return success();
}

LogicalResult NewtonSchulzOp::verify() {
  if (!getInput().getType().hasStaticShape())
    return emitOpError("needs a statically shaped matrix");
  if (getSteps() < 1)
    return emitOpError("'steps' must be >= 1, got ") << getSteps();
  return success();
}

LogicalResult MuonUpdateOp::verify() {
  if (!getParam().getType().hasStaticShape())
    return emitOpError("needs a statically shaped matrix");
  if (getNsSteps() < 1)
    return emitOpError("'ns_steps' must be >= 1, got ") << getNsSteps();
  if (failed(checkValue(*this, "momentum", HyperSpec::UnitInterval,
                        getMomentumAttr().getValueAsDouble())) ||
      failed(checkValue(*this, "weight_decay", HyperSpec::NonNegative,
                        getWeightDecayAttr().getValueAsDouble())))
    return failure();
  return success();
}

LogicalResult OrthonormalPenaltyGradOp::verify() {
  auto type = cast<RankedTensorType>(getParam().getType());
  if (!type.hasStaticShape())
    return emitOpError("needs a statically shaped matrix");
  double w = getWeightAttr().getValueAsDouble();
  if (!std::isfinite(w) || w < 0)
    return emitOpError("'weight' must be finite and >= 0, got ") << w;
  return success();
}

LogicalResult LionUpdateOp::verify() {
  if (failed(checkBetas(*this, getBeta1Attr(), getBeta2Attr())) ||
      failed(checkValue(*this, "weight_decay", HyperSpec::NonNegative,
                        getWeightDecayAttr().getValueAsDouble())))
    return failure();
  return success();
}

LogicalResult AdamPUpdateOp::verify() {
  if (failed(checkBetas(*this, getBeta1Attr(), getBeta2Attr())) ||
      failed(checkValue(*this, "eps", HyperSpec::Positive,
                        getEpsAttr().getValueAsDouble())) ||
      failed(checkValue(*this, "weight_decay", HyperSpec::NonNegative,
                        getWeightDecayAttr().getValueAsDouble())) ||
      failed(checkValue(*this, "delta", HyperSpec::NonNegative,
                        getDeltaAttr().getValueAsDouble())) ||
      failed(checkValue(*this, "wd_ratio", HyperSpec::NonNegative,
                        getWdRatioAttr().getValueAsDouble())))
    return failure();
  return success();
}
