//===- ConstraintMethods.cpp - one entry per constraint method ------------===//
//
// The entries of ConstraintMethods.h: each spectral_bound method, norm_bound,
// orthonormal, rank_at_most, and constraints satisfied by a structure. The
// formulas are ALGORITHMS.md's ("Constraints").
//
//===----------------------------------------------------------------------===//
#include "ConstraintMethods.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace wl;

double Constraint::bound() const {
  if (auto s = spectral())
    return s.bound();
  return cast<NormBoundAttr>(attr).bound();
}

std::pair<int64_t, int64_t> wl::matrixShape(ParamOp param) {
  ArrayRef<int64_t> shape = param.getTensorType().getShape();
  return {shape[shape.size() - 2], shape.back()};
}

PowerIterationOp Projector::powerIteration(Location loc, Value w,
                                           int64_t iterations) {
  if (matrixIndex) {
    // Row `matrixIndex` of the carried [g, m] vectors.
    auto stackType = cast<RankedTensorType>(stackedU->getType());
    int64_t m = stackType.getDimSize(1);
    auto uType = RankedTensorType::get({m}, b.getF32Type());
    SmallVector<OpFoldResult> offsets{matrixIndex, b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(1), b.getIndexAttr(m)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    Value u = tensor::ExtractSliceOp::create(b, loc, uType, *stackedU, offsets,
                                             sizes, strides);
    auto power = PowerIterationOp::create(b, loc, uType, b.getF32Type(), w, u,
                                          b.getI64IntegerAttr(iterations));
    *stackedU = tensor::InsertSliceOp::create(
        b, loc, power.getNewU(), *stackedU, offsets, sizes, strides);
    return power;
  }
  auto uType = param.getStateType("power_u");
  Value u =
      StateRefOp::create(b, loc, uType, sym(), b.getStringAttr("power_u"));
  auto power = PowerIterationOp::create(b, loc, uType, b.getF32Type(), w, u,
                                        b.getI64IntegerAttr(iterations));
  StateStoreOp::create(b, loc, sym(), b.getStringAttr("power_u"),
                       power.getNewU());
  return power;
}

void Projector::projectStored(Location loc, ProjectionKind kind,
                              double argument) {
  ProjectParamOp::create(b, loc, sym(),
                         ProjectionKindAttr::get(b.getContext(), kind),
                         b.getF64FloatAttr(argument), /*partner=*/nullptr,
                         /*transposed=*/nullptr, /*left=*/nullptr,
                         /*fixed=*/nullptr);
}

Value Projector::scheduledLr(Location loc) {
  // wl-generate-step computes lr = factor · base in the same way; CSE shares
  // them.
  float base = static_cast<float>(
      group.getHyper().getAs<FloatAttr>("lr").getValueAsDouble());
  Value lr = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(base));
  Operation *scope = b.getInsertionBlock()->getParentOp();
  auto fn = dyn_cast<func::FuncOp>(scope);
  if (!fn)
    fn = scope->getParentOfType<func::FuncOp>();
  ScheduleFactorOp factor;
  if (fn)
    fn.walk([&](ScheduleFactorOp op) { factor = op; });
  if (factor)
    lr = arith::MulFOp::create(b, loc, factor.getResult(), lr);
  return lr;
}

namespace {

/// Power iterations per step (the vector persists); hammer needs a sharper
/// estimate of the top singular vector it rescales.
constexpr int64_t kStepIterations = 10, kHammerIterations = 16;
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

using GuaranteeText = std::pair<Guarantee, std::string>;

//===----------------------------------------------------------------------===//
// Satisfied by the structure, and the clamp of a scale vector
//===----------------------------------------------------------------------===//

/// orthogonal(...) weights: orthonormal and σ_max = 1 by themselves.
struct ByStructure final : ConstraintMethod {
  GuaranteeText guarantee(ParamOp, const Constraint &c,
                          OptimizerGroupOp) const override {
    std::optional<StructureKind> structure = c.attr.getStructureKind();
    bool polar = structure == StructureKind::OrthogonalPolar;
    Guarantee g = polar ? Guarantee::Conditional : Guarantee::Exact;
    std::string why =
        polar ? "as far as the polar projection converges" : "by construction";
    std::string name =
        structure ? stringifyStructureKind(*structure).str() : "orthogonal";
    StringRef method =
        StringRef(name).drop_front(StringRef("orthogonal_").size());
    if (isa<OrthonormalAttr>(c.attr))
      return {g, "orthogonal(" + method.str() + ") is orthonormal " + why};
    return {g, "orthogonal: sigma_max = 1 <= c " + why};
  }
};

/// spectral_bound on svd's s or diagonal's d: σ(W) = |entries|, clamped.
struct Clamp final : ConstraintMethod {
  bool appliesToVectors() const override { return true; }
  FailureOr<Value> project(Projector &p, const Constraint &c,
                           Value value) const override {
    return AbsClampOp::create(p.b, c.loc(p.param.getLoc()), value.getType(),
                              value, p.b.getF64FloatAttr(c.bound()))
        .getResult();
  }
  GuaranteeText guarantee(ParamOp, const Constraint &c,
                          OptimizerGroupOp) const override {
    switch (c.attr.getStructureKind().value_or(StructureKind::Diagonal)) {
    case StructureKind::Svd:
      return {Guarantee::Exact, "svd: |s| clamped to c (sigma(W) = |s| while "
                                "U, V stay orthonormal)"};
    case StructureKind::SvFit:
      return {Guarantee::Exact,
              "svfit: |s| clamped to c bounds the adapter term U diag(s) V^T "
              "(U, V: the base's frozen singular vectors)"};
    default:
      return {Guarantee::Exact, "diagonal: |d| clamped to c (sigma(W) = |d|)"};
    }
  }
};

//===----------------------------------------------------------------------===//
// spectral_bound's methods
//===----------------------------------------------------------------------===//

/// A spectral bound with `strict = true` guarantees the sound rescale after
/// every step, whatever the method does before it.
struct SpectralMethodBase : ConstraintMethod {
  GuaranteeText guarantee(ParamOp param, const Constraint &c,
                          OptimizerGroupOp group) const final {
    if (c.strict())
      return {Guarantee::Exact, "strict: sound Gram-iteration bound and "
                                "rescale after every step (extra cost)"};
    return methodGuarantee(param, c, group);
  }
  virtual GuaranteeText methodGuarantee(ParamOp param, const Constraint &c,
                                        OptimizerGroupOp group) const = 0;
};

/// The methods that follow a power-iteration estimate of σ after each step
/// and start from the sound rescale at creation (a clip would leave many
/// singular values at c, among which the iteration cannot find the one an
/// update grew).
struct PowerIterationMethod : SpectralMethodBase {
  std::optional<ProjectionKind> creationProjection() const final {
    return ProjectionKind::Strict;
  }
  bool needsPowerVector() const final { return true; }
};

/// W · c / max(σ̂, c) with σ̂ from the power iteration.
struct Normalize final : PowerIterationMethod {
  FailureOr<Value> project(Projector &p, const Constraint &c,
                           Value value) const override {
    Location loc = c.loc(p.param.getLoc());
    auto power = p.powerIteration(loc, value, kStepIterations);
    return SpectralRescaleOp::create(p.b, loc, value.getType(), value,
                                     power.getSigma(),
                                     p.b.getF64FloatAttr(c.bound()))
        .getResult();
  }
  GuaranteeText methodGuarantee(ParamOp, const Constraint &,
                                OptimizerGroupOp) const override {
    return {Guarantee::Conditional, "exact up to the power-iteration estimate "
                                    "of sigma (10 iterations per step)"};
  }
};

/// Only the top singular value, along the power iteration's vector.
struct Hammer final : PowerIterationMethod {
  FailureOr<Value> project(Projector &p, const Constraint &c,
                           Value value) const override {
    Location loc = c.loc(p.param.getLoc());
    auto power = p.powerIteration(loc, value, kHammerIterations);
    return SpectralHammerOp::create(p.b, loc, value.getType(), value,
                                    power.getNewU(), power.getSigma(),
                                    p.b.getF64FloatAttr(c.bound()))
        .getResult();
  }
  GuaranteeText methodGuarantee(ParamOp, const Constraint &,
                                OptimizerGroupOp) const override {
    return {Guarantee::Heuristic, "fixes only the largest singular value"};
  }
};

/// The odd polynomial that maps [0, 3.5c] into [0, 1.011c].
struct HardCap final : SpectralMethodBase {
  std::optional<ProjectionKind> creationProjection() const override {
    return ProjectionKind::SvdClip;
  }
  FailureOr<Value> project(Projector &p, const Constraint &c,
                           Value value) const override {
    return SpectralHardCapOp::create(p.b, c.loc(p.param.getLoc()),
                                     value.getType(), value,
                                     p.b.getF64FloatAttr(c.bound()))
        .getResult();
  }
  GuaranteeText methodGuarantee(ParamOp, const Constraint &,
                                OptimizerGroupOp) const override {
    return {Guarantee::Conditional,
            "<= 1.011 c while sigma/c <= 3.5 before the projection"};
  }
};

double weightDecay(OptimizerGroupOp group) {
  auto wd = group.getHyper().getAs<FloatAttr>("weight_decay");
  return wd ? wd.getValueAsDouble() : 0.0;
}

/// The soft cap W − αWWᵀW coupled to the optimizer: α is the smallest
/// strength that maps the largest singular value one step can reach back to c.
struct SoftCap final : SpectralMethodBase {
  std::optional<ProjectionKind> creationProjection() const override {
    return ProjectionKind::SvdClip;
  }
  FailureOr<Value> project(Projector &p, const Constraint &c,
                           Value value) const override {
    Location loc = c.loc(p.param.getLoc());
    if (!p.group)
      return emitError(loc) << "soft_cap needs the parameter's optimizer";
    std::string heuristic;
    FailureOr<double> updateBound = coupling(p.param, p.group, c, heuristic);
    if (failed(updateBound))
      return failure();
    // α from this step's lr: a decaying schedule stops shrinking σ.
    Value alpha = SoftCapStrengthOp::create(
        p.b, loc, p.scheduledLr(loc), p.b.getF64FloatAttr(c.bound()),
        p.b.getF64FloatAttr(*updateBound),
        p.b.getF64FloatAttr(weightDecay(p.group)));
    return SpectralSoftCapOp::create(p.b, loc, value.getType(), value, alpha)
        .getResult();
  }
  GuaranteeText methodGuarantee(ParamOp param, const Constraint &c,
                                OptimizerGroupOp group) const override {
    std::string heuristic;
    // Diagnostics were already emitted when the step was generated.
    ScopedDiagnosticHandler silence(param.getContext(),
                                    [](Diagnostic &) { return success(); });
    if (!group || failed(coupling(param, group, c, heuristic)))
      heuristic = "no coupling to an optimizer";
    if (heuristic.empty())
      return {Guarantee::Exact, "coupled to " + group.getOptimizer().str() +
                                    "'s update-norm bound"};
    return {Guarantee::Heuristic, heuristic};
  }

private:
  /// B, the spectral-norm bound of one update direction of `group`'s
  /// optimizer, with a warning when the guarantee does not hold for this
  /// configuration at the peak lr (`heuristic` says why).
  static FailureOr<double> coupling(ParamOp param, OptimizerGroupOp group,
                                    const Constraint &c,
                                    std::string &heuristic);
};

FailureOr<double> SoftCap::coupling(ParamOp param, OptimizerGroupOp group,
                                    const Constraint &c,
                                    std::string &heuristic) {
  auto [rows, cols] = matrixShape(param);
  double out = rows, in = cols;
  double lr = group.getHyper().getAs<FloatAttr>("lr").getValueAsDouble();
  double wd = weightDecay(group);
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
  // Checked at the peak lr: schedules only scale lr by factors in [0, 1], and
  // a smaller lr gives a smaller k/c, a smaller t = αk² and a map that is
  // monotone wherever the peak's is (f' ≥ 1 − 3t on [0, k]).
  double cap = c.bound();
  double k = SoftCapStrengthOp::reach(cap, lr, wd, bound);
  if (k <= cap)
    return bound; // the update cannot leave the constraint set
  // f(σ) = s + αs³, s = σ − ασ³ is f(k) = c at α = t/k² with t ≤ 1 (s ≥ 0).
  auto f = [](double alpha, double sigma) {
    double s = sigma - alpha * sigma * sigma * sigma;
    return s + alpha * s * s * s;
  };
  double alpha = SoftCapStrengthOp::strength(cap, k);
  if (!(f(alpha, k) <= cap * (1 + 1e-12))) {
    emitError(loc) << "spectral_bound(" << fmt(cap)
                   << ", method = soft_cap): no strength maps the "
                   << "largest reachable singular value " << fmt(k) << " to "
                   << fmt(cap) << "; use hard_cap or svd_clip";
    return failure();
  }
  // Monotone on [0, k]: f'(σ) = (1 − 3ασ²)(1 + 3αs²) ≥ 0, sampled.
  double peak = 0;
  for (int i = 0; i <= 4096; ++i)
    peak = std::max(peak, f(alpha, k * i / 4096));
  if (peak > cap * (1 + 1e-9) && heuristic.empty())
    heuristic = "the coupled map is not monotone on [0, " + fmt(k) +
                "] (it peaks at " + fmt(peak) + " > " + fmt(cap) + ")";
  if (!heuristic.empty() && !c.strict()) {
    InFlightDiagnostic warning = emitWarning(loc);
    // Through a structure, the bound is the factor's share of the written c.
    if (c.attr.getConstraintOrigin() == ConstraintOrigin::Factor)
      warning << "on factor '" << param.getSymName() << "', its share "
              << fmt(cap) << " of ";
    warning << "spectral_bound(" << fmt(cap)
            << ", method = soft_cap) is only a heuristic for "
            << "this configuration: " << heuristic
            << "; use strict = true, hard_cap or svd_clip for a guarantee";
  }
  return bound;
}

/// Singular values clipped by the runtime's LAPACK SVD.
struct SvdClip final : SpectralMethodBase {
  std::optional<ProjectionKind> creationProjection() const override {
    return ProjectionKind::SvdClip;
  }
  bool atRuntime() const override { return true; }
  void projectStored(Projector &p, const Constraint &c) const override {
    p.projectStored(c.loc(p.param.getLoc()), ProjectionKind::SvdClip,
                    c.bound());
  }
  GuaranteeText methodGuarantee(ParamOp, const Constraint &,
                                OptimizerGroupOp) const override {
    return {Guarantee::Exact,
            "singular values clipped (LAPACK SVD) after every step"};
  }
};

/// σ(U Vᵀ) ≤ c for two factors (lowrank, lora), exactly: a runtime routine
/// clips the singular values of the product through thin SVDs of U and V
/// and the SVD of the r × r core, W never formed. After a step it runs in
/// @step_finish, once every tensor has stored its update (U and V may be in
/// different optimizer groups, and on different ranks of a sharded step).
struct ProductClip final : SpectralMethodBase {
  bool atRuntime() const override { return true; }
  // U diag(d) Vᵀ (sorsa, loldu) is carried by the diagonal d.
  bool appliesToVectors() const override { return true; }
  void projectStored(Projector &p, const Constraint &c) const override {
    OpBuilder::InsertionGuard guard(p.b);
    if (!p.creation) {
      auto module = p.param->getParentOfType<ModuleOp>();
      auto finish = module.lookupSymbol<func::FuncOp>("step_finish");
      if (!finish)
        return; // no optimizer: the factors never change after creation
      p.b.setInsertionPoint(finish.getBody().back().getTerminator());
    }
    SpectralBoundAttr s = c.spectral();
    auto unit = [&](bool set) { return set ? p.b.getUnitAttr() : nullptr; };
    ProjectParamOp::create(
        p.b, c.loc(p.param.getLoc()), p.sym(),
        ProjectionKindAttr::get(p.b.getContext(), ProjectionKind::ProductClip),
        p.b.getF64FloatAttr(c.bound()), s.getPartner(),
        unit(s.getTransposed()), s.getLeft(), unit(s.getFixed()));
  }
  GuaranteeText methodGuarantee(ParamOp, const Constraint &c,
                                OptimizerGroupOp) const override {
    SpectralBoundAttr s = c.spectral();
    if (s.getFixed())
      return {Guarantee::Exact,
              "the trained diagonal scaled so that the product's sigma_max <= "
              "c after every step (thin SVDs of the frozen factors and of the "
              "r x r core; an exact bound, not the nearest point; the "
              "method is not needed)"};
    return {Guarantee::Exact,
            "singular values of the product clipped exactly after every step "
            "(thin SVDs of both factors and of the r x r core; the method is "
            "not needed)"};
  }
};

/// bone(mode = bat)'s term ΔW, whose row block i is M_i (I ⊗ B_i) with
/// M = base + (1ᵀ ⊗ I): σ(ΔW)² ≤ Σ_i σ(M_i)² σ(B_i)² =: β², so every B_i
/// scaled by c/β when β > c keeps σ(ΔW) ≤ c. A runtime routine takes the
/// sound Gram bounds of each M_i and B_i after every step, right after B
/// is stored (the base is frozen).
struct RowBlockScale final : SpectralMethodBase {
  bool atRuntime() const override { return true; }
  void projectStored(Projector &p, const Constraint &c) const override {
    ProjectParamOp::create(
        p.b, c.loc(p.param.getLoc()), p.sym(),
        ProjectionKindAttr::get(p.b.getContext(),
                                ProjectionKind::RowBlockScale),
        p.b.getF64FloatAttr(c.bound()), c.spectral().getPartner(),
        /*transposed=*/nullptr, /*left=*/nullptr, /*fixed=*/nullptr);
  }
  GuaranteeText methodGuarantee(ParamOp, const Constraint &,
                                OptimizerGroupOp) const override {
    return {Guarantee::Exact,
            "every B_i scaled after every step so that sqrt(sum_i "
            "sigma(M_i)^2 sigma(B_i)^2) <= c (Gram bounds; sound, not "
            "tight; the method is not needed)"};
  }
};

//===----------------------------------------------------------------------===//
// norm_bound, orthonormal, rank_at_most
//===----------------------------------------------------------------------===//

/// W · c / max(‖W‖, c), per row, column or whole.
struct NormBound final : ConstraintMethod {
  FailureOr<Value> project(Projector &p, const Constraint &c,
                           Value value) const override {
    auto norm = cast<NormBoundAttr>(c.attr);
    return NormBoundOp::create(
               p.b, c.loc(p.param.getLoc()), value.getType(), value,
               p.b.getF64FloatAttr(c.bound()),
               NormKindAttr::get(p.b.getContext(), norm.getNorm()))
        .getResult();
  }
  GuaranteeText guarantee(ParamOp, const Constraint &,
                          OptimizerGroupOp) const override {
    return {Guarantee::Exact, "scaling projection"};
  }
};

/// The polar factor by Newton–Schulz: from scratch at creation, from the
/// nearly orthonormal updated weight after a step. Also the retraction that
/// keeps svd's and orthogonal's factors orthonormal.
struct Orthonormal final : ConstraintMethod {
  bool needsPowerVector() const override { return true; }
  FailureOr<Value> project(Projector &p, const Constraint &c,
                           Value value) const override {
    Location loc = c.loc(p.param.getLoc());
    OpBuilder &b = p.b;
    if (p.creation) {
      value =
          PolarIterationOp::create(b, loc, value.getType(), value, Value(),
                                   b.getI64IntegerAttr(kPolarCreationSteps));
      // Start the σ estimate of later steps converged (σ = 1 now).
      p.powerIteration(loc, value, kCreationPowerIterations);
      return value;
    }
    // After an update: X₀ = W/max(1, σ̂) keeps every σ/s below √3.
    auto power = p.powerIteration(loc, value, kStepIterations);
    Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
    Value scale = arith::MaximumFOp::create(b, loc, power.getSigma(), one);
    return PolarIterationOp::create(b, loc, value.getType(), value, scale,
                                    b.getI64IntegerAttr(kPolarStepSteps))
        .getResult();
  }
  GuaranteeText guarantee(ParamOp, const Constraint &c,
                          OptimizerGroupOp) const override {
    if (c.attr.getConstraintOrigin() == ConstraintOrigin::Retraction) {
      std::string factor = c.attr.getStructureKind() == StructureKind::Svd
                               ? "svd"
                               : "orthogonal";
      return {Guarantee::Conditional,
              "retraction of the " + factor +
                  " factor: polar Newton-Schulz after each update (6 steps; "
                  "40 at creation)"};
    }
    return {Guarantee::Conditional,
            "polar Newton-Schulz iteration (6 steps after each update, 40 at "
            "creation): exact to float precision while the update keeps every "
            "singular value in (0, 1.7)"};
  }
};

/// The truncated SVD, by the runtime (at creation before any spectral clip:
/// the nearest point of {rank ≤ r, σ ≤ c} is truncate, then clip).
struct RankAtMost final : ConstraintMethod {
  bool atRuntime() const override { return true; }
  void projectStored(Projector &p, const Constraint &c) const override {
    p.projectStored(c.loc(p.param.getLoc()), ProjectionKind::RankAtMost,
                    cast<RankAtMostAttr>(c.attr).getR());
  }
  GuaranteeText guarantee(ParamOp, const Constraint &,
                          OptimizerGroupOp) const override {
    return {Guarantee::Exact, "truncated SVD (LAPACK) after every step"};
  }
};

const ConstraintMethod &spectralMethod(SpectralMethod method) {
  static const Normalize normalize;
  static const SoftCap softCap;
  static const HardCap hardCap;
  static const Hammer hammer;
  static const SvdClip svdClip;
  static const Clamp clamp;
  static const ProductClip productClip;
  static const RowBlockScale rowBlockScale;
  switch (method) {
  case SpectralMethod::Normalize:
    return normalize;
  case SpectralMethod::SoftCap:
    return softCap;
  case SpectralMethod::HardCap:
    return hardCap;
  case SpectralMethod::Hammer:
    return hammer;
  case SpectralMethod::SvdClip:
    return svdClip;
  case SpectralMethod::Clamp:
    return clamp;
  case SpectralMethod::ProductClip:
    return productClip;
  case SpectralMethod::RowBlockScale:
    return rowBlockScale;
  }
  llvm_unreachable("unknown spectral method");
}

} // namespace

/// How each kind of factor share composes (throughStructure without the
/// method's own slack).
static std::string composition(ConstraintAttrInterface constraint) {
  bool spectral = isa<SpectralBoundAttr>(constraint);
  bool orthonormal = isa<OrthonormalAttr>(constraint);
  switch (constraint.getStructureKind().value_or(StructureKind::Dense)) {
  case StructureKind::BlockDiag:
    return orthonormal ? "every block orthonormal: W is (exact)"
           : spectral  ? "each block <= c: sigma(W) is the largest block's "
                         "(exact)"
                       : "each block's rows/columns <= c, Frobenius c/sqrt(b) "
                         "(exact for rows and columns)";
  case StructureKind::Kronecker:
    return orthonormal ? "orthonormal factors: A (x) B is (exact)"
           : spectral
               ? "each A_i, B_i <= sqrt(c/k): sigma(sum A_i (x) B_i) <= "
                 "sum sigma(A_i) sigma(B_i) <= c (sound; exact for one term)"
               : "each factor <= sqrt(c): the norms of A (x) B factor (exact)";
  case StructureKind::Monarch:
    return orthonormal ? "orthonormal blocks: P L P^T R is (exact)"
           : spectral
               ? "each block of L and R <= sqrt(c): sigma(W) <= sigma(L) "
                 "sigma(R) <= c (sound)"
               : "through the structure";
  case StructureKind::LowRank:
    return "W = U V^T";
  case StructureKind::Lora:
    return "bounds the adapter term s*B A (c/s on B A)";
  case StructureKind::Bone:
    if (auto s = dyn_cast<SpectralBoundAttr>(constraint);
        s && s.getMethod() == SpectralMethod::RowBlockScale)
      return "bat: row block i of the adapter term is M_i (I (x) B_i), M = "
             "base + (1 (x) I): sigma <= sqrt(sum_i sigma(M_i)^2 "
             "sigma(B_i)^2) <= c (sound)";
    return "B <= c/sqrt(IN/r): the adapter term has sigma = sqrt(IN/r) "
           "sigma(B) <= c (exact)";
  case StructureKind::Sorsa:
    return "bounds the adapter term s*B diag(S) A (c/s on B diag(S) A; a "
           "clip re-splits B, S, A by the core's SVD)";
  case StructureKind::LoLDU:
    return "bounds the adapter term s*(PL)_r diag(z) U_r (c/s on the "
           "product; only z moves)";
  default:
    return "through the structure";
  }
}

std::string wl::throughStructure(ConstraintAttrInterface constraint) {
  std::string text = composition(constraint);
  // hard_cap's slack multiplies through a product of two factors.
  auto s = dyn_cast<SpectralBoundAttr>(constraint);
  std::optional<StructureKind> kind = constraint.getStructureKind();
  if (s && s.getMethod() == SpectralMethod::HardCap &&
      (kind == StructureKind::Kronecker || kind == StructureKind::Monarch))
    text += "; with hard_cap each factor <= 1.011 x its share, the product "
            "<= 1.011^2 c = 1.022 c";
  return text;
}

const ConstraintMethod &wl::methodOf(ConstraintAttrInterface constraint) {
  static const ByStructure byStructure;
  static const NormBound normBound;
  static const Orthonormal orthonormal;
  static const RankAtMost rankAtMost;
  if (constraint.getConstraintOrigin() == ConstraintOrigin::Structure)
    return byStructure;
  return *llvm::TypeSwitch<Attribute, const ConstraintMethod *>(constraint)
              .Case([](SpectralBoundAttr s) {
                return &spectralMethod(s.getMethod());
              })
              .Case([&](NormBoundAttr) { return &normBound; })
              .Case([&](OrthonormalAttr) { return &orthonormal; })
              .Case([&](RankAtMostAttr) { return &rankAtMost; });
}
