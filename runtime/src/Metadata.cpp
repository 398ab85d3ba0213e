//===- Metadata.cpp - Parse and validate wlgen_metadata
//--------------------===//
#include "Metadata.h"

#include "Json.h"
#include "wl/wlgen.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace wlrt {

int Metadata::findParam(const std::string &name) const {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name)
      return int(i);
  return -1;
}

int Metadata::findLayer(const std::string &name) const {
  for (size_t i = 0; i < layers.size(); ++i)
    if (layers[i].name == name)
      return int(i);
  return -1;
}

namespace {

struct BadMetadata : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void bad(const std::string &msg) { throw BadMetadata(msg); }

const JsonValue &req(const JsonValue &obj, const char *key,
                     const std::string &where) {
  const JsonValue *v = obj.get(key);
  if (!v)
    bad(where + ": missing \"" + key + "\"");
  return *v;
}

int64_t reqInt(const JsonValue &obj, const char *key,
               const std::string &where) {
  int64_t x;
  if (!req(obj, key, where).asInt64(x))
    bad(where + ": \"" + key + "\" must be an integer");
  return x;
}

double reqNum(const JsonValue &obj, const char *key, const std::string &where) {
  double x;
  if (!req(obj, key, where).asDouble(x) || !std::isfinite(x))
    bad(where + ": \"" + key + "\" must be a finite number");
  return x;
}

std::string reqStr(const JsonValue &obj, const char *key,
                   const std::string &where) {
  const JsonValue &v = req(obj, key, where);
  if (!v.isString())
    bad(where + ": \"" + key + "\" must be a string");
  return v.text;
}

bool reqBool(const JsonValue &obj, const char *key, const std::string &where) {
  const JsonValue &v = req(obj, key, where);
  if (!v.isBool())
    bad(where + ": \"" + key + "\" must be a boolean");
  return v.boolean;
}

/// A "shape": positive integer dimensions, at most 2^40 elements in all.
void parseShape(const JsonValue &shape, const std::string &where,
                std::vector<int64_t> &dims, int64_t &numel) {
  if (!shape.isArray())
    bad(where + ": \"shape\" must be an array");
  dims.clear();
  numel = 1;
  for (const JsonValue &d : shape.items) {
    int64_t x;
    if (!d.asInt64(x) || x <= 0 || x > (int64_t(1) << 40))
      bad(where + ": dimensions must be positive integers");
    if (numel > (int64_t(1) << 40) / x)
      bad(where + ": too many elements");
    dims.push_back(x);
    numel *= x;
  }
}

void checkRegion(const Metadata &md, int64_t offset, int64_t numel,
                 const std::string &what) {
  if (offset < 0 || offset > md.arenaSize || numel > md.arenaSize - offset)
    bad(what + ": region [" + std::to_string(offset) + ", +" +
        std::to_string(numel) + ") lies outside the arena of " +
        std::to_string(md.arenaSize) + " floats");
}

int64_t lipIndex(const JsonValue &v, size_t self, const std::string &where) {
  int64_t i;
  if (!v.asInt64(i))
    bad(where + ": argument must be an integer node index");
  if (i < 0 || i >= int64_t(self))
    bad(where + ": argument " + std::to_string(i) +
        " must index an earlier node (0 <= index < " + std::to_string(self) +
        ")");
  return i;
}

/// "lipschitz": [NODE, ...] in SSA order (see wl/wlgen.h).
std::vector<LipNode> parseLip(const Metadata &md, const JsonValue &v) {
  if (!v.isArray())
    bad("lipschitz: must be an array of nodes (SSA order, last = output)");
  if (v.items.empty())
    bad("lipschitz: needs at least one node");
  std::vector<LipNode> nodes;
  nodes.reserve(v.items.size());
  for (size_t k = 0; k < v.items.size(); ++k) {
    const JsonValue &nv = v.items[k];
    std::string where = "lipschitz node " + std::to_string(k);
    if (!nv.isObject())
      bad(where + ": must be an object");
    std::string op = reqStr(nv, "op", where);
    LipNode n;
    auto arg = [&] {
      n.args.push_back(lipIndex(req(nv, "arg", where), k, where));
    };
    auto layer = [&](LayerKind kind) {
      std::string name = reqStr(nv, "layer", where);
      n.layer = md.findLayer(name);
      if (n.layer < 0)
        bad(where + ": unknown layer '" + name + "'");
      if (md.layers[size_t(n.layer)].kind != kind)
        bad(where + ": layer '" + name + "' is " +
            (kind == LayerKind::Embedding ? "not " : "") + "an embedding");
    };
    auto positive = [&](const char *key) {
      int64_t x = reqInt(nv, key, where);
      if (x < 1)
        bad(where + ": \"" + key + "\" must be >= 1");
      return x;
    };
    if (op == "input") {
      n.op = LipNode::Op::Input;
      if (nv.get("norm")) {
        std::string norm = reqStr(nv, "norm", where);
        if (norm != "row" && norm != "l2")
          bad(where + ": \"norm\" must be \"row\" or \"l2\"");
        if (norm == "row") {
          n.length = positive("length");
          if (md.inputSize % n.length)
            bad(where + ": length " + std::to_string(n.length) +
                " does not divide input_size");
        }
      }
    } else if (op == "positions") {
      n.op = LipNode::Op::Positions;
      n.length = positive("length");
    } else if (op == "embedding") {
      n.op = LipNode::Op::Embedding;
      layer(LayerKind::Embedding);
      arg();
      LipNode::Op from = nodes[size_t(n.args[0])].op;
      if (from == LipNode::Op::Input ? md.inputKind != 1
                                     : from != LipNode::Op::Positions)
        bad(where + ": an embedding reads the token input or positions");
    } else if (op == "layer") {
      n.op = LipNode::Op::Layer;
      layer(LayerKind::Linear);
      arg();
    } else if (op == "scale") {
      n.op = LipNode::Op::Scale;
      n.factor = reqNum(nv, "factor", where);
      arg();
    } else if (op == "activation") {
      n.op = LipNode::Op::Activation;
      n.factor = reqNum(nv, "factor", where);
      if (n.factor < 0)
        bad(where + ": \"factor\" must be >= 0");
      std::string rule = reqStr(nv, "magnitude", where);
      if (rule == "keep")
        n.magnitude = LipNode::Magnitude::Keep;
      else if (rule == "sigmoid")
        n.magnitude = LipNode::Magnitude::Sigmoid;
      else if (rule != "none")
        bad(where + ": \"magnitude\" must be \"keep\", \"sigmoid\" or "
                    "\"none\"");
      n.width = positive("width");
      arg();
    } else if (op == "add") {
      n.op = LipNode::Op::Add;
      const JsonValue &args = req(nv, "args", where);
      if (!args.isArray() || args.items.empty())
        bad(where +
            ": \"args\" of add must be a non-empty array of node indices");
      for (const JsonValue &a : args.items)
        n.args.push_back(lipIndex(a, k, where));
    } else if (op == "attention") {
      n.op = LipNode::Op::Attention;
      const JsonValue &args = req(nv, "args", where);
      if (!args.isArray() || args.items.size() != 3)
        bad(where + ": \"args\" of attention must be [q, k, v]");
      for (const JsonValue &a : args.items)
        n.args.push_back(lipIndex(a, k, where));
      n.heads = positive("heads");
      n.factor = reqNum(nv, "scale", where);
    } else if (op == "mean_pool") {
      n.op = LipNode::Op::MeanPool;
      arg();
    } else if (op == "row_norm") {
      n.op = LipNode::Op::RowNorm;
      n.kind = reqStr(nv, "kind", where);
      if (n.kind != "rms" && n.kind != "layer")
        bad(where + ": \"kind\" must be \"rms\" or \"layer\"");
      double eps = reqNum(nv, "eps", where);
      if (!(eps > 0))
        bad(where + ": \"eps\" must be > 0");
      n.factor = 1.0 / std::sqrt(eps);
      n.width = positive("width");
      arg();
    } else if (op == "flatten") {
      n.op = LipNode::Op::Flatten;
      n.length = positive("length");
      arg();
    } else {
      bad(where + ": unknown op '" + op + "'");
    }
    nodes.push_back(std::move(n));
  }
  return nodes;
}

/// The top-level scalars: abi, model, sizes, label kind, arena size, target.
void parseHeader(Metadata &md, const JsonValue &root) {
  const std::string top = "metadata";
  md.abi = reqInt(root, "abi", top);
  if (md.abi != 1)
    bad("unsupported abi " + std::to_string(md.abi) +
        " (this runtime implements 1)");
  md.model = reqStr(root, "model", top);
  md.inputSize = reqInt(root, "input_size", top);
  md.outputSize = reqInt(root, "output_size", top);
  if (md.inputSize <= 0 || md.outputSize <= 0 ||
      md.inputSize > (int64_t(1) << 31) || md.outputSize > (int64_t(1) << 31))
    bad("input_size and output_size must be in [1, 2^31]");
  int64_t lk = reqInt(root, "label_kind", top);
  if (lk != 0 && lk != 1)
    bad("label_kind must be 0 or 1");
  md.labelKind = int32_t(lk);
  if (md.labelKind == 1) {
    md.targetSize = root.get("target_size") ? reqInt(root, "target_size", top)
                                            : md.outputSize;
    if (md.targetSize <= 0 || md.targetSize > (int64_t(1) << 31))
      bad("target_size must be in [1, 2^31]");
  } else {
    md.targetSize =
        root.get("target_size") ? reqInt(root, "target_size", top) : 0;
  }
  md.arenaSize = reqInt(root, "arena_size", top);
  if (md.arenaSize < 0 || md.arenaSize > (int64_t(1) << 40))
    bad("arena_size out of range");
  if (const JsonValue *target = root.get("target")) {
    if (!target->isString() ||
        (target->text != "cpu" && target->text != "cuda"))
      bad("\"target\" must be \"cpu\" or \"cuda\"");
    md.cudaTarget = target->text == "cuda";
  }
}

std::string shapeText(const std::vector<int64_t> &dims) {
  std::string t = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    t += (i ? ", " : "") + std::to_string(dims[i]);
  return t + "]";
}

/// An optional per-example shape ("input_shape", "output_shape") whose
/// product must be `size`; [size] when absent.
std::vector<int64_t> parseExampleShape(const JsonValue &root, const char *key,
                                       int64_t size, const char *sizeKey) {
  const JsonValue *v = root.get(key);
  if (!v)
    return {size};
  std::vector<int64_t> dims;
  int64_t numel;
  parseShape(*v, key, dims, numel);
  if (dims.empty() || numel != size)
    bad(std::string("\"") + key + "\" " + shapeText(dims) +
        " must be non-empty with product " + sizeKey + " = " +
        std::to_string(size));
  return dims;
}

/// The optional keys of sequence models (CONTRACT: input_kind, input_shape,
/// output_shape, sequence_length, label_size, token_limit, input_domain),
/// checked against each other and the sizes; absent keys keep an ordinary
/// model's meaning.
void parseSequence(Metadata &md, const JsonValue &root) {
  const std::string top = "metadata";
  md.inputKind = 0;
  if (root.get("input_kind")) {
    int64_t k = reqInt(root, "input_kind", top);
    if (k != 0 && k != 1)
      bad("input_kind must be 0 (f32 features) or 1 (i32 token ids), not " +
          std::to_string(k));
    md.inputKind = int32_t(k);
  }
  md.inputShape =
      parseExampleShape(root, "input_shape", md.inputSize, "input_size");
  md.outputShape =
      parseExampleShape(root, "output_shape", md.outputSize, "output_size");
  md.sequenceLength =
      root.get("sequence_length") ? reqInt(root, "sequence_length", top) : 0;
  if (md.sequenceLength < 0)
    bad("sequence_length must be >= 0");
  if (md.inputKind == 1) {
    // Token ids i32[T]: one id per position.
    if (md.inputShape.size() != 1 || md.sequenceLength != md.inputSize)
      bad("input_kind 1 (token ids) needs input_shape [T] and sequence_length "
          "T = input_size " +
          std::to_string(md.inputSize) + " (got input_shape " +
          shapeText(md.inputShape) + ", sequence_length " +
          std::to_string(md.sequenceLength) + ")");
  } else if (md.sequenceLength > 0 && (md.inputShape.size() != 2 ||
                                       md.inputShape[0] != md.sequenceLength)) {
    // A float sequence f32[T, d].
    bad("sequence_length " + std::to_string(md.sequenceLength) +
        " of a float input needs input_shape [T, d] with T = " +
        std::to_string(md.sequenceLength) + " (got " +
        shapeText(md.inputShape) + ")");
  }

  md.tokenLimit =
      root.get("token_limit") ? reqInt(root, "token_limit", top) : 0;
  if (md.inputKind == 1 && !root.get("token_limit"))
    bad("input_kind 1 (token ids) needs \"token_limit\" (the vocabulary size)");
  if (md.inputKind == 1 &&
      (md.tokenLimit < 1 || md.tokenLimit > (int64_t(1) << 31)))
    bad("token_limit must be in [1, 2^31] (got " +
        std::to_string(md.tokenLimit) + ")");
  if (md.inputKind == 0 && md.tokenLimit != 0)
    bad("token_limit applies only to input_kind 1 (token ids)");

  // Labels per example: class labels of one class vector each (classes = the
  // last dim of output_shape), or targets as before.
  if (md.labelKind == 0) {
    md.labelSize = root.get("label_size") ? reqInt(root, "label_size", top) : 1;
    if (md.labelSize != 1 &&
        (md.sequenceLength == 0 || md.labelSize != md.sequenceLength))
      bad("label_size of class labels must be 1 or sequence_length (got " +
          std::to_string(md.labelSize) + ", sequence_length " +
          std::to_string(md.sequenceLength) + ")");
    if (md.labelSize * md.outputShape.back() != md.outputSize)
      bad("label_size " + std::to_string(md.labelSize) + " times the classes " +
          std::to_string(md.outputShape.back()) +
          " (the last dim of output_shape " + shapeText(md.outputShape) +
          ") must be output_size " + std::to_string(md.outputSize));
  } else {
    md.labelSize = root.get("label_size") ? reqInt(root, "label_size", top)
                                          : md.targetSize;
    if (md.labelSize != md.targetSize)
      bad("label_size of targets must be target_size " +
          std::to_string(md.targetSize) + " (got " +
          std::to_string(md.labelSize) + ")");
  }

  if (const JsonValue *dom = root.get("input_domain")) {
    const std::string where = "input_domain";
    if (!dom->isObject())
      bad("\"input_domain\" must be an object");
    if (md.inputKind != 0)
      bad("input_domain applies only to float inputs (input_kind 0)");
    std::string norm = reqStr(*dom, "norm", where);
    if (norm != "row")
      bad("input_domain: unknown norm '" + norm + "' (only \"row\")");
    md.inputDomain.bound = reqNum(*dom, "bound", where);
    md.inputDomain.rowSize = reqInt(*dom, "row_size", where);
    if (!(md.inputDomain.bound > 0))
      bad("input_domain: \"bound\" must be positive");
    if (md.inputDomain.rowSize < 1 ||
        md.inputSize % md.inputDomain.rowSize != 0)
      bad("input_domain: \"row_size\" " +
          std::to_string(md.inputDomain.rowSize) +
          " must be positive and divide input_size " +
          std::to_string(md.inputSize));
    md.inputDomain.present = true;
  }
}

/// A param's "init": the kind and its arguments.
void parseInit(ParamInfo &p, const JsonValue &init, const std::string &where) {
  std::string kind = reqStr(init, "kind", where + " init");
  if (kind == "zeros") {
    p.init = InitKind::Zeros;
  } else if (kind == "ones") {
    p.init = InitKind::Ones;
  } else if (kind == "normal") {
    p.init = InitKind::Normal;
    p.initValue = reqNum(init, "std", where + " init");
  } else if (kind == "uniform") {
    p.init = InitKind::Uniform;
    p.initValue = reqNum(init, "a", where + " init");
  } else if (kind == "orthogonal") {
    p.init = InitKind::Orthogonal;
  } else if (kind == "from") {
    // {"kind":"from","file":"/abs/path.safetensors","tensor":"name"}: read by
    // wl_create.
    p.init = InitKind::From;
    p.initFile = reqStr(init, "file", where + " init");
    p.initTensor = reqStr(init, "tensor", where + " init");
    if (p.initFile.empty() || p.initTensor.empty())
      bad(where + " init: \"file\" and \"tensor\" of a \"from\" init must be "
                  "non-empty");
    // "transposed": the file holds the matrix's transpose (sst's V = W0ᵀ).
    if (init.get("transposed")) {
      p.initTransposed = reqBool(init, "transposed", where + " init");
      if (p.initTransposed && p.shape.size() != 2)
        bad(where + " init: only a matrix is read transposed");
    }
  } else {
    bad(where + ": unknown init kind '" + kind + "'");
  }
}

/// A param's optional "state" entries, each in the arena, with the param's
/// shape unless the entry has its own.
void parseState(const Metadata &md, ParamInfo &p, const JsonValue &pv,
                const std::string &where) {
  const JsonValue *st = pv.get("state");
  if (!st)
    return;
  if (!st->isArray())
    bad(where + ": \"state\" must be an array");
  for (const JsonValue &sv : st->items) {
    StateInfo s;
    s.name = reqStr(sv, "name", where + " state");
    const std::string swhere = where + " state '" + s.name + "'";
    s.offset = reqInt(sv, "offset", swhere);
    if (const JsonValue *shape = sv.get("shape")) {
      parseShape(*shape, swhere, s.shape, s.numel);
    } else {
      s.shape = p.shape;
      s.numel = p.numel;
    }
    checkRegion(md, s.offset, s.numel, swhere);
    for (const StateInfo &o : p.state)
      if (o.name == s.name)
        bad(where + ": duplicate state '" + s.name + "'");
    p.state.push_back(std::move(s));
  }
}

/// One entry of "params" (`md` holds the params before it).
ParamInfo parseParam(const Metadata &md, const JsonValue &pv) {
  if (!pv.isObject())
    bad("params: each entry must be an object");
  ParamInfo p;
  p.name = reqStr(pv, "name", "param");
  std::string where = "param '" + p.name + "'";
  if (p.name.empty())
    bad("param with an empty name");
  if (md.findParam(p.name) >= 0)
    bad("duplicate " + where);
  parseShape(req(pv, "shape", where), where, p.shape, p.numel);
  p.offset = reqInt(pv, "offset", where);
  checkRegion(md, p.offset, p.numel, where);
  p.trainable = reqBool(pv, "trainable", where);
  p.stepWritten =
      pv.get("step_written") && reqBool(pv, "step_written", where);
  p.gradOffset = pv.get("grad_offset") ? reqInt(pv, "grad_offset", where) : -1;
  if (p.gradOffset >= 0)
    checkRegion(md, p.gradOffset, p.numel, where + " grad");
  else if (p.gradOffset != -1)
    bad(where + ": grad_offset must be >= 0 or -1");
  if (p.trainable && p.gradOffset < 0)
    bad(where + ": trainable but no grad_offset");
  parseInit(p, req(pv, "init", where), where);
  parseState(md, p, pv, where);
  return p;
}

/// A layer's optional "factors": param names, as indices into md.params.
void parseFactors(const Metadata &md, LayerInfo &l, const JsonValue &lv,
                  const std::string &where) {
  const JsonValue *factors = lv.get("factors");
  if (!factors)
    return;
  if (!factors->isArray())
    bad(where + ": \"factors\" must be an array of param names");
  for (const JsonValue &f : factors->items) {
    if (!f.isString())
      bad(where + ": \"factors\" must be an array of param names");
    int index = md.findParam(f.text);
    if (index < 0)
      bad(where + ": unknown factor param '" + f.text + "'");
    l.factors.push_back(index);
  }
}

/// The compiler's spelling of a BoundRule (for messages).
std::string boundRuleName(BoundRule rule) {
  switch (rule) {
  case BoundRule::Gram:
    return "gram";
  case BoundRule::Orthonormal:
    return "orthonormal";
  case BoundRule::MaxAbs:
    return "max_abs";
  case BoundRule::Svd:
    return "svd";
  case BoundRule::BlockMax:
    return "block_max";
  case BoundRule::Kronecker:
    return "kronecker";
  case BoundRule::Monarch:
    return "monarch";
  }
  return "?";
}

/// A layer's "bound" (wl.layer's BoundRule, as the compiler spells it).
BoundRule boundRule(const std::string &name, const std::string &where) {
  if (name == "gram")
    return BoundRule::Gram;
  if (name == "orthonormal")
    return BoundRule::Orthonormal;
  if (name == "max_abs")
    return BoundRule::MaxAbs;
  if (name == "svd")
    return BoundRule::Svd;
  if (name == "block_max")
    return BoundRule::BlockMax;
  if (name == "kronecker")
    return BoundRule::Kronecker;
  if (name == "monarch")
    return BoundRule::Monarch;
  bad(where + ": unknown bound '" + name + "'");
}

/// The shapes a layer's structure relies on: the factors that the svd and
/// max_abs bounds read, the [out, in] weight of layers without
/// factors (the weight is the matrix itself).
void checkLayerShapes(const Metadata &md, const LayerInfo &l,
                      const std::string &where) {
  auto factorShape = [&](size_t i, std::vector<int64_t> shape) {
    if (i >= l.factors.size() || md.params[size_t(l.factors[i])].shape != shape)
      bad(where + ": structure '" + l.structure + "' (bound '" +
          boundRuleName(l.bound) + "') needs factor " + std::to_string(i) +
          " of the right shape");
  };
  // A stack [g, m, n]'s shape (empty when factor i is not a stack).
  auto stack = [&](size_t i) -> std::vector<int64_t> {
    if (i >= l.factors.size() ||
        md.params[size_t(l.factors[i])].shape.size() != 3)
      return {0, 0, 0};
    return md.params[size_t(l.factors[i])].shape;
  };
  if (l.bound == BoundRule::Svd) {
    int64_t r =
        l.factors.size() == 3 ? md.params[size_t(l.factors[1])].numel : 0;
    factorShape(0, {l.out, r});
    factorShape(1, {r});
    factorShape(2, {l.in, r});
  } else if (l.bound == BoundRule::BlockMax) {
    std::vector<int64_t> b = stack(0);
    int64_t g = std::max<int64_t>(b[0], 1);
    factorShape(0, {g, l.out / g, l.in / g});
    if (g * (l.out / g) != l.out || g * (l.in / g) != l.in)
      bad(where + ": blocks must tile the [out, in] weight");
  } else if (l.bound == BoundRule::Kronecker) {
    std::vector<int64_t> a = stack(0), b = stack(1);
    if (a[0] != b[0] || a[1] * b[1] != l.out || a[2] * b[2] != l.in)
      bad(where + ": structure '" + l.structure +
          "' (bound 'kronecker') needs factors A [k, m1, n1], B [k, m2, n2] "
          "with m1*m2 = out, n1*n2 = in");
  } else if (l.bound == BoundRule::Monarch) {
    std::vector<int64_t> r = stack(0), lf = stack(1);
    if (l.in != l.out || r[1] != r[2] || lf[1] != lf[2] || r[0] != lf[1] ||
        lf[0] != r[1] || r[0] * r[1] != l.in)
      bad(where + ": structure '" + l.structure +
          "' (bound 'monarch') needs factors R [b, c, c], L [c, b, b] with "
          "b*c = in = out");
  } else if (l.bound == BoundRule::MaxAbs) {
    if (l.in != l.out)
      bad(where + ": a max_abs bound needs a square layer");
    factorShape(0, {l.in});
  }
  if (l.hasDenseWeight()) {
    if (l.weightIndex < 0)
      bad(where + ": a " + l.structure + " layer needs \"weight\"");
    const ParamInfo &w = md.params[size_t(l.weightIndex)];
    if (w.shape.size() != 2 || w.shape[0] != l.out || w.shape[1] != l.in)
      bad(where + ": weight '" + w.name + "' must have shape [" +
          std::to_string(l.out) + ", " + std::to_string(l.in) + "]");
  }
}

/// "step_tensors": each names a distinct trainable param (after "params").
std::vector<StepTensorInfo> parseStepTensors(const Metadata &md,
                                             const JsonValue &list) {
  if (!list.isArray())
    bad("\"step_tensors\" must be an array");
  std::vector<StepTensorInfo> out;
  for (const JsonValue &v : list.items) {
    std::string where = "step_tensors[" + std::to_string(out.size()) + "]";
    StepTensorInfo t;
    std::string name = reqStr(v, "param", where);
    t.param = md.findParam(name);
    if (t.param < 0 || !md.params[size_t(t.param)].trainable)
      bad(where + ": '" + name + "' is not a trainable param");
    for (const StepTensorInfo &other : out)
      if (other.param == t.param)
        bad(where + ": '" + name + "' is updated twice");
    t.flops = reqNum(v, "flops", where);
    if (!(t.flops >= 0))
      bad(where + ": flops must be >= 0");
    out.push_back(t);
  }
  return out;
}

/// One entry of "layers" (`md` holds the params and the layers before it).
LayerInfo parseLayer(const Metadata &md, const JsonValue &lv) {
  LayerInfo l;
  l.name = reqStr(lv, "name", "layer");
  std::string where = "layer '" + l.name + "'";
  if (md.findLayer(l.name) >= 0)
    bad("duplicate " + where);
  l.in = reqInt(lv, "in", where);
  l.out = reqInt(lv, "out", where);
  if (l.in <= 0 || l.out <= 0)
    bad(where + ": in and out must be positive");
  l.structure = reqStr(lv, "structure", where);
  if (lv.get("kind")) {
    std::string kind = reqStr(lv, "kind", where);
    if (kind == "embedding")
      l.kind = LayerKind::Embedding;
    else if (kind != "linear")
      bad(where + ": unknown kind '" + kind +
          "' (\"linear\" or \"embedding\")");
  }
  l.bound = boundRule(reqStr(lv, "bound", where), where);
  if (lv.get("weight"))
    l.weight = reqStr(lv, "weight", where);
  if (lv.get("bias"))
    l.bias = reqStr(lv, "bias", where);
  if (!l.weight.empty()) {
    l.weightIndex = md.findParam(l.weight);
    if (l.weightIndex < 0)
      bad(where + ": unknown weight param '" + l.weight + "'");
  }
  if (!l.bias.empty() && md.findParam(l.bias) < 0)
    bad(where + ": unknown bias param '" + l.bias + "'");
  if (l.kind == LayerKind::Embedding && !l.bias.empty())
    bad(where + ": an embedding has no bias (got '" + l.bias + "')");
  parseFactors(md, l, lv, where);
  checkLayerShapes(md, l, where);
  return l;
}

void parseInto(Metadata &md, const char *json) {
  if (!json)
    bad("no metadata");
  JsonValue root;
  std::string err;
  if (!parseJson(json, root, err))
    bad("invalid JSON " + err);
  if (!root.isObject())
    bad("metadata must be a JSON object");
  parseHeader(md, root);
  parseSequence(md, root);
  const JsonValue &params = req(root, "params", "metadata");
  if (!params.isArray())
    bad("\"params\" must be an array");
  for (const JsonValue &pv : params.items)
    md.params.push_back(parseParam(md, pv));
  if (const JsonValue *layers = root.get("layers")) {
    if (!layers->isArray())
      bad("\"layers\" must be an array");
    for (const JsonValue &lv : layers->items)
      md.layers.push_back(parseLayer(md, lv));
  }
  if (const JsonValue *pieces = root.get("step_tensors"))
    md.stepTensors = parseStepTensors(md, *pieces);
  md.stepTensorsIndependent =
      root.get("step_tensors_independent") &&
      reqBool(root, "step_tensors_independent", "metadata");
  if (const JsonValue *lip = root.get("lipschitz")) {
    md.lipschitz = parseLip(md, *lip);
    md.hasLipschitz = true;
  }
}

} // namespace

Metadata parseMetadata(const char *json) {
  Metadata md;
  try {
    parseInto(md, json);
    md.ok = true;
  } catch (const std::exception &e) {
    Metadata failed;
    failed.error = std::string("invalid model metadata: ") + e.what();
    return failed;
  }
  return md;
}

const Metadata &metadata() {
  // C++11 guarantees thread-safe initialisation of function-local statics.
  static const Metadata md = parseMetadata(wlgen_metadata);
  return md;
}

} // namespace wlrt
