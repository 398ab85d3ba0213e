//===- MLIRGen.cpp - AST -> wl dialect ------------------------------------===//
//
// The AST is already checked and resolved (every known call has its defaults
// filled in, every expression its width), so this file only translates and
// refuses what the compiler does not generate yet.
//
//===----------------------------------------------------------------------===//
#include "wl/Compiler/MLIRGen.h"

#include "wl/Dialect/WL/IR/WL.h"
#include "wl/Lang/AST.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace wl;

namespace {

/// A number as a user writes it (%g): 1, 0.5, 1e-3.
std::string asWritten(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", v);
  return buffer;
}

class MLIRGenImpl {
public:
  MLIRGenImpl(MLIRContext &context, const lang::Model &model)
      : builder(&context), model(model) {}

  OwningOpRef<ModuleOp> run() {
    module = ModuleOp::create(loc(model.loc));
    builder.setInsertionPointToEnd(module->getBody());
    if (!model.input || !model.forward || !model.label || !model.loss)
      return fail(model.loc, "model '" + model.name + "' needs an input, a label or target, a "
                                                      "forward block and a loss");
    emitModelAttributes();
    for (const lang::Param &p : model.params)
      if (failed(emitParam(p)))
        return nullptr;
    for (const lang::Linear &l : model.layers)
      emitLayer(l);
    if (failed(emitOptimize()))
      return nullptr;
    if (failed(emitForward()) || failed(emitLoss()))
      return nullptr;
    emitWeightFunction();
    if (failed(verify(*module)))
      return nullptr;
    return std::move(module);
  }

private:
  OpBuilder builder;
  const lang::Model &model;
  OwningOpRef<ModuleOp> module;

  /// An AST location as an MLIR one (file:line:col).
  Location loc(const lang::Loc &l) {
    return FileLineColLoc::get(builder.getStringAttr(l.file), l.line, l.col);
  }
  std::nullptr_t fail(const lang::Loc &l, const Twine &message) {
    emitError(loc(l)) << message;
    return nullptr;
  }
  LogicalResult notYet(const lang::Loc &l, const Twine &what) {
    emitError(loc(l)) << what << " is not supported yet";
    return failure();
  }

  Type f32() { return builder.getF32Type(); }
  RankedTensorType batchOf(int64_t width) {
    return RankedTensorType::get({ShapedType::kDynamic, width}, f32());
  }

  void emitModelAttributes() {
    bool classes = model.label->kind == lang::Label::Kind::ClassLabel;
    NamedAttrList attrs;
    attrs.append("model", builder.getStringAttr(model.name));
    attrs.append("input_size", builder.getI64IntegerAttr(model.input->size));
    attrs.append("output_size", builder.getI64IntegerAttr(model.outputSize));
    attrs.append("label_kind", builder.getI64IntegerAttr(classes ? 0 : 1));
    attrs.append("target_size", builder.getI64IntegerAttr(classes ? 1 : model.label->size));
    (*module)->setAttr("wl.model", attrs.getDictionary(builder.getContext()));
  }

  /// `init = ...` of a dense weight or a bias as the wl.param init attribute.
  FailureOr<InitAttr> initAttr(const lang::Call &init) {
    MLIRContext *ctx = builder.getContext();
    std::optional<InitKind> kind = symbolizeInitKind(init.name);
    if (!kind)
      return notYet(init.loc, "initialiser '" + init.name + "'");
    switch (*kind) {
    case InitKind::Normal:
      return InitAttr::getNormal(ctx, init.getNumber("std"));
    case InitKind::Uniform:
      return InitAttr::getUniform(ctx, init.getNumber("a"));
    case InitKind::From: {
      // The file is resolved against the .wl file's directory now, so the
      // library finds it wherever it runs.
      FailureOr<std::string> path = resolveFile(init);
      if (failed(path))
        return failure();
      return InitAttr::get(ctx, *kind, std::nullopt, std::nullopt, builder.getStringAttr(*path),
                           builder.getStringAttr(init.find("name")->value.text));
    }
    case InitKind::Zeros:
    case InitKind::Ones:
    case InitKind::Orthogonal:
      return InitAttr::get(ctx, *kind);
    }
    llvm_unreachable("unknown init kind");
  }

  /// `from("f.safetensors", ...)`'s file as an absolute path, relative to the
  /// .wl file's directory; an error at the call when it does not exist.
  FailureOr<std::string> resolveFile(const lang::Call &init) {
    const std::string &written = init.find("file")->value.text;
    llvm::SmallString<256> path(written);
    if (!llvm::sys::path::is_absolute(path)) {
      path = llvm::sys::path::parent_path(init.loc.file);
      llvm::sys::path::append(path, written);
    }
    llvm::sys::fs::make_absolute(path);
    llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
    if (!llvm::sys::fs::exists(path))
      return (emitError(loc(init.loc)) << "cannot find the safetensors file '" << written
                                       << "' (looked for " << path.str() << ")",
              failure());
    return std::string(path.str());
  }

  /// The `with ...` constraints of a dense term, each with its source
  /// location (for the pass's diagnostics).
  FailureOr<ArrayAttr> constraintAttrs(const lang::Term &term) {
    SmallVector<Attribute> out;
    for (const lang::Call &c : term.constraints) {
      Attribute attr = writtenConstraint(c, ConstraintOrigin::Written, /*structure=*/nullptr);
      if (!attr)
        return (void)notYet(c.loc, "constraint '" + c.name + "'"), failure();
      out.push_back(attr);
    }
    if (out.empty())
      return ArrayAttr();
    return builder.getArrayAttr(out);
  }

  /// A written constraint as its attribute (null when unknown).
  Attribute writtenConstraint(const lang::Call &c, ConstraintOrigin origin,
                              StructureKindAttr structure) {
    MLIRContext *ctx = builder.getContext();
    LocationAttr l = loc(c.loc);
    if (c.name == "spectral_bound") {
      std::optional<SpectralMethod> method = symbolizeSpectralMethod(c.getName("method", "normalize"));
      return SpectralBoundAttr::get(ctx, APFloat(c.getNumber("c")), method.value_or(SpectralMethod::Normalize),
                                    c.getBool("strict"), l, origin, structure);
    }
    if (c.name == "norm_bound") {
      std::optional<NormKind> norm = symbolizeNormKind(c.getName("norm", "frobenius"));
      return NormBoundAttr::get(ctx, APFloat(c.getNumber("c")), norm.value_or(NormKind::Frobenius), l,
                                origin, structure);
    }
    if (c.name == "rank_at_most")
      return RankAtMostAttr::get(ctx, c.getInt("r"), l, origin, structure);
    if (c.name == "orthonormal") // WᵀW = I (WWᵀ = I when OUT < IN)
      return OrthonormalAttr::get(ctx, l, origin, structure);
    return nullptr;
  }

  LogicalResult emitParam(const lang::Param &p) {
    const lang::Linear &layer = model.layers[p.layerIndex];
    InitAttr init;
    ArrayAttr constraints;
    if (p.termIndex < 0) { // the bias
      FailureOr<InitAttr> a =
          layer.bias.kind == lang::Bias::Kind::Init ? initAttr(layer.bias.init)
                                                    : initAttr(lang::Call{"zeros", {}, false, {}});
      if (failed(a))
        return failure();
      init = *a;
    } else {
      const lang::Term &term = layer.weight.terms[p.termIndex];
      const std::string &structure = term.structure.name;
      if (structure != "dense")
        return emitStructuredParam(p, layer, term);
      FailureOr<ArrayAttr> attrs = constraintAttrs(term);
      if (failed(attrs))
        return failure();
      constraints = *attrs;
      const lang::Arg *written = term.structure.find("init");
      if (written && !written->implicit) {
        // `init = normal(std = 0.1)` is a call, `init = zeros` an identifier.
        const lang::Value &v = written->value;
        FailureOr<InitAttr> a =
            initAttr(v.call ? *v.call : lang::Call{v.text, {}, false, written->loc});
        if (failed(a))
          return failure();
        init = *a;
      } else {
        // The dense default: normal with std 1/sqrt(IN).
        init = initOf(InitKind::Normal, 1.0 / std::sqrt(double(layer.in)));
      }
    }
    auto type = RankedTensorType::get(p.shape, f32());
    ParamOp::create(builder, loc(layer.loc), p.name, type, init, p.trainable,
                    /*state=*/nullptr, /*offset=*/nullptr, /*grad_offset=*/nullptr,
                    /*state_offsets=*/nullptr, /*state_types=*/nullptr, constraints);
    return success();
  }

  /// A written `init = ...` of a structure, if any.
  FailureOr<InitAttr> writtenInit(const lang::Call &structure, InitAttr fallback) {
    const lang::Arg *written = structure.find("init");
    if (!written || written->implicit)
      return fallback;
    const lang::Value &v = written->value;
    return initAttr(v.call ? *v.call : lang::Call{v.text, {}, false, written->loc});
  }

  InitAttr initOf(InitKind kind, std::optional<double> std = std::nullopt) {
    return std ? InitAttr::getNormal(builder.getContext(), *std) : InitAttr::get(builder.getContext(), kind);
  }

  /// The retraction that keeps a factor orthonormal (svd's U and V, and
  /// orthogonal(polar)'s weight): the `orthonormal` projection after each step.
  Attribute retraction(const lang::Call &structure, StructureKind kind) {
    return OrthonormalAttr::get(builder.getContext(), loc(structure.loc),
                                ConstraintOrigin::Retraction,
                                StructureKindAttr::get(builder.getContext(), kind));
  }

  /// The parameters of `orthogonal`, `svd` and `diagonal` (LANGUAGE.md's
  /// names), their initialisers, and where each `with` constraint goes.
  LogicalResult emitStructuredParam(const lang::Param &p, const lang::Linear &layer,
                                    const lang::Term &term) {
    const lang::Call &s = term.structure;
    const std::string &structure = s.name;
    int64_t n = std::max(layer.in, layer.out);
    SmallVector<Attribute> constraints;
    InitAttr init;
    auto unsupported = [&](const lang::Call &c) {
      return notYet(c.loc, "constraint '" + c.name + "' on structure '" + structure + "'");
    };
    if (structure == "orthogonal") {
      std::string method = s.getName("method", "cayley");
      // Q is orthonormal (σ = 1 for every singular value): by construction,
      // or for polar by the projection after each step.
      StructureKind kind = termKind(term);
      auto kindAttr = StructureKindAttr::get(builder.getContext(), kind);
      if (kind == StructureKind::OrthogonalPolar) {
        init = initOf(InitKind::Orthogonal);
        constraints.push_back(retraction(s, kind));
      } else {
        init = kind == StructureKind::OrthogonalHouseholder
                   ? initOf(InitKind::Normal, 1.0)
                   : initOf(InitKind::Normal, 1.0 / std::sqrt(double(n)));
      }
      for (const lang::Call &c : term.constraints) {
        if (c.name == "orthonormal") {
          constraints.push_back(writtenConstraint(c, ConstraintOrigin::Structure, kindAttr));
        } else if (c.name == "spectral_bound") {
          if (c.getNumber("c") < 1.0)
            return (emitError(loc(c.loc))
                        << "spectral_bound(" << asWritten(c.getNumber("c"))
                        << ") cannot hold for orthogonal(" << method
                        << "): every singular value of an orthogonal weight is 1",
                    failure());
          constraints.push_back(writtenConstraint(c, ConstraintOrigin::Structure, kindAttr));
        } else {
          return unsupported(c);
        }
      }
    } else if (structure == "svd" || structure == "diagonal") {
      bool isScale = p.role == "weight.s" || p.role == "weight.d";
      StructureKind kind = termKind(term);
      if (isScale) {
        FailureOr<InitAttr> a = writtenInit(s, initOf(InitKind::Ones));
        if (failed(a))
          return failure();
        init = *a;
        for (const lang::Call &c : term.constraints) {
          if (c.name != "spectral_bound")
            return unsupported(c);
          // σ(W) = |s| (|d|): clamping is the exact projection.
          constraints.push_back(SpectralBoundAttr::get(
              builder.getContext(), APFloat(c.getNumber("c")), SpectralMethod::Clamp, /*strict=*/false,
              loc(c.loc), ConstraintOrigin::Written,
              StructureKindAttr::get(builder.getContext(), kind)));
        }
      } else {
        init = initOf(InitKind::Orthogonal);
        constraints.push_back(retraction(s, kind));
      }
    } else {
      if (!term.constraints.empty())
        return unsupported(term.constraints.front());
      FailureOr<InitAttr> a = factorInit(p, layer, s);
      if (failed(a))
        return failure();
      init = *a;
    }
    auto type = RankedTensorType::get(p.shape, f32());
    ArrayAttr list = constraints.empty() ? ArrayAttr() : builder.getArrayAttr(constraints);
    ParamOp::create(builder, loc(layer.loc), p.name, type, init, p.trainable,
                    /*state=*/nullptr, /*offset=*/nullptr, /*grad_offset=*/nullptr,
                    /*state_offsets=*/nullptr, /*state_types=*/nullptr, list);
    return success();
  }

  /// The initialiser of a factor of lowrank, kronecker, monarch, blockdiag,
  /// frozen, lora, bone and svfit (LANGUAGE.md, ALGORITHMS.md): random
  /// factors scaled so that the product has the dense init's scale
  /// (entries of variance 1/IN); zeros for what starts the adapter at ΔW = 0
  /// or what a creation-time re-split fills (pissa, svfit, kpsvd).
  FailureOr<InitAttr> factorInit(const lang::Param &p, const lang::Linear &layer,
                                       const lang::Call &s) {
    const std::string &n = s.name;
    double in = double(layer.in);
    std::string written = s.getName("init");
    bool resplit = (n == "lora" && written == "pissa") || (n == "kronecker" && written == "kpsvd") ||
                   n == "svfit";
    if (resplit)
      return initOf(InitKind::Zeros);
    if (n == "frozen") {
      const lang::Arg *a = s.find("init");
      const lang::Value &v = a->value;
      return initAttr(v.call ? *v.call : lang::Call{v.text, {}, false, a->loc});
    }
    if (n == "lora") {
      if (p.role == "weight.lora_B")
        return initOf(InitKind::Zeros);
      // A ~ U(-1/sqrt(IN), 1/sqrt(IN))
      return InitAttr::getUniform(builder.getContext(), 1.0 / std::sqrt(in));
    }
    if (n == "bone")
      return initOf(InitKind::Zeros);
    double std = 0;
    if (n == "lowrank") // Σ_r U V: r products
      std = std::pow(double(s.getInt("rank")) * in, -0.25);
    else if (n == "kronecker") // Σ_k A⊗B: k products
      std = std::pow(double(s.getInt("terms", 1)) * in, -0.25);
    else if (n == "monarch") // one product L·R per entry
      std = std::pow(in, -0.25);
    else if (n == "blockdiag") // fan-in IN/b
      std = 1.0 / std::sqrt(in / double(s.getInt("blocks")));
    else
      return notYet(s.loc, "structure '" + n + "'");
    return writtenInit(s, initOf(InitKind::Normal, std));
  }

  /// `dense`, `orthogonal(cayley)`, `lora`, ...: one term's name.
  static std::string termName(const lang::Term &t) {
    const lang::Call &s = t.structure;
    if (s.name == "orthogonal")
      return "orthogonal(" + s.getName("method", "cayley") + ")";
    return s.name;
  }

  /// One term's structure kind (orthogonal(cayley) is orthogonal_cayley).
  static StructureKind termKind(const lang::Term &t) {
    const lang::Call &s = t.structure;
    std::string name = s.name == "orthogonal" ? "orthogonal_" + s.getName("method", "cayley") : s.name;
    std::optional<StructureKind> kind = symbolizeStructureKind(name);
    if (!kind)
      llvm::report_fatal_error("MLIRGen: unknown structure " + llvm::Twine(name));
    return *kind;
  }

  /// The parameter of term `term` of `layer` with role `role` ("weight.U").
  const lang::Param &param(const lang::Linear &layer, size_t term, StringRef role) {
    for (const lang::Param &p : model.params)
      if (p.layer == layer.name && p.termIndex == static_cast<int>(term) && p.role == role)
        return p;
    llvm::report_fatal_error("MLIRGen: no parameter " + layer.name + "." + role);
  }
  Value paramRef(const lang::Param &p, Location l) { return paramRef(p.name, p.shape, l); }

  void emitLayer(const lang::Linear &l) {
    MLIRContext *ctx = builder.getContext();
    std::string bias = l.bias.kind == lang::Bias::Kind::None ? "" : l.name + ".bias";
    SmallVector<Attribute> factors;
    for (const lang::Param &p : model.params)
      if (p.layer == l.name && p.termIndex >= 0)
        factors.push_back(FlatSymbolRefAttr::get(ctx, p.name));
    SmallVector<Attribute> terms;
    for (const lang::Term &t : l.weight.terms)
      terms.push_back(StructureKindAttr::get(ctx, termKind(t)));
    bool dense = terms.size() == 1 && (termKind(l.weight.terms[0]) == StructureKind::Dense ||
                                       termKind(l.weight.terms[0]) == StructureKind::OrthogonalPolar);
    std::string weight = dense ? l.name + ".weight"
                               : cast<FlatSymbolRefAttr>(factors.front()).getValue().str();
    auto layer = LayerOp::create(builder, loc(l.loc), l.name, l.in, l.out,
                                 builder.getArrayAttr(terms), weight,
                                 bias.empty() ? nullptr : FlatSymbolRefAttr::get(ctx, bias),
                                 dense ? nullptr : builder.getArrayAttr(factors));
    // Initialisers that re-split the frozen base at creation (wl-generate-
    // constraints puts the runtime routine first in @project).
    for (auto [t, term] : llvm::enumerate(l.weight.terms)) {
      const lang::Call &s = term.structure;
      std::optional<ResplitKind> kind =
          s.name == "svfit"                                         ? ResplitKind::SvFit
          : s.name == "lora" && s.getName("init") == "pissa"        ? ResplitKind::Pissa
          : s.name == "kronecker" && s.getName("init") == "kpsvd"   ? ResplitKind::KpSvd
                                                                     : std::optional<ResplitKind>();
      if (!kind)
        continue;
      // The factors in the runtime routine's order (wlgen.h).
      SmallVector<StringRef> roles = *kind == ResplitKind::Pissa   ? SmallVector<StringRef>{"weight.lora_A", "weight.lora_B"}
                                     : *kind == ResplitKind::SvFit ? SmallVector<StringRef>{"weight.U", "weight.s", "weight.V"}
                                                                   : SmallVector<StringRef>{"weight.A", "weight.B"};
      SmallVector<Attribute> into;
      for (StringRef role : roles)
        into.push_back(FlatSymbolRefAttr::get(ctx, param(l, t, role).name));
      NamedAttrList attrs;
      attrs.append("kind", ResplitKindAttr::get(ctx, *kind));
      attrs.append("base", FlatSymbolRefAttr::get(ctx, l.name + ".weight.base"));
      attrs.append("factors", builder.getArrayAttr(into));
      layer->setAttr("wl.resplit", attrs.getDictionary(ctx));
    }
  }

  LogicalResult emitOptimize() {
    const lang::Optimize &opt = model.optimize;
    for (auto [index, group] : llvm::enumerate(opt.groups)) {
      SmallVector<Attribute> targets;
      for (const lang::Param &p : model.params)
        if (p.group == static_cast<int>(index))
          targets.push_back(FlatSymbolRefAttr::get(builder.getContext(), p.name));
      if (targets.empty())
        continue;
      const lang::Call &o = group.optimizer;
      NamedAttrList hyper;
      auto number = [&](StringRef name) {
        hyper.append(name, builder.getF64FloatAttr(o.getNumber(name.str())));
      };
      // `betas = (b1, b2)` becomes beta1 and beta2.
      auto betas = [&]() {
        const lang::Arg *arg = o.find("betas");
        hyper.append("beta1", builder.getF64FloatAttr(arg->value.elems[0].number));
        hyper.append("beta2", builder.getF64FloatAttr(arg->value.elems[1].number));
      };
      number("lr");
      number("weight_decay");
      if (o.name == "sgd") {
        number("momentum");
        hyper.append("nesterov", builder.getBoolAttr(o.getBool("nesterov")));
      } else if (o.name == "adamw" || o.name == "adamp") {
        betas();
        number("eps");
        if (o.name == "adamp") {
          number("delta");
          number("wd_ratio");
        }
      } else if (o.name == "muon") {
        number("momentum");
        hyper.append("nesterov", builder.getBoolAttr(o.getBool("nesterov")));
        hyper.append("ns_steps", builder.getI64IntegerAttr(o.getInt("ns_steps")));
      } else if (o.name == "lion") {
        betas();
      } else {
        return notYet(o.loc, "optimizer '" + o.name + "'");
      }
      OptimizerGroupOp::create(builder, loc(group.loc), o.name, builder.getArrayAttr(targets),
                               hyper.getDictionary(builder.getContext()));
    }
    if (opt.schedule) {
      const lang::Call &s = *opt.schedule;
      ScheduleOp::create(builder, loc(s.loc), s.name, s.getInt("warmup"), s.getInt("total"));
    }
    return success();
  }

  /// Values of the forward block's variables.
  using Scope = llvm::StringMap<Value>;

  FailureOr<Value> emitExpr(const lang::Expr &e, Scope &scope) {
    Location l = loc(e.loc);
    switch (e.kind) {
    case lang::Expr::Kind::Var: {
      auto it = scope.find(e.name);
      if (it == scope.end())
        return (emitError(l) << "undefined name '" << e.name << "'", failure());
      return it->second;
    }
    case lang::Expr::Kind::Add: {
      FailureOr<Value> a = emitExpr(e.operands[0], scope), b = emitExpr(e.operands[1], scope);
      if (failed(a) || failed(b))
        return failure();
      return AddOp::create(builder, l, a->getType(), *a, *b).getResult();
    }
    case lang::Expr::Kind::Scale: {
      FailureOr<Value> a = emitExpr(e.operands[0], scope);
      if (failed(a))
        return failure();
      return ScaleOp::create(builder, l, a->getType(), *a, builder.getF64FloatAttr(e.number))
          .getResult();
    }
    case lang::Expr::Kind::Number:
      return (emitError(l) << "a number is not a tensor", failure());
    case lang::Expr::Kind::Call:
      break;
    }
    FailureOr<Value> x = emitExpr(e.operands[0], scope);
    if (failed(x))
      return failure();
    if (e.callee == lang::Expr::Callee::Layer)
      return emitLayerApplication(*model.findLayer(e.name), *x, l);
    Type t = x->getType();
    const std::string &n = e.name;
    if (n == "relu")
      return ReluOp::create(builder, l, t, *x).getResult();
    if (n == "gelu")
      return GeluOp::create(builder, l, t, *x).getResult();
    if (n == "gelu_tanh")
      return GeluTanhOp::create(builder, l, t, *x).getResult();
    if (n == "tanh")
      return TanhOp::create(builder, l, t, *x).getResult();
    if (n == "sigmoid")
      return SigmoidOp::create(builder, l, t, *x).getResult();
    if (n == "abs")
      return AbsOp::create(builder, l, t, *x).getResult();
    if (n == "identity")
      return IdentityOp::create(builder, l, t, *x).getResult();
    if (n == "groupsort")
      return GroupSortOp::create(builder, l, t, *x, e.params.getInt("k", 2)).getResult();
    return (emitError(l) << "activation '" << n << "' is not supported yet", failure());
  }

  RankedTensorType matrix(int64_t rows, int64_t cols) {
    return RankedTensorType::get({rows, cols}, f32());
  }
  Value paramRef(const std::string &name, ArrayRef<int64_t> shape, Location l) {
    return ParamRefOp::create(builder, l, RankedTensorType::get(shape, f32()),
                              FlatSymbolRefAttr::get(builder.getContext(), name));
  }

  /// ContractOp over `loops` loops: maps[i] lists the loop dims indexing
  /// operand i, the last list the result's.
  Value contract(Location l, RankedTensorType type, ValueRange operands, unsigned loops,
                 ArrayRef<SmallVector<unsigned>> maps) {
    SmallVector<AffineMap> affine;
    for (ArrayRef<unsigned> dims : maps) {
      SmallVector<AffineExpr> exprs;
      for (unsigned d : dims)
        exprs.push_back(builder.getAffineDimExpr(d));
      affine.push_back(AffineMap::get(loops, 0, exprs, builder.getContext()));
    }
    return ContractOp::create(builder, l, type, operands, builder.getAffineMapArrayAttr(affine));
  }
  Value reshape(Location l, Value x, RankedTensorType type) {
    return ReshapeOp::create(builder, l, type, x);
  }

  /// W of a single-term layer whose structure forms it anyway (dense, polar,
  /// Cayley, exp), or the cheap closed forms (householder, svd, diagonal);
  /// null for the others.
  Value emitDirectWeight(const lang::Linear &layer, Location l) {
    if (layer.weight.terms.size() != 1)
      return nullptr;
    return emitTermWeight(layer, 0, l);
  }

  /// W of term `t` where it has a closed form (see emitDirectWeight).
  Value emitTermWeight(const lang::Linear &layer, size_t t, Location l) {
    std::string structure = termName(layer.weight.terms[t]);
    const std::string w = layer.name + ".weight";
    int64_t n = std::max(layer.in, layer.out), in = layer.in, out = layer.out;
    auto corner = [&](Value q) -> Value {
      if (in == n && out == n)
        return q;
      return LeadingBlockOp::create(builder, l, matrix(out, in), q);
    };
    if (structure == "orthogonal(cayley)")
      return corner(CayleyOp::create(builder, l, matrix(n, n), paramRef(w + ".S", {n, n}, l)));
    if (structure == "orthogonal(exp)")
      return corner(ExpSkewOp::create(builder, l, matrix(n, n), paramRef(w + ".S", {n, n}, l)));
    if (structure == "orthogonal(householder)") {
      // Rows of Q·[I_IN; 0] restricted to OUT are the columns of W: Wᵀ, then transposed.
      int64_t k = layer.weight.terms[t].structure.getInt("reflectors", n);
      Value eye = EyeOp::create(builder, l, matrix(in, in));
      Value wt = HouseholderOp::create(builder, l, matrix(in, out), eye, paramRef(w + ".v", {k, n}, l));
      return TransposeOp::create(builder, l, matrix(out, in), wt);
    }
    if (structure == "svd") {
      int64_t r = layer.weight.terms[t].structure.getInt("rank");
      Value us = ScaleColumnsOp::create(builder, l, matrix(out, r), paramRef(w + ".U", {out, r}, l),
                                        paramRef(w + ".s", {r}, l));
      return MatmulOp::create(builder, l, matrix(out, in), us, paramRef(w + ".V", {in, r}, l),
                              /*transpose_lhs=*/false, /*transpose_rhs=*/true);
    }
    if (structure == "diagonal")
      return ScaleColumnsOp::create(builder, l, matrix(n, n), EyeOp::create(builder, l, matrix(n, n)),
                                    paramRef(w + ".d", {n}, l));
    if (structure == "dense" || structure == "orthogonal(polar)")
      return paramRef(w, {out, in}, l);
    return nullptr;
  }

  /// The layer's effective W [OUT, IN] (for `wlgen_weight`): directly where
  /// the structure has a closed form, else the layer applied to the identity
  /// (its rows are the columns of W), transposed.
  Value emitWeight(const lang::Linear &layer, Location l) {
    if (Value w = emitDirectWeight(layer, l))
      return w;
    Value eye = EyeOp::create(builder, l, matrix(layer.in, layer.in));
    Value wt = emitTerms(layer, eye, l);
    return TransposeOp::create(builder, l, matrix(layer.out, layer.in), wt);
  }

  /// One term of the weight applied to x [B, IN]: [B, OUT], W never formed
  /// for the factored structures.
  Value emitTermApplication(const lang::Linear &layer, size_t t, Value x, Location l) {
    const lang::Call &s = layer.weight.terms[t].structure;
    const std::string name = termName(layer.weight.terms[t]);
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t batch = xType.getDimSize(0), in = layer.in, out = layer.out;
    auto rows = [&](ArrayRef<int64_t> dims) {
      SmallVector<int64_t> shape{batch};
      shape.append(dims.begin(), dims.end());
      return RankedTensorType::get(shape, f32());
    };
    auto p = [&](StringRef role) { return paramRef(param(layer, t, role), l); };
    if (name == "dense" || name == "frozen") {
      Value w = p(name == "dense" ? "weight" : "weight.base");
      return LinearOp::create(builder, l, rows({out}), x, w);
    }
    if (name == "orthogonal(householder)") {
      int64_t n = std::max(in, out), k = s.getInt("reflectors", n);
      return HouseholderOp::create(builder, l, rows({out}), x, paramRef(layer.name + ".weight.v", {k, n}, l));
    }
    if (name == "svd" || name == "svfit") {
      // y = ((x V) · s) Uᵀ.
      int64_t r = s.getInt("rank");
      Value v = MatmulOp::create(builder, l, rows({r}), x, p("weight.V"), false, false);
      v = ScaleColumnsOp::create(builder, l, rows({r}), v, p("weight.s"));
      return MatmulOp::create(builder, l, rows({out}), v, p("weight.U"), false, /*transpose_rhs=*/true);
    }
    if (name == "diagonal")
      return ScaleColumnsOp::create(builder, l, rows({out}), x, p("weight.d"));
    if (name == "lowrank") { // y = U (Vᵀ x)
      int64_t r = s.getInt("rank");
      Value v = MatmulOp::create(builder, l, rows({r}), x, p("weight.V"), false, false);
      return MatmulOp::create(builder, l, rows({out}), v, p("weight.U"), false, true);
    }
    if (name == "lora") { // y = scale · B (A x); PiSSA's scale is 1
      int64_t r = s.getInt("rank", 8);
      Value a = MatmulOp::create(builder, l, rows({r}), x, p("weight.lora_A"), false, true);
      Value y = MatmulOp::create(builder, l, rows({out}), a, p("weight.lora_B"), false, true);
      bool pissa = s.getName("init") == "pissa";
      if (const lang::Arg *alpha = s.find("alpha"); pissa && alpha && !alpha->implicit && !warnedAlpha.count(&s)) {
        warnedAlpha.insert(&s);
        emitWarning(loc(alpha->loc)) << "alpha has no effect with init = pissa: the re-split base "
                                        "and factors reproduce W0 with scale 1";
      }
      double scale = pissa ? 1.0 : s.getNumber("alpha", 8) / double(r);
      return scale == 1.0 ? y : ScaleOp::create(builder, l, y.getType(), y, builder.getF64FloatAttr(scale)).getResult();
    }
    if (name == "kronecker") {
      // Row-major (A ⊗ B) vec(X) = vec(A X Bᵀ), X = x as [n1, n2]:
      // T[b,k,i1,j2] = Σ_j1 A[k,i1,j1] X[b,j1,j2]; Y[b,i1,i2] = Σ_{k,j2} T[b,k,i1,j2] B[k,i2,j2].
      const lang::Arg *a = s.find("a"), *bb = s.find("b");
      int64_t m1 = a->value.elems[0].asInt(), n1 = a->value.elems[1].asInt();
      int64_t m2 = bb->value.elems[0].asInt(), n2 = bb->value.elems[1].asInt();
      int64_t k = s.getInt("terms", 1);
      Value x3 = reshape(l, x, rows({n1, n2}));
      // loops (b, k, i1, j1, j2): j2 innermost streams X and T.
      Value tmp = contract(l, rows({k, m1, n2}), {p("weight.A"), x3}, 5, {{1, 2, 3}, {0, 3, 4}, {0, 1, 2, 4}});
      // loops (b, i1, i2, k, j2): a dot product over j2 innermost.
      Value y3 = contract(l, rows({m1, m2}), {tmp, p("weight.B")}, 5, {{0, 3, 1, 4}, {3, 2, 4}, {0, 1, 2}});
      return reshape(l, y3, rows({out}));
    }
    if (name == "monarch") {
      // h[b,g,c'] = Σ_c R[g,c',c] x[b,g,c]; y[b,g',c'] = Σ_g L[c',g',g] h[b,g,c'].
      // The permutation P is two explicit transposes of the activation (cheap
      // copies), so both block products are dot products over contiguous rows
      // (read through strides, the second one and its VJPs ran 30× slower).
      int64_t blocks = s.getInt("blocks"), c = in / blocks;
      Value x3 = reshape(l, x, rows({blocks, c}));
      Value h = contract(l, rows({blocks, c}), {p("weight.R"), x3}, 4, {{1, 2, 3}, {0, 1, 3}, {0, 1, 2}});
      Value ht = contract(l, rows({c, blocks}), {h}, 3, {{0, 2, 1}, {0, 1, 2}}); // [b, c', g]
      // yt[b,c',g'] = Σ_g L[c',g',g] ht[b,c',g]     loops (b, c', g', g)
      Value yt = contract(l, rows({c, blocks}), {p("weight.L"), ht}, 4, {{1, 2, 3}, {0, 1, 3}, {0, 1, 2}});
      Value y3 = contract(l, rows({blocks, c}), {yt}, 3, {{0, 2, 1}, {0, 1, 2}});
      return reshape(l, y3, rows({out}));
    }
    if (name == "blockdiag") { // y[b,g,o] = Σ_i W[g,o,i] x[b,g,i]
      int64_t blocks = s.getInt("blocks");
      Value x3 = reshape(l, x, rows({blocks, in / blocks}));
      Value y3 = contract(l, rows({blocks, out / blocks}), {p("weight.blocks"), x3}, 4,
                          {{1, 2, 3}, {0, 1, 3}, {0, 1, 2}});
      return reshape(l, y3, rows({out}));
    }
    if (name == "bone") {
      int64_t r = s.getInt("block", 64);
      Value x3 = reshape(l, x, rows({in / r, r}));
      // S[b,q] = Σ_j x[b,j,q]: the column blocks summed.
      Value sum = contract(l, rows({r}), {x3}, 3, {{0, 1, 2}, {0, 2}});
      if (s.getName("mode") != "bat") // y = S B (B [r, OUT])
        return MatmulOp::create(builder, l, rows({out}), sum, p("weight.bone_B"), false, false);
      // bat: ΔW(i,j) = W0(i,j) B_i + B_i, blocks r × r:
      // y_i = Σ_j W0(i,j) (B_i x_j) + B_i Σ_j x_j.
      int64_t ni = out / r, nj = in / r;
      Value bi = p("weight.bone_B"); // [ni, r, r]
      const lang::Param &baseParam = [&]() -> const lang::Param & {
        for (size_t u = 0; u < layer.weight.terms.size(); ++u)
          if (layer.weight.terms[u].structure.name == "frozen")
            return param(layer, u, "weight.base");
        llvm::report_fatal_error("bone(mode = bat) without a frozen base");
      }();
      Value w4 = reshape(l, paramRef(baseParam, l), RankedTensorType::get({ni, r, nj, r}, f32()));
      // z[b,i,j,q] = Σ_p B[i,q,p] x[b,j,p]     loops (b, i, j, q, p)
      Value z = contract(l, rows({ni, nj, r}), {bi, x3}, 5, {{1, 3, 4}, {0, 2, 4}, {0, 1, 2, 3}});
      // y1[b,i,o] = Σ_{j,q} W0[i,o,j,q] z[b,i,j,q]   loops (b, i, o, j, q)
      Value y1 = contract(l, rows({ni, r}), {w4, z}, 5, {{1, 2, 3, 4}, {0, 1, 3, 4}, {0, 1, 2}});
      // y2[b,i,o] = Σ_q B[i,o,q] S[b,q]               loops (b, i, o, q)
      Value y2 = contract(l, rows({ni, r}), {bi, sum}, 4, {{1, 2, 3}, {0, 3}, {0, 1, 2}});
      Value y3 = AddOp::create(builder, l, y1.getType(), y1, y2);
      return reshape(l, y3, rows({out}));
    }
    // Cayley, exp, polar: the structure forms W.
    return LinearOp::create(builder, l, rows({out}), x, emitTermWeight(layer, t, l));
  }

  /// Σ over the weight's terms applied to x.
  Value emitTerms(const lang::Linear &layer, Value x, Location l) {
    Value y;
    for (size_t t = 0; t < layer.weight.terms.size(); ++t) {
      Value term = emitTermApplication(layer, t, x, l);
      y = y ? AddOp::create(builder, l, y.getType(), y, term).getResult() : term;
    }
    return y;
  }

  /// y = W x + b for a batch, through the structure. Every op gets
  /// `wl.application` (one id per application) and `wl.layer`, which
  /// wl-certify reads.
  Value emitLayerApplication(const lang::Linear &layer, Value x, Location l) {
    Block *block = builder.getInsertionBlock();
    Operation *before = block->empty() ? nullptr : &block->back();
    Value y = emitTerms(layer, x, l);
    if (layer.bias.kind != lang::Bias::Kind::None)
      y = BiasAddOp::create(builder, l, y.getType(), y, paramRef(layer.name + ".bias", {layer.out}, l));
    // Tag what this application created.
    auto id = builder.getI64IntegerAttr(nextApplication++);
    auto name = builder.getStringAttr(layer.name);
    for (Operation *op = before ? before->getNextNode() : &block->front(); op; op = op->getNextNode()) {
      op->setAttr("wl.application", id);
      op->setAttr("wl.layer", name);
    }
    return y;
  }
  int64_t nextApplication = 0;
  /// lora calls already warned about (each is applied in several functions).
  llvm::SmallPtrSet<const lang::Call *, 4> warnedAlpha;

  /// @weight(%layer: i64) -> tensor<?x?xf32>: the effective W of layer
  /// number `layer` (wl_get_weight and the certificates read it).
  void emitWeightFunction() {
    OpBuilder::InsertionGuard guard(builder);
    Location l = loc(model.loc);
    auto dynamic = RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic}, f32());
    auto fn = func::FuncOp::create(builder, l, "weight",
                                   builder.getFunctionType({builder.getI64Type()}, {dynamic}));
    builder.setInsertionPointToStart(fn.addEntryBlock());
    Value index = arith::IndexCastOp::create(builder, l, builder.getIndexType(), fn.getArgument(0));
    SmallVector<int64_t> cases;
    for (size_t i = 0; i < model.layers.size(); ++i)
      cases.push_back(static_cast<int64_t>(i));
    auto sw = scf::IndexSwitchOp::create(builder, l, TypeRange{dynamic}, index, cases, cases.size());
    for (auto [i, layer] : llvm::enumerate(model.layers)) {
      Block &body = sw.getCaseRegions()[i].emplaceBlock();
      builder.setInsertionPointToStart(&body);
      Value w = emitWeight(layer, loc(layer.loc));
      scf::YieldOp::create(builder, l, tensor::CastOp::create(builder, l, dynamic, w).getResult());
    }
    Block &fallback = sw.getDefaultRegion().emplaceBlock();
    builder.setInsertionPointToStart(&fallback);
    Value none = tensor::EmptyOp::create(builder, l, ArrayRef<int64_t>{0, 0}, f32());
    scf::YieldOp::create(builder, l, tensor::CastOp::create(builder, l, dynamic, none).getResult());
    builder.setInsertionPointAfter(sw);
    func::ReturnOp::create(builder, l, sw.getResult(0));
  }

  /// The forward block's statements; returns the model output.
  FailureOr<Value> emitForwardBody(Value input) {
    Scope scope;
    scope[model.input->name] = input;
    for (const lang::Stmt &s : model.forward->stmts) {
      FailureOr<Value> v = emitExpr(s.value, scope);
      if (failed(v))
        return failure();
      if (s.isReturn())
        return v;
      scope[s.name] = *v;
    }
    return (emitError(loc(model.forward->loc)) << "forward block has no return", failure());
  }

  LogicalResult emitForward() {
    OpBuilder::InsertionGuard guard(builder);
    Location l = loc(model.forward->loc);
    auto fn = func::FuncOp::create(
        builder, l, "forward",
        builder.getFunctionType({batchOf(model.input->size)}, {batchOf(model.outputSize)}));
    builder.setInsertionPointToStart(fn.addEntryBlock());
    FailureOr<Value> y = emitForwardBody(fn.getArgument(0));
    if (failed(y))
      return failure();
    func::ReturnOp::create(builder, l, *y);
    return success();
  }

  LogicalResult emitLoss() {
    OpBuilder::InsertionGuard guard(builder);
    const lang::Loss &loss = *model.loss;
    Location l = loc(loss.loc);
    bool classes = model.label->kind == lang::Label::Kind::ClassLabel;
    Type labels = classes ? Type(RankedTensorType::get({ShapedType::kDynamic}, builder.getI32Type()))
                          : Type(batchOf(model.label->size));
    auto fn = func::FuncOp::create(
        builder, l, "loss",
        builder.getFunctionType({batchOf(model.input->size), labels}, {f32()}));
    builder.setInsertionPointToStart(fn.addEntryBlock());
    FailureOr<Value> z = emitForwardBody(fn.getArgument(0));
    if (failed(z))
      return failure();
    Value value;
    if (loss.kind == "cross_entropy")
      value = CrossEntropyOp::create(builder, l, f32(), *z, fn.getArgument(1));
    else if (loss.kind == "mse")
      value = MseOp::create(builder, l, f32(), *z, fn.getArgument(1));
    else
      return notYet(loss.loc, "loss '" + loss.kind + "'");
    func::ReturnOp::create(builder, l, value);
    return success();
  }
};

} // namespace

OwningOpRef<ModuleOp> wl::mlirGen(MLIRContext &context, const lang::Model &model) {
  context.loadDialect<WLDialect, func::FuncDialect, arith::ArithDialect, tensor::TensorDialect,
                      scf::SCFDialect>();
  return MLIRGenImpl(context, model).run();
}
