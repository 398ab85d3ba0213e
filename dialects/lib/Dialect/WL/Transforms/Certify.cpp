//===- Certify.cpp - the Lipschitz certificate's composition -------------===//
//
// The runtime evaluates the certificate for the current weights: each layer's
// sound σ_max bound, multiplied and added along the graph recorded here, with
// a magnitude bound beside it where attention needs one (ALGORITHMS.md,
// "Certificates of sequence models"; the node formats are in wl/wlgen.h).
//
// Norms. Each example's numbers, in row-form order (which no wl.reshape
// changes), are measured as `blocks` equal consecutive blocks: the largest
// block's l2 norm. One block is the l2 norm of the whole example (every flat
// value); T blocks of a [T, d] sequence is LANGUAGE.md's max_t ‖x_t‖₂. An op
// that acts on each row of its tensor needs the blocks to be those rows:
// finer blocks are free (a block's norm bounds its parts'), merging k blocks
// into one costs √k (a "flatten" node).
//
//===----------------------------------------------------------------------===//
#include "wl/Dialect/WL/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

namespace wl {
#define GEN_PASS_DEF_WLCERTIFY
#include "wl/Dialect/WL/Transforms/Passes.h.inc"
} // namespace wl

using namespace mlir;
using namespace wl;

namespace {

/// A forward value as the certificate sees it: its node, and how it is
/// measured (`blocks` blocks of its `numel` numbers per example).
struct Measured {
  int64_t node = -1;
  int64_t blocks = 1;
  int64_t numel = 0;
};

/// How an activation's output magnitude follows from its input's: "keep"
/// when |φ(z)| ≤ |z| elementwise (groupsort permutes a row), "sigmoid"
/// (σ = 1/2 + g with |g(z)| ≤ |z|/4, and 0 < σ < 1), else "none" (+inf).
StringRef magnitudeRule(Operation *op) {
  if (isa<ReluOp, GeluOp, GeluTanhOp, TanhOp, AbsOp, IdentityOp, GroupSortOp>(
          op))
    return "keep";
  if (isa<SigmoidOp>(op))
    return "sigmoid";
  return "none";
}

/// A number as `%g` prints it (formatv has no shortest form).
std::string number(double x) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%g", x);
  return s;
}

/// The per-example width of a [?, w] value, or 0 for another rank.
int64_t rowWidth(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getRank() == 2 && !t.isDynamicDim(1) ? t.getDimSize(1) : 0;
}

/// The length T of a sequence that the forward reads `input` as: a reshape
/// chain from it reaching rows [?, d] of a [?, T, d] split; 0 when none does.
/// Reshapes inside a layer's application (Kronecker's [B·n1, n2] rows) are
/// the layer's own arithmetic, not a sequence.
int64_t perPositionLength(Value input) {
  for (Operation *user : input.getUsers()) {
    if (user->hasAttr("wl.application"))
      continue;
    auto split = dyn_cast<ReshapeOp>(user);
    auto type = split ? dyn_cast<RankedTensorType>(split.getType()) : nullptr;
    if (!type || type.getRank() != 3 || type.getDimSize(1) <= 1)
      continue;
    for (Operation *next : split->getUsers())
      if (auto rows = dyn_cast<ReshapeOp>(next))
        if (rowWidth(rows) == type.getDimSize(2))
          return type.getDimSize(1);
  }
  return 0;
}

struct Certifier {
  ModuleOp module;
  func::FuncOp forward;
  Builder b;
  SmallVector<Attribute> nodes;
  /// Static facts per node, for `wlc --report`: a finite magnitude bound
  /// (given finite weights), and whether the value depends on the input.
  SmallVector<bool> finite, varies;
  SmallVector<std::string> notes;
  DenseMap<Value, Measured> info;
  DenseMap<std::pair<int64_t, int64_t>, int64_t> merged; ///< flatten nodes
  llvm::StringMap<StringRef> layerOfWeight;
  bool sequenceModel = false;
  std::string inputWhy; ///< why the input has no magnitude bound

  Certifier(ModuleOp module, func::FuncOp forward)
      : module(module), forward(forward), b(module.getContext()) {}

  NamedAttribute attr(StringRef name, Attribute a) {
    return b.getNamedAttr(name, a);
  }
  NamedAttribute opName(StringRef op) {
    return attr("op", b.getStringAttr(op));
  }
  IntegerAttr i64(int64_t x) { return b.getI64IntegerAttr(x); }

  int64_t node(ArrayRef<NamedAttribute> attrs, bool isFinite, bool isVarying) {
    nodes.push_back(b.getDictionaryAttr(attrs));
    finite.push_back(isFinite);
    varies.push_back(isVarying);
    return nodes.size() - 1;
  }

  /// How `v` is measured; an error at `user` ("<verb> a value ...") when
  /// the certificate has no node for it.
  FailureOr<Measured> known(Operation *user, Value v,
                            StringRef verb = "reads") {
    auto it = info.find(v);
    if (it == info.end())
      return user->emitOpError(verb)
             << " a value the certificate has no node for; cannot certify";
    return it->second;
  }

  /// `v`'s node in a measure of `blocks` blocks (see the file comment).
  FailureOr<int64_t> measured(Operation *user, Value v, int64_t blocks) {
    FailureOr<Measured> operand = known(user, v);
    if (failed(operand))
      return failure();
    Measured m = *operand;
    if (m.blocks == blocks || blocks % m.blocks == 0)
      return m.node;
    int64_t length = m.blocks % blocks == 0 ? m.blocks / blocks : m.blocks;
    int64_t &n = merged[{m.node, length}];
    if (!n) {
      n = node({opName("flatten"), attr("length", i64(length)),
                attr("arg", i64(m.node))},
               finite[m.node], varies[m.node]);
      notes.push_back(llvm::formatv("flatten (node {0}): {1} positions read "
                                    "as one l2 vector: M and L times sqrt({1})",
                                    n, length)
                          .str());
    }
    return n;
  }
  /// `v` measured by the rows of its own tensor (an op acting per row).
  FailureOr<int64_t> perRow(Operation *user, Value v) {
    int64_t w = rowWidth(v);
    auto it = info.find(v);
    if (!w || it == info.end() || it->second.numel % w)
      return user->emitOpError("reads a value the certificate cannot "
                               "measure per row; cannot certify");
    return measured(user, v, it->second.numel / w);
  }
  void define(Value v, int64_t n, int64_t blocks, int64_t numel) {
    info[v] = {n, blocks, numel};
  }

  /// The input node: measured per position for a sequence model (LANGUAGE.md
  /// "Certificate of a sequence model"), else as one l2 vector as always.
  void defineInput(DictionaryAttr model) {
    Value x = forward.getArgument(0);
    auto type = cast<RankedTensorType>(x.getType());
    int64_t numel = type.getRank() == 2 ? type.getDimSize(1) : 0;
    auto domain = model ? model.getAs<DictionaryAttr>("input_domain") : nullptr;
    SmallVector<int64_t> shape;
    if (auto s = model ? model.getAs<ArrayAttr>("input_shape") : nullptr)
      for (Attribute d : s)
        shape.push_back(cast<IntegerAttr>(d).getInt());
    bool tokens = type.getElementType().isInteger(32);
    // A float input is a sequence when declared [T, d] with a row domain or
    // read per position; f32[28, 28] flattened into a layer stays l2.
    int64_t length = tokens ? numel : perPositionLength(x);
    if (!tokens && domain && shape.size() == 2 && shape[0] > 1)
      length = shape[0];
    sequenceModel = length > 1 || tokens;
    SmallVector<NamedAttribute> attrs{opName("input")};
    if (sequenceModel)
      attrs.append(
          {attr("norm", b.getStringAttr("row")), attr("length", i64(length))});
    bool bounded = !tokens && domain;
    if (!tokens && !domain)
      inputWhy = "the float input has no declared domain (`with "
                 "norm_bound(c, norm = row)`)";
    int64_t n = node(attrs, bounded, true);
    define(x, n, sequenceModel ? length : 1, numel);
    std::string norm =
        sequenceModel
            ? llvm::formatv("max over the {0} positions of the l2 norm", length)
                  .str()
            : std::string("l2 of the flat input");
    std::string magnitude =
        tokens ? "the embedding's output (token ids)"
        : domain
            ? "M = " +
                  number(domain.getAs<FloatAttr>("bound").getValueAsDouble()) +
                  " (declared row bound)"
            : "no magnitude bound (no declared domain)";
    notes.push_back("input: norm " + norm + "; " + magnitude);
  }

  /// One application of a layer (ops tagged `wl.application`), or an
  /// untagged wl.linear: a layer node on its argument's rows.
  FailureOr<int64_t> layerNode(Operation *user, StringRef layer, Value x) {
    FailureOr<int64_t> arg = perRow(user, x);
    if (failed(arg))
      return failure();
    return node({opName("layer"), attr("layer", b.getStringAttr(layer)),
                 attr("arg", i64(*arg))},
                finite[*arg], varies[*arg]);
  }

  LogicalResult attention(AttentionOp op) {
    int64_t t = op.getLength();
    SmallVector<Attribute> args;
    SmallVector<int64_t> idx;
    for (Value v : {op.getQ(), op.getK(), op.getV()}) {
      FailureOr<int64_t> n = measured(op, v, t);
      if (failed(n))
        return failure();
      idx.push_back(*n);
      args.push_back(i64(*n));
    }
    double scale = op.getScale().convertToDouble();
    int64_t q = idx[0], k = idx[1], v = idx[2];
    // Which magnitudes the rule multiplies (an input-independent factor
    // needs none; ALGORITHMS.md).
    bool scores = varies[q] || varies[k];
    bool lipFinite = (!varies[q] || finite[k]) && (finite[q] || !varies[k]) &&
                     (finite[v] || !scores || scale == 0);
    int64_t n = node({opName("attention"), attr("args", b.getArrayAttr(args)),
                      attr("heads", i64(op.getHeads())),
                      attr("scale", b.getF64FloatAttr(scale))},
                     finite[v], varies[v] || scores);
    std::string status =
        lipFinite ? "finite"
                  : "+inf: its query, key or value has no finite magnitude "
                    "bound (" +
                        (inputWhy.empty() ? "an activation without a "
                                            "magnitude rule"
                                          : inputWhy) +
                        ")";
    notes.push_back(
        llvm::formatv(
            "attention (node {0}, {1} heads, scale {2}): per head L_h <= L_v + "
            "s*(L_q*M_k + M_q*L_k)*M_v with the head's weight rows of q/k/v "
            "layers, L <= sqrt(sum L_h^2), M <= sqrt(sum M_v^h^2): {3}",
            n, op.getHeads(), number(scale), status)
            .str());
    define(op.getOut(), n, t, info[op.getV()].numel);
    return success();
  }

  LogicalResult embedding(EmbeddingOp op, StringRef layer) {
    Value ids = op.getIds();
    FailureOr<Measured> x = known(op, ids);
    if (failed(x))
      return failure();
    bool tokens = varies[x->node];
    int64_t t = cast<RankedTensorType>(ids.getType()).getDimSize(1);
    int64_t n =
        node({opName("embedding"), attr("layer", b.getStringAttr(layer)),
              attr("arg", i64(x->node))},
             true, tokens);
    notes.push_back(
        tokens ? llvm::formatv("embedding {0} (node {1}): the certificate's "
                               "input; M = its largest row norm, L = 1",
                               layer, n)
                     .str()
               : llvm::formatv("embedding {0} of positions (node {1}): "
                               "independent of the input; M = the largest "
                               "norm of its first {2} rows, L = 0",
                               layer, n, t)
                     .str());
    define(op, n, t, t * rowWidth(op));
    return success();
  }

  LogicalResult run() {
    for (LayerOp layer : module.getOps<LayerOp>())
      layerOfWeight[layer.getWeight()] = layer.getSymName();
    defineInput(module->getAttrOfType<DictionaryAttr>("wl.model"));

    // Ops MLIRGen tagged as one application of a layer form one node: its
    // argument is the one operand that comes from outside the application.
    DenseMap<int64_t, int64_t> applicationNode;
    DenseMap<int64_t, Value> applicationInput;
    DenseMap<Value, int64_t> applicationOf;
    for (Operation &op : forward.getBody().front()) {
      if (isa<ParamRefOp, func::ReturnOp>(op))
        continue;
      auto application = op.getAttrOfType<IntegerAttr>("wl.application");
      auto layerName = op.getAttrOfType<StringAttr>("wl.layer");
      if (application && layerName) {
        int64_t id = application.getInt();
        if (auto lookup = dyn_cast<EmbeddingOp>(op)) {
          if (failed(embedding(lookup, layerName)))
            return failure();
          applicationOf[lookup] = id;
          continue;
        }
        for (Value operand : op.getOperands()) {
          auto it = applicationOf.find(operand);
          if ((it != applicationOf.end() && it->second == id) ||
              !info.count(operand))
            continue; // inside this application, or a parameter
          if (applicationNode.count(id)) {
            if (applicationInput[id] == operand)
              continue; // another term of a sum reads the same input
            return op.emitOpError(
                "layer application with two inputs; cannot certify");
          }
          FailureOr<int64_t> n = layerNode(&op, layerName, operand);
          if (failed(n))
            return failure();
          applicationInput[id] = operand;
          applicationNode[id] = *n;
        }
        for (Value r : op.getResults()) {
          applicationOf[r] = id;
          if (applicationNode.count(id)) {
            const Measured &x = info[applicationInput[id]];
            int64_t rows = x.numel / rowWidth(applicationInput[id]);
            define(r, applicationNode[id], rows, rows * rowWidth(r));
          }
        }
        continue;
      }
      if (failed(certifyOp(op)))
        return failure();
    }
    return output();
  }

  LogicalResult certifyOp(Operation &op) {
    return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
        .Case([&](LinearOp linear) -> LogicalResult {
          auto weight = linear.getWeight().getDefiningOp<ParamRefOp>();
          if (!weight || !layerOfWeight.count(weight.getParam()))
            return op.emitOpError(
                "weight is not a declared layer's; cannot certify");
          FailureOr<int64_t> n = layerNode(
              &op, layerOfWeight[weight.getParam()], linear.getInput());
          if (failed(n))
            return failure();
          int64_t rows = nodeRows(linear.getInput());
          define(linear, *n, rows, rows * rowWidth(linear));
          return success();
        })
        .Case([&](BiasAddOp bias) -> LogicalResult {
          // The layer node's magnitude includes its layer's bias.
          auto param = bias.getBias().getDefiningOp<ParamRefOp>();
          Measured x = info.lookup(bias.getInput());
          auto applied =
              x.node >= 0 ? dyn_cast<DictionaryAttr>(nodes[x.node]) : nullptr;
          auto layer = applied ? applied.getAs<StringAttr>("layer") : nullptr;
          auto decl =
              layer ? SymbolTable(module).lookup<LayerOp>(layer) : nullptr;
          if (!param || !decl || !decl.getBias() ||
              *decl.getBias() != param.getParam())
            return op.emitOpError("adds a bias that is not its layer's; "
                                  "cannot certify");
          info[bias] = x;
          return success();
        })
        .Case([&](PositionsOp positions) {
          int64_t t = positions.getLength();
          define(
              positions,
              node({opName("positions"), attr("length", i64(t))}, false, false),
              t, t);
          return success();
        })
        .Case([&](ReshapeOp reshape) -> LogicalResult {
          // The same numbers per example in another layout.
          FailureOr<Measured> x = known(&op, reshape.getInput(), "reshapes");
          if (failed(x))
            return failure();
          info[reshape] = *x;
          return success();
        })
        .Case([&](ScaleOp scale) -> LogicalResult {
          FailureOr<Measured> operand = known(&op, scale.getInput(), "scales");
          if (failed(operand))
            return failure();
          Measured x = *operand;
          double c = scale.getLipschitzConstant(); // |factor|
          int64_t n =
              node({opName("scale"), attr("factor", b.getF64FloatAttr(c)),
                    attr("arg", i64(x.node))},
                   c == 0 || finite[x.node], c != 0 && varies[x.node]);
          define(scale, n, x.blocks, x.numel);
          return success();
        })
        .Case([&](RowNormOp norm) -> LogicalResult {
          FailureOr<int64_t> arg = perRow(&op, norm.getInput());
          if (failed(arg))
            return failure();
          int64_t n =
              node({opName("row_norm"),
                    attr("kind",
                         b.getStringAttr(stringifyRowNormKind(norm.getKind()))),
                    attr("eps", norm.getEpsAttr()),
                    attr("width", i64(rowWidth(norm))), attr("arg", i64(*arg))},
                   true, varies[*arg]);
          int64_t rows = nodeRows(norm.getInput());
          define(norm, n, rows, info[norm.getInput()].numel);
          return success();
        })
        .Case([&](AttentionOp a) { return attention(a); })
        .Case([&](MeanPoolOp pool) -> LogicalResult {
          FailureOr<int64_t> arg =
              measured(&op, pool.getInput(), pool.getLength());
          if (failed(arg))
            return failure();
          int64_t n = node({opName("mean_pool"), attr("arg", i64(*arg))},
                           finite[*arg], varies[*arg]);
          define(pool, n, 1, rowWidth(pool));
          return success();
        })
        .Case([&](AddOp sum) -> LogicalResult {
          FailureOr<Measured> l = known(&op, sum.getLhs(), "adds"),
                              r = known(&op, sum.getRhs(), "adds");
          if (failed(l) || failed(r))
            return failure();
          // The finer measure when one refines the other (free), else l2.
          int64_t x = l->blocks, y = r->blocks;
          int64_t blocks = x % y == 0 ? x : y % x == 0 ? y : 1;
          int64_t numel = l->numel;
          FailureOr<int64_t> a = measured(&op, sum.getLhs(), blocks),
                             c = measured(&op, sum.getRhs(), blocks);
          if (failed(a) || failed(c))
            return failure();
          int64_t n = node(
              {opName("add"), attr("args", b.getArrayAttr({i64(*a), i64(*c)}))},
              finite[*a] && finite[*c], varies[*a] || varies[*c]);
          define(sum, n, blocks, numel);
          return success();
        })
        .Case([&](LipschitzOpInterface lip) -> LogicalResult {
          // Elementwise activations: any blocks; the sigmoid rule needs
          // their width.
          FailureOr<Measured> operand = known(&op, op.getOperand(0));
          if (failed(operand))
            return failure();
          Measured x = *operand;
          StringRef rule = magnitudeRule(&op);
          int64_t n = node(
              {opName("activation"),
               attr("factor", b.getF64FloatAttr(lip.getLipschitzConstant())),
               attr("magnitude", b.getStringAttr(rule)),
               attr("width", i64(x.numel / x.blocks)),
               attr("arg", i64(x.node))},
              rule == "sigmoid" || (rule == "keep" && finite[x.node]),
              varies[x.node]);
          define(op.getResult(0), n, x.blocks, x.numel);
          return success();
        })
        .Default([&](Operation *) {
          return op.emitOpError("has no Lipschitz rule for the certificate");
        });
  }

  /// The rows per example of `v`'s own tensor (what a per-row op uses).
  int64_t nodeRows(Value v) { return info[v].numel / rowWidth(v); }

  /// The output node, measured like the input: per position for a sequence
  /// model whose output is a sequence, else l2. It is the last node (an
  /// identity scale re-points it when needed).
  LogicalResult output() {
    auto ret = cast<func::ReturnOp>(forward.getBody().front().getTerminator());
    Value y = ret.getOperand(0);
    FailureOr<Measured> x = known(ret, y, "returns");
    if (failed(x))
      return failure();
    int64_t blocks = sequenceModel ? x->blocks : 1;
    FailureOr<int64_t> out = measured(ret, y, blocks);
    if (failed(out))
      return failure();
    if (*out != static_cast<int64_t>(nodes.size()) - 1)
      node({opName("scale"), attr("factor", b.getF64FloatAttr(1.0)),
            attr("arg", i64(*out))},
           finite[*out], varies[*out]);
    notes.push_back(
        blocks > 1
            ? llvm::formatv("output: norm max over the {0} positions of the "
                            "l2 norm",
                            blocks)
                  .str()
            : std::string("output: norm l2"));
    module->setAttr("wl.certificate", b.getArrayAttr(nodes));
    if (!sequenceModel)
      return success(); // `wlc --report` adds nothing to an l2 certificate
    SmallVector<Attribute> lines;
    for (const std::string &s : notes)
      lines.push_back(b.getStringAttr(s));
    module->setAttr("wl.certificate_notes", b.getArrayAttr(lines));
    return success();
  }
};

struct WLCertifyPass : public wl::impl::WLCertifyBase<WLCertifyPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = SymbolTable(module).lookup<func::FuncOp>("forward");
    if (!forward || forward.isExternal()) {
      module.emitError("wl-certify: no @forward function with a body");
      return signalPassFailure();
    }
    if (failed(Certifier(module, forward).run()))
      signalPassFailure();
  }
};

} // namespace
