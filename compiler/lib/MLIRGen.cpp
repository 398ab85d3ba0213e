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
#include "wl/Structures/Structure.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <cstdio>

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
      return fail(model.loc, "model '" + model.name +
                                 "' needs an input, a label or target, a "
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
    attrs.append("target_size",
                 builder.getI64IntegerAttr(classes ? 1 : model.label->size));
    appendSequenceAttributes(attrs);
    (*module)->setAttr("wl.model", attrs.getDictionary(builder.getContext()));
  }

  /// The metadata of sequence models (wlgen.h): only written where they
  /// differ from a flat model's defaults, so existing models keep theirs.
  void appendSequenceAttributes(NamedAttrList &attrs) {
    const lang::Input &in = *model.input;
    auto shape = [&](ArrayRef<int64_t> dims) {
      return builder.getI64ArrayAttr(dims);
    };
    if (in.isTokens()) {
      attrs.append("input_kind", builder.getI64IntegerAttr(1));
      attrs.append("token_limit", builder.getI64IntegerAttr(model.tokenLimit));
    }
    if (model.sequenceModel) {
      attrs.append("input_shape", shape(in.dims));
      attrs.append("output_shape", shape(model.outputShape));
      attrs.append("sequence_length",
                   builder.getI64IntegerAttr(in.sequenceLength()));
    }
    if (model.label->kind == lang::Label::Kind::ClassLabel &&
        model.label->size != 1)
      attrs.append("label_size", builder.getI64IntegerAttr(model.label->size));
    if (in.domain) {
      NamedAttrList domain;
      domain.append("norm", builder.getStringAttr("row"));
      domain.append("bound",
                    builder.getF64FloatAttr(in.domain->getNumber("c")));
      domain.append("row_size", builder.getI64IntegerAttr(in.dims.back()));
      attrs.append("input_domain", domain.getDictionary(builder.getContext()));
    }
  }

  /// How a term of `layer` is emitted: its spec, and the helpers it uses.
  TermBuilder termBuilder(const lang::Linear &layer, size_t term, Location l) {
    return TermBuilder(builder, model, layer, term, l, warned);
  }
  static const Structure &structureOf(const lang::Linear &layer, size_t term) {
    return lookupStructure(layer.weight.terms[term].structure);
  }

  LogicalResult emitParam(const lang::Param &p) {
    const lang::Linear &layer = model.layers[p.layerIndex];
    ParamSetup setup;
    if (p.termIndex < 0) { // the bias
      FailureOr<InitAttr> init =
          initFromCall(builder, layer.bias.kind == lang::Bias::Kind::Init
                                    ? layer.bias.init
                                    : lang::Call{"zeros", {}, false, {}});
      if (failed(init))
        return failure();
      setup.init = *init;
    } else {
      TermBuilder tb = termBuilder(layer, p.termIndex, loc(layer.loc));
      FailureOr<ParamSetup> s =
          structureOf(layer, p.termIndex).setup(tb, p.role);
      if (failed(s))
        return failure();
      setup = std::move(*s);
    }
    auto type = RankedTensorType::get(p.shape, f32());
    ArrayAttr constraints = setup.constraints.empty()
                                ? ArrayAttr()
                                : builder.getArrayAttr(setup.constraints);
    ParamOp::create(
        builder, loc(layer.loc), p.name, type, setup.init, p.trainable,
        /*state=*/nullptr, /*offset=*/nullptr, /*grad_offset=*/nullptr,
        /*state_offsets=*/nullptr, /*state_types=*/nullptr, constraints,
        setup.penalty);
    return success();
  }

  void emitLayer(const lang::Linear &l) {
    MLIRContext *ctx = builder.getContext();
    std::string bias =
        l.bias.kind == lang::Bias::Kind::None ? "" : l.name + ".bias";
    SmallVector<Attribute> factors, terms;
    for (const lang::Param &p : model.params)
      if (p.layer == l.name && p.termIndex >= 0)
        factors.push_back(FlatSymbolRefAttr::get(ctx, p.name));
    for (size_t t = 0; t < l.weight.terms.size(); ++t)
      terms.push_back(StructureKindAttr::get(
          ctx, structureOf(l, t).kind(l.weight.terms[t].structure)));
    // The weight is the [OUT, IN] matrix itself (wl.layer's `weight`) when
    // one term owns one tensor called "weight" (dense, orthogonal(polar)).
    std::string first =
        cast<FlatSymbolRefAttr>(factors.front()).getValue().str();
    bool dense = factors.size() == 1 && first == l.name + ".weight";
    // The certificate's rule: the leading term's structure chooses it.
    BoundRule bound = structureOf(l, 0).bound(l.weight.terms[0].structure,
                                              l.weight.terms.size() == 1);
    auto layer = LayerOp::create(
        builder, loc(l.loc), l.name, l.in, l.out, builder.getArrayAttr(terms),
        first, bias.empty() ? nullptr : FlatSymbolRefAttr::get(ctx, bias),
        dense ? nullptr : builder.getArrayAttr(factors), bound);
    layer.setEmbedding(l.isEmbedding());
    // Initialisers that re-split the frozen base at creation (wl-generate-
    // constraints puts the runtime routine first in @project).
    for (size_t t = 0; t < l.weight.terms.size(); ++t) {
      std::optional<Resplit> split =
          structureOf(l, t).resplit(l.weight.terms[t].structure);
      if (!split)
        continue;
      TermBuilder tb = termBuilder(l, t, loc(l.loc));
      SmallVector<Attribute> into;
      for (StringRef role : split->roles)
        into.push_back(FlatSymbolRefAttr::get(ctx, tb.paramName(role)));
      NamedAttrList attrs;
      attrs.append("kind", ResplitKindAttr::get(ctx, split->kind));
      attrs.append("base",
                   FlatSymbolRefAttr::get(ctx, l.name + ".weight.base"));
      attrs.append("factors", builder.getArrayAttr(into));
      if (split->scale)
        attrs.append("scale", builder.getF64FloatAttr(*split->scale));
      layer->setAttr("wl.resplit", attrs.getDictionary(ctx));
    }
    // Sparse spectral training's rounds (its one term: Sst.cpp).
    if (std::optional<SstRounds> rounds =
            structureOf(l, 0).rounds(l.weight.terms[0].structure)) {
      TermBuilder tb = termBuilder(l, 0, loc(l.loc));
      auto sym = [&](StringRef role) {
        return FlatSymbolRefAttr::get(ctx, tb.paramName(role));
      };
      NamedAttrList attrs;
      attrs.append("u", sym("weight.U"));
      attrs.append("s", sym("weight.s"));
      attrs.append("v", sym("weight.V"));
      attrs.append("sampled", sym("weight.sampled"));
      attrs.append("rank", builder.getI64IntegerAttr(rounds->rank));
      attrs.append("every", builder.getI64IntegerAttr(rounds->every));
      layer->setAttr("wl.sst", attrs.getDictionary(ctx));
    }
  }

  LogicalResult emitOptimize() {
    const lang::Optimize &opt = model.optimize;
    for (auto [index, group] : llvm::enumerate(opt.groups)) {
      SmallVector<Attribute> targets;
      for (const lang::Param &p : model.params)
        if (p.group == static_cast<int>(index))
          targets.push_back(
              FlatSymbolRefAttr::get(builder.getContext(), p.name));
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
        hyper.append("beta1",
                     builder.getF64FloatAttr(arg->value.elems[0].number));
        hyper.append("beta2",
                     builder.getF64FloatAttr(arg->value.elems[1].number));
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
        hyper.append("ns_steps",
                     builder.getI64IntegerAttr(o.getInt("ns_steps")));
      } else if (o.name == "lion") {
        betas();
      } else {
        return notYet(o.loc, "optimizer '" + o.name + "'");
      }
      OptimizerGroupOp::create(builder, loc(group.loc), o.name,
                               builder.getArrayAttr(targets),
                               hyper.getDictionary(builder.getContext()));
    }
    if (opt.schedule) {
      const lang::Call &s = *opt.schedule;
      ScheduleOp::create(builder, loc(s.loc), s.name, s.getInt("warmup"),
                         s.getInt("total"));
    }
    return success();
  }

  /// A forward value and its layout. A sequence [T, d] is kept as rows
  /// [B·T, d] ("row form", so a position-wise layer is one product over
  /// every position); any other value, and a sequence about to be flattened,
  /// as [B, numel]. Token ids are [B, T] i32.
  struct Val {
    Value value;
    bool rows = false;
  };
  /// Values of the forward block's variables.
  using Scope = llvm::StringMap<Val>;

  /// `v` of per-example shape [T, d] as rows [B·T, d] (through [B, T, d]).
  Value asRows(Val v, ArrayRef<int64_t> shape, Location l) {
    if (v.rows)
      return v.value;
    return ReshapeOp::create(builder, l, batchOf(shape[1]),
                             splitPositions(v.value, shape, l));
  }
  /// `v` of per-example shape `shape` as [B, numel] (through [B, T, d]).
  Value asFlat(Val v, ArrayRef<int64_t> shape, Location l) {
    if (!v.rows)
      return v.value;
    return ReshapeOp::create(builder, l, batchOf(shape[0] * shape[1]),
                             splitPositions(v.value, shape, l));
  }
  /// A [T, d] value as [B, T, d], the step between its two layouts.
  Value splitPositions(Value v, ArrayRef<int64_t> shape, Location l) {
    auto split = RankedTensorType::get(
        {ShapedType::kDynamic, shape[0], shape[1]}, f32());
    return ReshapeOp::create(builder, l, split, v);
  }
  /// `v` in the layout of `like`.
  Value asLayoutOf(Val v, bool rows, ArrayRef<int64_t> shape, Location l) {
    return rows ? asRows(v, shape, l) : asFlat(v, shape, l);
  }
  static bool isSequence(const lang::Expr &e) {
    return !e.tokens && e.shape.size() == 2;
  }

  FailureOr<Val> emitExpr(const lang::Expr &e, Scope &scope) {
    Location l = loc(e.loc);
    switch (e.kind) {
    case lang::Expr::Kind::Var: {
      auto it = scope.find(e.name);
      if (it != scope.end())
        return it->second;
      if (e.name == "positions") {
        // The ids 0..T-1 of every example (batch from the input).
        Value input = scope[model.input->name].value;
        auto ids = RankedTensorType::get({ShapedType::kDynamic, e.shape[0]},
                                         builder.getI32Type());
        Val positions{PositionsOp::create(builder, l, ids, input,
                                          builder.getI64IntegerAttr(e.shape[0]))
                          .getResult(),
                      false};
        scope["positions"] = positions;
        return positions;
      }
      return (emitError(l) << "undefined name '" << e.name << "'", failure());
    }
    case lang::Expr::Kind::Add: {
      FailureOr<Val> a = emitExpr(e.operands[0], scope),
                     b = emitExpr(e.operands[1], scope);
      if (failed(a) || failed(b))
        return failure();
      // Both operands in one layout: rows if either is already there.
      bool rows = isSequence(e) && (a->rows || b->rows);
      Value x = asLayoutOf(*a, rows, e.shape, l),
            y = asLayoutOf(*b, rows, e.shape, l);
      return Val{AddOp::create(builder, l, x.getType(), x, y).getResult(),
                 rows};
    }
    case lang::Expr::Kind::Scale: {
      FailureOr<Val> a = emitExpr(e.operands[0], scope);
      if (failed(a))
        return failure();
      return Val{ScaleOp::create(builder, l, a->value.getType(), a->value,
                                 builder.getF64FloatAttr(e.number))
                     .getResult(),
                 a->rows};
    }
    case lang::Expr::Kind::Number:
    case lang::Expr::Kind::Bool:
      return (emitError(l) << "a constant is not a tensor", failure());
    case lang::Expr::Kind::Call:
      break;
    }
    if (e.callee == lang::Expr::Callee::Layer)
      return emitLayerCall(e, scope, l);
    SmallVector<Val> xs;
    for (const lang::Expr &o : e.operands) {
      FailureOr<Val> x = emitExpr(o, scope);
      if (failed(x))
        return failure();
      xs.push_back(*x);
    }
    const lang::Expr &arg = e.operands[0];
    const std::string &n = e.name;
    if (n == "attention")
      return emitAttention(e, xs, l);
    if (n == "mean_pool") {
      Value h = asRows(xs[0], arg.shape, l);
      return Val{MeanPoolOp::create(builder, l, h.getType(), h,
                                    builder.getI64IntegerAttr(arg.shape[0]))
                     .getResult(),
                 false};
    }
    if (n == "rms_norm" || n == "layer_norm") {
      // Over the last dimension: each position of a sequence.
      Value h = isSequence(arg) ? asRows(xs[0], arg.shape, l) : xs[0].value;
      return Val{RowNormOp::create(
                     builder, l, h.getType(), h,
                     RowNormKindAttr::get(builder.getContext(),
                                          n == "rms_norm" ? RowNormKind::Rms
                                                          : RowNormKind::Layer),
                     builder.getF64FloatAttr(e.params.getNumber("eps")))
                     .getResult(),
                 isSequence(arg)};
    }
    // Elementwise: either layout.
    Value x = xs[0].value;
    Type t = x.getType();
    auto same = [&](Value y) { return Val{y, xs[0].rows}; };
    if (n == "relu")
      return same(ReluOp::create(builder, l, t, x));
    if (n == "gelu")
      return same(GeluOp::create(builder, l, t, x));
    if (n == "gelu_tanh")
      return same(GeluTanhOp::create(builder, l, t, x));
    if (n == "tanh")
      return same(TanhOp::create(builder, l, t, x));
    if (n == "sigmoid")
      return same(SigmoidOp::create(builder, l, t, x));
    if (n == "abs")
      return same(AbsOp::create(builder, l, t, x));
    if (n == "identity")
      return same(IdentityOp::create(builder, l, t, x));
    if (n == "groupsort")
      return same(
          GroupSortOp::create(builder, l, t, x, e.params.getInt("k", 2)));
    return (emitError(l) << "activation '" << n << "' is not supported yet",
            failure());
  }

  /// `L(x)`: an embedding looks up rows of ids; a linear layer applies per
  /// position when x's last dimension is IN, else to the flattened x.
  FailureOr<Val> emitLayerCall(const lang::Expr &e, Scope &scope, Location l) {
    const lang::Expr &arg = e.operands[0];
    FailureOr<Val> x = emitExpr(arg, scope);
    if (failed(x))
      return failure();
    const lang::Linear &layer = *model.findLayer(e.name);
    if (layer.isEmbedding())
      return Val{tagApplication(
                     layer,
                     [&]() -> Value {
                       Value table = ParamRefOp::create(
                           builder, l, matrix(layer.out, layer.in),
                           FlatSymbolRefAttr::get(builder.getContext(),
                                                  layer.name + ".weight"));
                       return EmbeddingOp::create(builder, l, batchOf(layer.in),
                                                  table, x->value)
                           .getResult();
                     }),
                 true};
    bool perPosition = isSequence(arg) && arg.shape.back() == layer.in;
    Value input = perPosition       ? asRows(*x, arg.shape, l)
                  : isSequence(arg) ? asFlat(*x, arg.shape, l)
                                    : x->value;
    return Val{emitLayerApplication(layer, input, l), perPosition};
  }

  /// attention(q, k, v, ...) on rows [B·T, D]; its row statistics (the
  /// backward's) are the op's second result.
  FailureOr<Val> emitAttention(const lang::Expr &e, ArrayRef<Val> xs,
                               Location l) {
    const std::vector<int64_t> &shape = e.operands[0].shape;
    SmallVector<Value> qkv;
    for (auto [i, x] : llvm::enumerate(xs))
      qkv.push_back(asRows(x, e.operands[i].shape, l));
    const lang::Call &p = e.params;
    int64_t heads = p.getInt("heads");
    auto stats = RankedTensorType::get({ShapedType::kDynamic, heads}, f32());
    auto op = AttentionOp::create(
        builder, l, TypeRange{qkv[0].getType(), stats}, qkv[0], qkv[1], qkv[2],
        builder.getI64IntegerAttr(shape[0]), builder.getI64IntegerAttr(heads),
        builder.getBoolAttr(p.getBool("causal")),
        builder.getF64FloatAttr(p.getNumber("scale")),
        builder.getBoolAttr(p.getBool("rope")),
        builder.getF64FloatAttr(p.getNumber("rope_base")));
    return Val{op->getResult(0), true};
  }

  RankedTensorType matrix(int64_t rows, int64_t cols) {
    return RankedTensorType::get({rows, cols}, f32());
  }

  /// The layer's effective W [OUT, IN] (for `wlgen_weight`): in closed form
  /// where a single term has one, else the layer applied to the identity
  /// (its rows are the columns of W), transposed.
  Value emitWeight(const lang::Linear &layer, Location l) {
    if (layer.weight.terms.size() == 1)
      if (Value w = structureOf(layer, 0).weight(termBuilder(layer, 0, l)))
        return w;
    Value eye = EyeOp::create(builder, l, matrix(layer.in, layer.in));
    Value wt = emitTerms(layer, eye, l);
    return TransposeOp::create(builder, l, matrix(layer.out, layer.in), wt);
  }

  /// Σ over the weight's terms applied to x [B, IN]: [B, OUT].
  Value emitTerms(const lang::Linear &layer, Value x, Location l) {
    Value y;
    for (size_t t = 0; t < layer.weight.terms.size(); ++t) {
      Value term = structureOf(layer, t).apply(termBuilder(layer, t, l), x);
      y = y ? AddOp::create(builder, l, y.getType(), y, term).getResult()
            : term;
    }
    return y;
  }

  /// y = W x + b for a batch, through the structure.
  Value emitLayerApplication(const lang::Linear &layer, Value x, Location l) {
    return tagApplication(layer, [&]() -> Value {
      Value y = emitTerms(layer, x, l);
      if (layer.bias.kind == lang::Bias::Kind::None)
        return y;
      return BiasAddOp::create(
                 builder, l, y.getType(), y,
                 ParamRefOp::create(
                     builder, l, RankedTensorType::get({layer.out}, f32()),
                     FlatSymbolRefAttr::get(builder.getContext(),
                                            layer.name + ".bias")))
          .getResult();
    });
  }

  /// Runs `build` and tags every op it created with `wl.application` (one id
  /// per application) and `wl.layer`, which wl-certify reads.
  Value tagApplication(const lang::Linear &layer,
                       llvm::function_ref<Value()> build) {
    Block *block = builder.getInsertionBlock();
    Operation *before = block->empty() ? nullptr : &block->back();
    Value y = build();
    auto id = builder.getI64IntegerAttr(nextApplication++);
    auto name = builder.getStringAttr(layer.name);
    for (Operation *op = before ? before->getNextNode() : &block->front(); op;
         op = op->getNextNode()) {
      op->setAttr("wl.application", id);
      op->setAttr("wl.layer", name);
    }
    return y;
  }
  int64_t nextApplication = 0;
  /// Calls already warned about (each term is emitted in several functions).
  llvm::SmallPtrSet<const void *, 4> warned;

  /// @weight(%layer: i64) -> tensor<?x?xf32>: the effective W of layer
  /// number `layer` (wl_get_weight and the certificates read it).
  void emitWeightFunction() {
    OpBuilder::InsertionGuard guard(builder);
    Location l = loc(model.loc);
    auto dynamic = RankedTensorType::get(
        {ShapedType::kDynamic, ShapedType::kDynamic}, f32());
    auto fn = func::FuncOp::create(
        builder, l, "weight",
        builder.getFunctionType({builder.getI64Type()}, {dynamic}));
    builder.setInsertionPointToStart(fn.addEntryBlock());
    Value index = arith::IndexCastOp::create(builder, l, builder.getIndexType(),
                                             fn.getArgument(0));
    SmallVector<int64_t> cases;
    for (size_t i = 0; i < model.layers.size(); ++i)
      cases.push_back(static_cast<int64_t>(i));
    auto sw = scf::IndexSwitchOp::create(builder, l, TypeRange{dynamic}, index,
                                         cases, cases.size());
    for (auto [i, layer] : llvm::enumerate(model.layers)) {
      Block &body = sw.getCaseRegions()[i].emplaceBlock();
      builder.setInsertionPointToStart(&body);
      Value w = emitWeight(layer, loc(layer.loc));
      scf::YieldOp::create(
          builder, l,
          tensor::CastOp::create(builder, l, dynamic, w).getResult());
    }
    Block &fallback = sw.getDefaultRegion().emplaceBlock();
    builder.setInsertionPointToStart(&fallback);
    Value none =
        tensor::EmptyOp::create(builder, l, ArrayRef<int64_t>{0, 0}, f32());
    scf::YieldOp::create(
        builder, l,
        tensor::CastOp::create(builder, l, dynamic, none).getResult());
    builder.setInsertionPointAfter(sw);
    func::ReturnOp::create(builder, l, sw.getResult(0));
  }

  /// The forward block's statements; returns the model output (in its
  /// layout; its per-example shape is model.outputShape).
  FailureOr<Val> emitForwardBody(Value input) {
    Scope scope;
    scope[model.input->name] = Val{input, false};
    for (const lang::Stmt &s : model.forward->stmts) {
      FailureOr<Val> v = emitExpr(s.value, scope);
      if (failed(v))
        return failure();
      if (s.isReturn())
        return v;
      scope[s.name] = *v;
    }
    return (emitError(loc(model.forward->loc)) << "forward block has no return",
            failure());
  }

  /// The model input: [B, size] floats, or [B, T] token ids.
  Type inputType() {
    if (model.input->isTokens())
      return RankedTensorType::get({ShapedType::kDynamic, model.input->size},
                                   builder.getI32Type());
    return batchOf(model.input->size);
  }

  LogicalResult emitForward() {
    OpBuilder::InsertionGuard guard(builder);
    Location l = loc(model.forward->loc);
    auto fn = func::FuncOp::create(
        builder, l, "forward",
        builder.getFunctionType({inputType()}, {batchOf(model.outputSize)}));
    builder.setInsertionPointToStart(fn.addEntryBlock());
    FailureOr<Val> y = emitForwardBody(fn.getArgument(0));
    if (failed(y))
      return failure();
    func::ReturnOp::create(builder, l, asFlat(*y, model.outputShape, l));
    return success();
  }

  LogicalResult emitLoss() {
    OpBuilder::InsertionGuard guard(builder);
    const lang::Loss &loss = *model.loss;
    Location l = loc(loss.loc);
    bool classes = model.label->kind == lang::Label::Kind::ClassLabel;
    // Class labels: one per example, or one per position ([B·T] values that
    // match the logits' rows).
    Type labels = classes ? Type(RankedTensorType::get({ShapedType::kDynamic},
                                                       builder.getI32Type()))
                          : Type(batchOf(model.label->size));
    auto fn = func::FuncOp::create(
        builder, l, "loss",
        builder.getFunctionType({inputType(), labels}, {f32()}));
    builder.setInsertionPointToStart(fn.addEntryBlock());
    FailureOr<Val> z = emitForwardBody(fn.getArgument(0));
    if (failed(z))
      return failure();
    bool perPosition = classes && model.outputShape.size() == 2;
    Value out = perPosition ? asRows(*z, model.outputShape, l)
                            : asFlat(*z, model.outputShape, l);
    Value value;
    if (loss.kind == "cross_entropy")
      value = CrossEntropyOp::create(builder, l, f32(), out, fn.getArgument(1));
    else if (loss.kind == "mse")
      value = MseOp::create(builder, l, f32(), out, fn.getArgument(1));
    else
      return notYet(loss.loc, "loss '" + loss.kind + "'");
    func::ReturnOp::create(builder, l, value);
    return success();
  }
};

} // namespace

OwningOpRef<ModuleOp> wl::mlirGen(MLIRContext &context,
                                  const lang::Model &model) {
  context.loadDialect<WLDialect, func::FuncDialect, arith::ArithDialect,
                      tensor::TensorDialect, scf::SCFDialect>();
  return MLIRGenImpl(context, model).run();
}
