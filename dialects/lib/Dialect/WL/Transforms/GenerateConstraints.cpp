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

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstdio>

namespace wl {
#define GEN_PASS_DEF_WLGENERATECONSTRAINTS
#include "wl/Dialect/WL/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

namespace {

/// Power iterations per step (the vector persists), and at creation.
constexpr int64_t kStepIterations = 10, kCreationIterations = 15,
                  kHammerIterations = 16;
/// Polar iterations: from ‖W‖_F at creation (σ/‖W‖_F may be small: each step
/// multiplies it by at most 1.5 until it nears 1), and after a step from a
/// nearly orthonormal W (quadratic convergence: error 0.1 → 1e-7 in 4 steps).
constexpr int64_t kPolarCreationSteps = 40, kPolarStepSteps = 6;
/// NS5's largest singular value on [0, 1] (ALGORITHMS.md) with room for
/// rounding.
constexpr double kMuonOutputBound = 1.2025 * (1 + 1e-3);

/// A number as a user wrote it (%g): 1, 0.5, 1e-3.
std::string fmt(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", v);
  return buffer;
}

/// One constraint of a parameter, with the questions the pass asks of it.
struct Constraint {
  ConstraintAttrInterface attr;

  Location loc(Location fallback) const {
    LocationAttr l = attr.getLocation();
    return l ? Location(l) : fallback;
  }
  SpectralBoundAttr spectral() const {
    return dyn_cast<SpectralBoundAttr>(attr);
  }
  /// c of a spectral or norm bound.
  double bound() const {
    if (auto s = spectral())
      return s.getC().convertToDouble();
    return cast<NormBoundAttr>(attr).getC().convertToDouble();
  }
  bool strict() const { return spectral() && spectral().getStrict(); }
  bool hasMethod(SpectralMethod m) const {
    return spectral() && spectral().getMethod() == m;
  }
  /// Satisfied by the weight's structure itself (orthogonal): nothing to
  /// generate.
  bool byStructure() const {
    return attr.getConstraintOrigin() == ConstraintOrigin::Structure;
  }
  /// A spectral bound on `svd`'s s or `diagonal`'s d: clamp the entries.
  bool isClamp() const { return hasMethod(SpectralMethod::Clamp); }
  /// Whether it runs as a runtime routine on the stored parameter.
  bool atRuntime() const {
    return isa<RankAtMostAttr>(attr) || hasMethod(SpectralMethod::SvdClip);
  }
  bool needsPowerVector() const {
    return !byStructure() &&
           (hasMethod(SpectralMethod::Normalize) ||
            hasMethod(SpectralMethod::Hammer) || isa<OrthonormalAttr>(attr));
  }
};

ProjectionKindAttr projection(OpBuilder &b, ProjectionKind kind) {
  return ProjectionKindAttr::get(b.getContext(), kind);
}

/// The constraints of `param`, in order.
SmallVector<Constraint> constraintsOf(ParamOp param) {
  SmallVector<Constraint> out;
  if (auto list = param.getConstraints())
    for (Attribute a : *list)
      out.push_back({cast<ConstraintAttrInterface>(a)});
  return out;
}

/// soft_cap's α for a weight trained by `group`, with a warning when the
/// guarantee does not hold for this configuration (`heuristic` says why).
FailureOr<double> softCapAlpha(ParamOp param, OptimizerGroupOp group,
                               const Constraint &c, std::string &heuristic) {
  auto shape = param.getTensorType().getShape();
  double out = shape[0], in = shape[1];
  DictionaryAttr hyper = group.getHyper();
  double lr = hyper.getAs<FloatAttr>("lr").getValueAsDouble();
  double wd = hyper.getAs<FloatAttr>("weight_decay").getValueAsDouble();
  StringRef optimizer = group.getOptimizer();
  Location loc = c.loc(param.getLoc());
  // Optimizers are named by strings until they get their own enum.
  // B: the largest spectral norm of one update direction (before lr).
  double bound;
  heuristic.clear();
  if (optimizer == "muon") {
    bound = std::sqrt(std::max(1.0, out / in)) * kMuonOutputBound;
  } else if (optimizer == "lion") {
    bound = std::sqrt(out * in); // ‖sign(·)‖₂ ≤ ‖sign(·)‖_F
  } else {
    bound = std::sqrt(out *
                      in); // Adam-like steps are about 1 per entry, not bounded
    heuristic = optimizer.str() + "'s update has no spectral-norm bound";
  }
  double cap = c.bound();
  double k = cap * (1 - lr * wd) + lr * bound;
  if (k <= cap)
    return 0.0; // the update cannot leave the constraint set
  // f(σ) = s + αs³, s = σ − ασ³; find the smallest α ≥ 0 with f(k) = c
  // (s ≥ 0 on [0, k] needs α ≤ 1/k²).
  auto f = [](double alpha, double sigma) {
    double s = sigma - alpha * sigma * sigma * sigma;
    return s + alpha * s * s * s;
  };
  double hi = 1 / (k * k), lo = 0;
  constexpr int kScan = 100000;
  double found = -1;
  for (int i = 1; i <= kScan; ++i) {
    double a = hi * i / kScan;
    if (f(a, k) <= cap) {
      lo = hi * (i - 1) / kScan;
      hi = a;
      found = a;
      break;
    }
  }
  if (found < 0) {
    emitError(loc) << "spectral_bound(" << fmt(cap)
                   << ", method = soft_cap): no strength maps the "
                   << "largest reachable singular value " << fmt(k) << " to "
                   << fmt(cap) << "; use hard_cap or svd_clip";
    return failure();
  }
  for (int i = 0; i < 200; ++i) {
    double mid = 0.5 * (lo + hi);
    (f(mid, k) <= cap ? hi : lo) = mid;
  }
  double alpha = hi;
  // Monotone on [0, k]: f'(σ) = (1 − 3ασ²)(1 + 3αs²) ≥ 0, sampled.
  double peak = 0;
  for (int i = 0; i <= 4096; ++i)
    peak = std::max(peak, f(alpha, k * i / 4096));
  if (peak > cap * (1 + 1e-9) && heuristic.empty())
    heuristic = "the coupled map is not monotone on [0, " + fmt(k) +
                "] (it peaks at " + fmt(peak) + " > " + fmt(cap) + ")";
  if (!heuristic.empty() && !c.strict())
    emitWarning(loc)
        << "spectral_bound(" << fmt(cap)
        << ", method = soft_cap) is only a heuristic for "
        << "this configuration: " << heuristic
        << "; use strict = true, hard_cap or svd_clip for a guarantee";
  return alpha;
}

class ConstraintBuilder {
public:
  ConstraintBuilder(ParamOp param, OptimizerGroupOp group)
      : param(param), group(group) {}

  /// Applies the constraints to `value` (the new parameter) before it is stored
  /// and then after the store (runtime projections); `creation` selects the
  /// exact creation-time forms. Returns the value to store.
  FailureOr<Value> beforeStore(OpBuilder &b, Value value, bool creation) {
    Location loc = param.getLoc();
    auto sym = FlatSymbolRefAttr::get(param.getSymNameAttr());
    bool runtimeSeen = false;
    for (const Constraint &c : constraintsOf(param)) {
      Location cloc = c.loc(loc);
      if (c.byStructure())
        continue;
      if (c.isClamp()) { // exact, the same at creation and after a step
        value = AbsClampOp::create(b, cloc, value.getType(), value,
                                   b.getF64FloatAttr(c.bound()));
        continue;
      }
      if (creation && c.spectral()) {
        // At creation every method projects exactly (after the store); the
        // power-iteration vector is started on the final weight.
        creationClip =
            creationClip ? std::min(*creationClip, c.bound()) : c.bound();
        creationRescaleOnly &= c.hasMethod(SpectralMethod::Normalize) ||
                               c.hasMethod(SpectralMethod::Hammer);
        continue;
      }
      if (c.atRuntime()) {
        runtimeSeen = true;
        continue;
      }
      if (runtimeSeen)
        return emitError(cloc)
               << "a '" << c.attr.getAbstractAttribute().getName().drop_front(3)
               << "' constraint after svd_clip or rank_at_most is not "
                  "supported yet";
      if (isa<OrthonormalAttr>(c.attr)) {
        auto uType = param.getStateType("power_u");
        if (creation) {
          value = PolarIterationOp::create(
              b, cloc, value.getType(), value, Value(),
              b.getI64IntegerAttr(kPolarCreationSteps));
          // Start the σ estimate of later steps converged (σ = 1 now).
          Value u = StateRefOp::create(b, cloc, uType, sym,
                                       b.getStringAttr("power_u"));
          auto power = PowerIterationOp::create(
              b, cloc, uType, b.getF32Type(), value, u,
              b.getI64IntegerAttr(kCreationIterations));
          StateStoreOp::create(b, cloc, sym, b.getStringAttr("power_u"),
                               power.getNewU());
          continue;
        }
        // After an update: X₀ = W/max(1, σ̂) keeps every σ/s below √3.
        Value u =
            StateRefOp::create(b, cloc, uType, sym, b.getStringAttr("power_u"));
        auto power =
            PowerIterationOp::create(b, cloc, uType, b.getF32Type(), value, u,
                                     b.getI64IntegerAttr(kStepIterations));
        StateStoreOp::create(b, cloc, sym, b.getStringAttr("power_u"),
                             power.getNewU());
        Value one = arith::ConstantOp::create(b, cloc, b.getF32FloatAttr(1.0f));
        Value scale = arith::MaximumFOp::create(b, cloc, power.getSigma(), one);
        value = PolarIterationOp::create(b, cloc, value.getType(), value, scale,
                                         b.getI64IntegerAttr(kPolarStepSteps));
        continue;
      }
      if (auto norm = dyn_cast<NormBoundAttr>(c.attr)) {
        value = NormBoundOp::create(
            b, cloc, value.getType(), value, b.getF64FloatAttr(c.bound()),
            NormKindAttr::get(b.getContext(), norm.getNorm()));
        continue;
      }
      // spectral_bound after an update, by method.
      SpectralMethod method = c.spectral().getMethod();
      switch (method) {
      case SpectralMethod::Normalize:
      case SpectralMethod::Hammer: {
        auto uType = param.getStateType("power_u");
        Value u =
            StateRefOp::create(b, cloc, uType, sym, b.getStringAttr("power_u"));
        int64_t iterations = method == SpectralMethod::Hammer
                                 ? kHammerIterations
                                 : kStepIterations;
        auto power =
            PowerIterationOp::create(b, cloc, uType, b.getF32Type(), value, u,
                                     b.getI64IntegerAttr(iterations));
        StateStoreOp::create(b, cloc, sym, b.getStringAttr("power_u"),
                             power.getNewU());
        if (method == SpectralMethod::Normalize)
          value = SpectralRescaleOp::create(b, cloc, value.getType(), value,
                                            power.getSigma(),
                                            b.getF64FloatAttr(c.bound()));
        else
          value = SpectralHammerOp::create(b, cloc, value.getType(), value,
                                           power.getNewU(), power.getSigma(),
                                           b.getF64FloatAttr(c.bound()));
        break;
      }
      case SpectralMethod::HardCap:
        value = SpectralHardCapOp::create(b, cloc, value.getType(), value,
                                          b.getF64FloatAttr(c.bound()));
        break;
      case SpectralMethod::SoftCap: {
        if (!group)
          return emitError(cloc) << "soft_cap needs the parameter's optimizer";
        std::string heuristic;
        FailureOr<double> alpha = softCapAlpha(param, group, c, heuristic);
        if (failed(alpha))
          return failure();
        value = SpectralSoftCapOp::create(b, cloc, value.getType(), value,
                                          b.getF64FloatAttr(*alpha));
        break;
      }
      case SpectralMethod::SvdClip: // at runtime, above
      case SpectralMethod::Clamp:   // above
        break;
      }
    }
    return value;
  }

  /// The runtime projections and the strict rescale, after the store.
  void afterStore(OpBuilder &b, bool creation) {
    Location loc = param.getLoc();
    auto sym = FlatSymbolRefAttr::get(param.getSymNameAttr());
    if (creation) {
      // The nearest point of {rank ≤ r, σ ≤ c}: truncate, then clip.
      for (const Constraint &c : constraintsOf(param))
        if (auto rank = dyn_cast<RankAtMostAttr>(c.attr);
            rank && !c.byStructure())
          ProjectParamOp::create(b, c.loc(loc), sym,
                                 projection(b, ProjectionKind::RankAtMost),
                                 b.getF64FloatAttr(rank.getR()));
      // normalize and hammer start from the sound rescale W·c/max(β, c)
      // rather than svd_clip: clipping leaves many singular values exactly at
      // c, and the power iteration of the first steps cannot tell which one
      // an update grew (σ reached 1.29c after one AdamW step).
      if (creationClip)
        ProjectParamOp::create(b, loc, sym,
                               projection(b, creationRescaleOnly
                                                 ? ProjectionKind::Strict
                                                 : ProjectionKind::SvdClip),
                               b.getF64FloatAttr(*creationClip));
      // The power-iteration vector starts converged on the projected weight.
      if (param.hasState("power_u") && creationClip) {
        auto uType = param.getStateType("power_u");
        Value w = ParamRefOp::create(b, loc, param.getType(), sym);
        Value u =
            StateRefOp::create(b, loc, uType, sym, b.getStringAttr("power_u"));
        auto power =
            PowerIterationOp::create(b, loc, uType, b.getF32Type(), w, u,
                                     b.getI64IntegerAttr(kCreationIterations));
        StateStoreOp::create(b, loc, sym, b.getStringAttr("power_u"),
                             power.getNewU());
      }
    }
    std::optional<double> strict;
    for (const Constraint &c : constraintsOf(param)) {
      Location cloc = c.loc(loc);
      if (c.byStructure())
        continue;
      if (auto rank = dyn_cast<RankAtMostAttr>(c.attr); rank && !creation)
        ProjectParamOp::create(b, cloc, sym,
                               projection(b, ProjectionKind::RankAtMost),
                               b.getF64FloatAttr(rank.getR()));
      else if (c.atRuntime() && !creation)
        ProjectParamOp::create(b, cloc, sym,
                               projection(b, ProjectionKind::SvdClip),
                               b.getF64FloatAttr(c.bound()));
      if (c.strict())
        strict = strict ? std::min(*strict, c.bound()) : c.bound();
    }
    if (strict)
      ProjectParamOp::create(b, loc, sym, projection(b, ProjectionKind::Strict),
                             b.getF64FloatAttr(*strict));
  }

private:
  ParamOp param;
  OptimizerGroupOp group;
  std::optional<double> creationClip;
  bool creationRescaleOnly = true;
};

/// What a spectral bound enforced by generated code guarantees, by method.
std::pair<Guarantee, std::string>
describeSpectral(ParamOp param, const Constraint &c, OptimizerGroupOp group) {
  if (c.strict())
    return {Guarantee::Exact, "strict: sound Gram-iteration bound and rescale "
                              "after every step (extra cost)"};
  switch (c.spectral().getMethod()) {
  case SpectralMethod::SvdClip:
    return {Guarantee::Exact,
            "singular values clipped (LAPACK SVD) after every step"};
  case SpectralMethod::Normalize:
    return {Guarantee::Conditional, "exact up to the power-iteration estimate "
                                    "of sigma (10 iterations per step)"};
  case SpectralMethod::HardCap:
    return {Guarantee::Conditional,
            "<= 1.011 c while sigma/c <= 3.5 before the projection"};
  case SpectralMethod::Hammer:
    return {Guarantee::Heuristic, "fixes only the largest singular value"};
  case SpectralMethod::Clamp:
    return {Guarantee::Exact, "entries clamped to [-c, c]"};
  case SpectralMethod::SoftCap: {
    std::string heuristic;
    // Diagnostics were already emitted when the step was generated.
    ScopedDiagnosticHandler silence(param.getContext(),
                                    [](Diagnostic &) { return success(); });
    if (!group || failed(softCapAlpha(param, group, c, heuristic)))
      heuristic = "no coupling to an optimizer";
    if (heuristic.empty())
      return {Guarantee::Exact, "coupled to " + group.getOptimizer().str() +
                                    "'s update-norm bound"};
    return {Guarantee::Heuristic, heuristic};
  }
  }
  llvm_unreachable("unknown spectral method");
}

} // namespace

std::pair<Guarantee, std::string>
wl::describeGuarantee(ParamOp param, ConstraintAttrInterface attr,
                      OptimizerGroupOp group) {
  Constraint c{attr};
  std::optional<StructureKind> structure = attr.getStructureKind();
  if (c.byStructure()) {
    // Only orthogonal weights satisfy a written constraint by themselves.
    bool polar = structure == StructureKind::OrthogonalPolar;
    Guarantee g = polar ? Guarantee::Conditional : Guarantee::Exact;
    std::string why =
        polar ? "as far as the polar projection converges" : "by construction";
    std::string name =
        structure ? stringifyStructureKind(*structure).str() : "orthogonal";
    StringRef method =
        StringRef(name).drop_front(StringRef("orthogonal_").size());
    if (isa<OrthonormalAttr>(attr))
      return {g, "orthogonal(" + method.str() + ") is orthonormal " + why};
    return {g, "orthogonal: sigma_max = 1 <= c " + why};
  }
  if (c.isClamp())
    return {Guarantee::Exact,
            structure == StructureKind::Svd
                ? "svd: |s| clamped to c (sigma(W) = |s| while U, V stay "
                  "orthonormal)"
                : "diagonal: |d| clamped to c (sigma(W) = |d|)"};
  if (attr.getConstraintOrigin() == ConstraintOrigin::Retraction) {
    std::string factor = structure == StructureKind::Svd ? "svd" : "orthogonal";
    return {Guarantee::Conditional,
            "retraction of the " + factor +
                " factor: polar Newton-Schulz after each update (6 steps; 40 "
                "at creation)"};
  }
  return llvm::TypeSwitch<Attribute, std::pair<Guarantee, std::string>>(attr)
      .Case([](NormBoundAttr) {
        return std::pair{Guarantee::Exact, "scaling projection"};
      })
      .Case([](OrthonormalAttr) {
        return std::pair{
            Guarantee::Conditional,
            "polar Newton-Schulz iteration (6 steps after each update, 40 at "
            "creation): exact to float precision while the update keeps every "
            "singular value in (0, 1.7)"};
      })
      .Case([](RankAtMostAttr) {
        return std::pair{Guarantee::Exact,
                         "truncated SVD (LAPACK) after every step"};
      })
      .Case(
          [&](SpectralBoundAttr) { return describeSpectral(param, c, group); })
      .Default([](Attribute) {
        return std::pair{Guarantee::Heuristic, "unknown constraint"};
      });
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
        onlyClamps &= c.byStructure() || c.isClamp();
      }
      if (!generates)
        continue;
      if (p.getTensorType().getRank() != 2 && !onlyClamps) {
        p.emitOpError("constraints apply to matrices");
        return signalPassFailure();
      }
      if (llvm::any_of(constraintsOf(p), [](const Constraint &c) {
            return c.needsPowerVector();
          }))
        p.addState("power_u",
                   RankedTensorType::get({p.getTensorType().getDimSize(0)},
                                         Float32Type::get(&getContext())));
      constrained.push_back(p);
    }

    // After every update.
    SmallVector<ParamStoreOp> stores;
    module.walk([&](ParamStoreOp s) { stores.push_back(s); });
    for (ParamStoreOp store : stores) {
      ParamOp param = symbols.lookup<ParamOp>(store.getParam());
      if (!param || !llvm::is_contained(constrained, param))
        continue;
      ConstraintBuilder builder(param, groupOf.lookup(param.getSymName()));
      OpBuilder b(store);
      FailureOr<Value> value =
          builder.beforeStore(b, store.getValue(), /*creation=*/false);
      if (failed(value))
        return signalPassFailure();
      store.getValueMutable().assign(*value);
      b.setInsertionPointAfter(store);
      builder.afterStore(b, /*creation=*/false);
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
    for (ParamOp param : constrained) {
      ConstraintBuilder builder(param, groupOf.lookup(param.getSymName()));
      auto sym = FlatSymbolRefAttr::get(param.getSymNameAttr());
      if (param.hasState("power_u")) {
        // The power iteration starts from the normalised all-ones vector.
        auto uType = param.getStateType("power_u");
        double start = 1.0 / std::sqrt(double(uType.getDimSize(0)));
        Value ones = arith::ConstantOp::create(
            b, param.getLoc(),
            DenseElementsAttr::get(uType, b.getF32FloatAttr(start)));
        StateStoreOp::create(b, param.getLoc(), sym, b.getStringAttr("power_u"),
                             ones);
      }
      Value w = ParamRefOp::create(b, param.getLoc(), param.getType(), sym);
      FailureOr<Value> value = builder.beforeStore(b, w, /*creation=*/true);
      if (failed(value))
        return signalPassFailure();
      ParamStoreOp::create(b, param.getLoc(), sym, *value);
      builder.afterStore(b, /*creation=*/true);
    }
    func::ReturnOp::create(b, module.getLoc());
  }
};

} // namespace
