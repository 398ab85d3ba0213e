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

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>

using namespace mlir;
using namespace wl;

namespace {

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
      if (term.structure.name != "dense")
        return notYet(term.structure.loc, "structure '" + term.structure.name + "'");
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

  void emitLayer(const lang::Linear &l) {
    std::string bias = l.bias.kind == lang::Bias::Kind::None ? "" : l.name + ".bias";
    LayerOp::create(builder, loc(l.loc), l.name, l.in, l.out, "dense", l.name + ".weight",
                    bias.empty() ? nullptr : FlatSymbolRefAttr::get(builder.getContext(), bias));
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

  Value emitLayerApplication(const lang::Linear &layer, Value x, Location l) {
    auto ref = [&](const std::string &name, RankedTensorType type) {
      return ParamRefOp::create(builder, l, type, FlatSymbolRefAttr::get(builder.getContext(), name));
    };
    Value w = ref(layer.name + ".weight", RankedTensorType::get({layer.out, layer.in}, f32()));
    Value y = LinearOp::create(builder, l, batchOf(layer.out), x, w);
    if (layer.bias.kind != lang::Bias::Kind::None) {
      Value b = ref(layer.name + ".bias", RankedTensorType::get({layer.out}, f32()));
      y = BiasAddOp::create(builder, l, y.getType(), y, b);
    }
    return y;
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
  context.loadDialect<WLDialect, func::FuncDialect, arith::ArithDialect, tensor::TensorDialect>();
  return MLIRGenImpl(context, model).run();
}
