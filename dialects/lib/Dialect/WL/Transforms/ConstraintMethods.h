//===- ConstraintMethods.h - one entry per constraint method ----*- C++ -*-===//
//
// Each way a constraint is kept (spectral_bound's methods, norm_bound,
// orthonormal, rank_at_most, and constraints a structure satisfies by itself)
// is one ConstraintMethod: how it projects at creation, how it projects after
// a step (generated code before the store, or a runtime routine on the stored
// parameter), what it guarantees, and its coupling to the optimizer.
// wl-generate-constraints only orders them (GenerateConstraints.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef WL_DIALECT_WL_TRANSFORMS_CONSTRAINTMETHODS_H
#define WL_DIALECT_WL_TRANSFORMS_CONSTRAINTMETHODS_H

#include "wl/Dialect/WL/IR/WL.h"

#include "mlir/IR/Builders.h"

#include <optional>
#include <string>
#include <utility>

namespace wl {

/// Power iterations at creation: the vector starts converged on the weight.
constexpr int64_t kCreationPowerIterations = 15;

/// The shape [m, n] of each matrix of a parameter: its own shape, or that of
/// the slices of a stack [g, m, n].
std::pair<int64_t, int64_t> matrixShape(ParamOp param);

/// One constraint of a parameter, with its common questions.
struct Constraint {
  ConstraintAttrInterface attr;

  mlir::Location loc(mlir::Location fallback) const {
    mlir::LocationAttr l = attr.getLocation();
    return l ? mlir::Location(l) : fallback;
  }
  SpectralBoundAttr spectral() const {
    return mlir::dyn_cast<SpectralBoundAttr>(attr);
  }
  /// c of a spectral or norm bound.
  double bound() const;
  bool strict() const { return spectral() && spectral().getStrict(); }
  /// Satisfied by the weight's structure itself (orthogonal): nothing to
  /// generate.
  bool byStructure() const {
    return attr.getConstraintOrigin() == ConstraintOrigin::Structure;
  }
};

/// What a method needs while it generates code for one parameter: the
/// builder, the parameter, its optimizer group (null when untrained), and
/// whether this is @project() (creation) or a step.
struct Projector {
  mlir::OpBuilder &b;
  ParamOp param;
  OptimizerGroupOp group;
  bool creation;
  /// In a stacked parameter ([g, m, n], projected one matrix at a time inside
  /// a loop): the matrix's index and the loop-carried `power_u` [g, m]; null
  /// for a plain matrix.
  mlir::Value matrixIndex = nullptr;
  mlir::Value *stackedU = nullptr;

  mlir::FlatSymbolRefAttr sym() {
    return mlir::FlatSymbolRefAttr::get(param.getSymNameAttr());
  }
  /// `iterations` power iterations on w from the stored vector `power_u`,
  /// which is updated (its row `matrixIndex` in a stacked parameter).
  PowerIterationOp powerIteration(mlir::Location loc, mlir::Value w,
                                  int64_t iterations);
  /// A runtime projection of the stored parameter.
  void projectStored(mlir::Location loc, ProjectionKind kind, double argument);
  /// The group's lr at this step: the schedule factor of the enclosing step
  /// function times the group's lr (the peak lr where there is no schedule).
  mlir::Value scheduledLr(mlir::Location loc);
};

class ConstraintMethod {
public:
  virtual ~ConstraintMethod() = default;

  /// At creation, spectral bounds are met exactly after the store, by the
  /// sound rescale W·c/max(β, c) (Strict) or by clipping (SvdClip); methods
  /// without one run `project` at creation too.
  virtual std::optional<ProjectionKind> creationProjection() const {
    return std::nullopt;
  }
  /// Whether the projection is a runtime routine on the stored parameter
  /// (`projectStored`) rather than generated code before the store.
  virtual bool atRuntime() const { return false; }
  /// Whether it also applies to vectors (svd's s, diagonal's d).
  virtual bool appliesToVectors() const { return false; }
  /// Whether it keeps a power-iteration vector `power_u` in the state.
  virtual bool needsPowerVector() const { return false; }
  /// The new value projected before the store (p.creation: the exact
  /// creation-time form).
  virtual mlir::FailureOr<mlir::Value>
  project(Projector &p, const Constraint &c, mlir::Value value) const {
    return value;
  }
  /// The runtime projection after the store.
  virtual void projectStored(Projector &p, const Constraint &c) const {}
  /// What it guarantees for this configuration, and why (`wlc --report`).
  virtual std::pair<Guarantee, std::string>
  guarantee(ParamOp param, const Constraint &c,
            OptimizerGroupOp group) const = 0;
};

/// How a constraint carried onto a factor (ConstraintOrigin::Factor) bounds
/// the structured term it was written on (`wlc --report`).
std::string throughStructure(ConstraintAttrInterface constraint);

/// The entry that keeps `constraint`.
const ConstraintMethod &methodOf(ConstraintAttrInterface constraint);

} // namespace wl

#endif // WL_DIALECT_WL_TRANSFORMS_CONSTRAINTMETHODS_H
