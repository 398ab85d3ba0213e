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

  /// `init = ...` of a dense weight or a bias as the wl.param init dictionary.
  FailureOr<DictionaryAttr> initAttr(const lang::Call &init) {
    NamedAttrList attrs;
    attrs.append("kind", builder.getStringAttr(init.name));
    if (init.name == "normal")
      attrs.append("std", builder.getF64FloatAttr(init.getNumber("std")));
    else if (init.name == "uniform")
      attrs.append("a", builder.getF64FloatAttr(init.getNumber("a")));
    else if (init.name != "zeros" && init.name != "ones" && init.name != "orthogonal")
      return notYet(init.loc, "initialiser '" + init.name + "'");
    return attrs.getDictionary(builder.getContext());
  }

  /// The `with ...` constraints of a dense term, each a dictionary with its
  /// arguments and source location (for the pass's diagnostics).
  FailureOr<ArrayAttr> constraintAttrs(const lang::Term &term) {
    SmallVector<Attribute> out;
    for (const lang::Call &c : term.constraints) {
      NamedAttrList attrs;
      attrs.append("kind", builder.getStringAttr(c.name));
      attrs.append("loc", loc(c.loc));
      if (c.name == "spectral_bound") {
        attrs.append("c", builder.getF64FloatAttr(c.getNumber("c")));
        attrs.append("method", builder.getStringAttr(c.getName("method", "normalize")));
        attrs.append("strict", builder.getBoolAttr(c.getBool("strict")));
      } else if (c.name == "norm_bound") {
        attrs.append("c", builder.getF64FloatAttr(c.getNumber("c")));
        attrs.append("norm", builder.getStringAttr(c.getName("norm", "frobenius")));
      } else if (c.name == "rank_at_most") {
        attrs.append("r", builder.getI64IntegerAttr(c.getInt("r")));
      } else if (c.name == "orthonormal") {
        // no arguments: WᵀW = I (WWᵀ = I when OUT < IN)
      } else {
        (void)notYet(c.loc, "constraint '" + c.name + "'");
        return failure();
      }
      out.push_back(attrs.getDictionary(builder.getContext()));
    }
    if (out.empty())
      return ArrayAttr();
    return builder.getArrayAttr(out);
  }

  LogicalResult emitParam(const lang::Param &p) {
    const lang::Linear &layer = model.layers[p.layerIndex];
    DictionaryAttr init;
    ArrayAttr constraints;
    if (p.termIndex < 0) { // the bias
      FailureOr<DictionaryAttr> a =
          layer.bias.kind == lang::Bias::Kind::Init ? initAttr(layer.bias.init)
                                                    : initAttr(lang::Call{"zeros", {}, false, {}});
      if (failed(a))
        return failure();
      init = *a;
    } else {
      const lang::Term &term = layer.weight.terms[p.termIndex];
      if (layer.weight.terms.size() != 1)
        return notYet(layer.weight.terms[1].loc, "a sum of weight terms");
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
        FailureOr<DictionaryAttr> a =
            initAttr(v.call ? *v.call : lang::Call{v.text, {}, false, written->loc});
        if (failed(a))
          return failure();
        init = *a;
      } else {
        // The dense default: normal with std 1/sqrt(IN).
        init = builder.getDictionaryAttr(
            {builder.getNamedAttr("kind", builder.getStringAttr("normal")),
             builder.getNamedAttr("std", builder.getF64FloatAttr(1.0 / std::sqrt(double(layer.in))))});
      }
    }
    auto type = RankedTensorType::get(p.shape, f32());
    ParamOp::create(builder, loc(layer.loc), p.name, type, init, p.trainable,
                    /*state=*/nullptr, /*offset=*/nullptr, /*grad_offset=*/nullptr,
                    /*state_offsets=*/nullptr, /*state_types=*/nullptr, constraints);
    return success();
  }

  /// A written `init = ...` of a structure, if any.
  FailureOr<DictionaryAttr> writtenInit(const lang::Call &structure, DictionaryAttr fallback) {
    const lang::Arg *written = structure.find("init");
    if (!written || written->implicit)
      return fallback;
    const lang::Value &v = written->value;
    return initAttr(v.call ? *v.call : lang::Call{v.text, {}, false, written->loc});
  }

  DictionaryAttr initOf(StringRef kind, std::optional<double> std = std::nullopt) {
    NamedAttrList attrs;
    attrs.append("kind", builder.getStringAttr(kind));
    if (std)
      attrs.append("std", builder.getF64FloatAttr(*std));
    return attrs.getDictionary(builder.getContext());
  }

  /// A constraint the structure itself satisfies: recorded (for the report)
  /// with its guarantee, and skipped by wl-generate-constraints.
  DictionaryAttr byStructure(const lang::Call &c, StringRef reason, StringRef guarantee = "exact") {
    NamedAttrList attrs;
    attrs.append("kind", builder.getStringAttr(c.name));
    attrs.append("loc", loc(c.loc));
    if (c.name == "spectral_bound") // no method: none runs
      attrs.append("c", builder.getF64FloatAttr(c.getNumber("c")));
    attrs.append("enforced_by", builder.getStringAttr("structure"));
    attrs.append("guarantee", builder.getStringAttr(guarantee));
    attrs.append("reason", builder.getStringAttr(reason));
    return attrs.getDictionary(builder.getContext());
  }

  /// The retraction that keeps a factor orthonormal (svd's U and V, and
  /// orthogonal(polar)'s weight): the `orthonormal` projection after each step.
  DictionaryAttr retraction(const lang::Call &structure) {
    NamedAttrList attrs;
    attrs.append("kind", builder.getStringAttr("orthonormal"));
    attrs.append("loc", loc(structure.loc));
    attrs.append("implied_by", builder.getStringAttr(structure.name));
    return attrs.getDictionary(builder.getContext());
  }

  /// The parameters of `orthogonal`, `svd` and `diagonal` (LANGUAGE.md's
  /// names), their initialisers, and where each `with` constraint goes.
  LogicalResult emitStructuredParam(const lang::Param &p, const lang::Linear &layer,
                                    const lang::Term &term) {
    const lang::Call &s = term.structure;
    const std::string &structure = s.name;
    int64_t n = std::max(layer.in, layer.out);
    SmallVector<Attribute> constraints;
    DictionaryAttr init;
    auto unsupported = [&](const lang::Call &c) {
      return notYet(c.loc, "constraint '" + c.name + "' on structure '" + structure + "'");
    };
    if (structure == "orthogonal") {
      std::string method = s.getName("method", "cayley");
      // Q is orthonormal (σ = 1 for every singular value): by construction,
      // or for polar by the projection after each step.
      bool polar = method == "polar";
      if (polar) {
        init = initOf("orthogonal");
        constraints.push_back(retraction(s));
      } else {
        init = method == "householder" ? initOf("normal", 1.0)
                                       : initOf("normal", 1.0 / std::sqrt(double(n)));
      }
      std::string why = polar ? "as far as the polar projection converges" : "by construction";
      StringRef guarantee = polar ? "conditional" : "exact";
      for (const lang::Call &c : term.constraints) {
        if (c.name == "orthonormal") {
          constraints.push_back(
              byStructure(c, "orthogonal(" + method + ") is orthonormal " + why, guarantee));
        } else if (c.name == "spectral_bound") {
          if (c.getNumber("c") < 1.0)
            return (emitError(loc(c.loc))
                        << "spectral_bound(" << asWritten(c.getNumber("c"))
                        << ") cannot hold for orthogonal(" << method
                        << "): every singular value of an orthogonal weight is 1",
                    failure());
          constraints.push_back(byStructure(c, "orthogonal: sigma_max = 1 <= c " + why, guarantee));
        } else {
          return unsupported(c);
        }
      }
    } else if (structure == "svd" || structure == "diagonal") {
      bool isScale = p.role == "weight.s" || p.role == "weight.d";
      if (isScale) {
        FailureOr<DictionaryAttr> a = writtenInit(s, initOf("ones"));
        if (failed(a))
          return failure();
        init = *a;
        for (const lang::Call &c : term.constraints) {
          if (c.name != "spectral_bound")
            return unsupported(c);
          // σ(W) = |s| (|d|): clamping is the exact projection.
          NamedAttrList attrs;
          attrs.append("kind", builder.getStringAttr("spectral_bound"));
          attrs.append("loc", loc(c.loc));
          attrs.append("c", builder.getF64FloatAttr(c.getNumber("c")));
          attrs.append("method", builder.getStringAttr("clamp"));
          attrs.append("strict", builder.getBoolAttr(false));
          attrs.append("structure", builder.getStringAttr(structure));
          constraints.push_back(attrs.getDictionary(builder.getContext()));
        }
      } else {
        init = initOf("orthogonal");
        constraints.push_back(retraction(s));
      }
    } else {
      return notYet(s.loc, "structure '" + structure + "'");
    }
    auto type = RankedTensorType::get(p.shape, f32());
    ArrayAttr list = constraints.empty() ? ArrayAttr() : builder.getArrayAttr(constraints);
    ParamOp::create(builder, loc(layer.loc), p.name, type, init, p.trainable,
                    /*state=*/nullptr, /*offset=*/nullptr, /*grad_offset=*/nullptr,
                    /*state_offsets=*/nullptr, /*state_types=*/nullptr, list);
    return success();
  }

  /// `dense`, `orthogonal(cayley)`, ...: the name wl.layer records.
  static std::string structureName(const lang::Linear &l) {
    const lang::Call &s = l.weight.terms[0].structure;
    if (s.name == "orthogonal")
      return "orthogonal(" + s.getName("method", "cayley") + ")";
    return s.name;
  }

  void emitLayer(const lang::Linear &l) {
    MLIRContext *ctx = builder.getContext();
    std::string bias = l.bias.kind == lang::Bias::Kind::None ? "" : l.name + ".bias";
    SmallVector<Attribute> factors;
    for (const lang::Param &p : model.params)
      if (p.layer == l.name && p.termIndex >= 0)
        factors.push_back(FlatSymbolRefAttr::get(ctx, p.name));
    std::string structure = structureName(l);
    bool dense = structure == "dense" || structure == "orthogonal(polar)";
    std::string weight = dense ? l.name + ".weight"
                               : cast<FlatSymbolRefAttr>(factors.front()).getValue().str();
    LayerOp::create(builder, loc(l.loc), l.name, l.in, l.out, structure, weight,
                    bias.empty() ? nullptr : FlatSymbolRefAttr::get(ctx, bias),
                    dense ? nullptr : builder.getArrayAttr(factors));
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

  /// The layer's effective W [OUT, IN] built from its factors (materialised:
  /// for `wlgen_weight`, and the forward of the structures that form W).
  Value emitWeight(const lang::Linear &layer, Location l) {
    std::string structure = structureName(layer);
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
      int64_t k = layer.weight.terms[0].structure.getInt("reflectors", n);
      Value eye = EyeOp::create(builder, l, matrix(in, in));
      Value wt = HouseholderOp::create(builder, l, matrix(in, out), eye, paramRef(w + ".v", {k, n}, l));
      return TransposeOp::create(builder, l, matrix(out, in), wt);
    }
    if (structure == "svd") {
      int64_t r = layer.weight.terms[0].structure.getInt("rank");
      Value us = ScaleColumnsOp::create(builder, l, matrix(out, r), paramRef(w + ".U", {out, r}, l),
                                        paramRef(w + ".s", {r}, l));
      return MatmulOp::create(builder, l, matrix(out, in), us, paramRef(w + ".V", {in, r}, l),
                              /*transpose_lhs=*/false, /*transpose_rhs=*/true);
    }
    if (structure == "diagonal")
      return ScaleColumnsOp::create(builder, l, matrix(n, n), EyeOp::create(builder, l, matrix(n, n)),
                                    paramRef(w + ".d", {n}, l));
    return paramRef(w, {out, in}, l); // dense, orthogonal(polar)
  }

  /// y = W x + b for a batch, through the structure (never forming W for
  /// householder, svd and diagonal). Every op gets `wl.application` (one id
  /// per application) and `wl.layer`, which wl-certify reads.
  Value emitLayerApplication(const lang::Linear &layer, Value x, Location l) {
    Block *block = builder.getInsertionBlock();
    Operation *before = block->empty() ? nullptr : &block->back();
    std::string structure = structureName(layer);
    const std::string w = layer.name + ".weight";
    Value y;
    if (structure == "orthogonal(householder)") {
      int64_t k = layer.weight.terms[0].structure.getInt("reflectors", std::max(layer.in, layer.out));
      y = HouseholderOp::create(builder, l, batchOf(layer.out), x,
                                paramRef(w + ".v", {k, std::max(layer.in, layer.out)}, l));
    } else if (structure == "svd") {
      // y = ((x V) · s) Uᵀ.
      int64_t r = layer.weight.terms[0].structure.getInt("rank");
      Value t = MatmulOp::create(builder, l, batchOf(r), x, paramRef(w + ".V", {layer.in, r}, l),
                                 false, false);
      t = ScaleColumnsOp::create(builder, l, batchOf(r), t, paramRef(w + ".s", {r}, l));
      y = MatmulOp::create(builder, l, batchOf(layer.out), t,
                           paramRef(w + ".U", {layer.out, r}, l), false, /*transpose_rhs=*/true);
    } else if (structure == "diagonal") {
      y = ScaleColumnsOp::create(builder, l, batchOf(layer.out), x, paramRef(w + ".d", {layer.in}, l));
    } else {
      y = LinearOp::create(builder, l, batchOf(layer.out), x, emitWeight(layer, l));
    }
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
