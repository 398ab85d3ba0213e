//===- Sema.cpp - Semantic checks and resolution of the .wl AST -----------===//
//
// Checks every model of a program and resolves it in place:
//  - calls against the table of Builtins.cpp (names, argument kinds, ranges,
//    defaults filled in);
//  - layer shapes against each structure (divisibility, ranks, frozen bases);
//  - the forward pass (names, assignment order, widths);
//  - the loss against the label/target and the output width;
//  - the parameter table (LANGUAGE.md's names) and the optimizer groups.
// Every error is reported; checking goes on after an error, with unknown
// widths (0) suppressing follow-up errors.
//
//===----------------------------------------------------------------------===//
#include "Parse.h"

#include "wl/Lang/Builtins.h"
#include "wl/Lang/Structure.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

using namespace wl::lang;

namespace {

constexpr double kMaxSize = 2147483648.0; // 2^31

std::string quote(const std::string &s) { return "'" + s + "'"; }

std::string describe(const Value &v) {
  switch (v.kind) {
  case Value::Kind::Number:
    return (v.isInteger ? "integer " : "number ") + formatValue(v);
  case Value::Kind::Ident:
    return "identifier " + quote(v.text);
  case Value::Kind::String:
    return "string " + formatValue(v);
  case Value::Kind::Bool:
    return std::string("boolean ") + (v.boolean ? "true" : "false");
  case Value::Kind::Tuple:
    return "tuple " + formatValue(v);
  case Value::Kind::Shape:
    return "shape " + formatValue(v);
  case Value::Kind::Call:
    return "call " + formatValue(v);
  }
  return "value";
}

std::string kindName(const ArgSpec &a) {
  switch (a.kind) {
  case ArgKind::Number:
    return "a number";
  case ArgKind::Integer:
    return "an integer";
  case ArgKind::Bool:
    return "true or false";
  case ArgKind::Enum: {
    std::string s = "one of ";
    for (size_t i = 0; i < a.choices.size(); ++i)
      s +=
          (i ? (i + 1 == a.choices.size() ? " or " : ", ") : "") + a.choices[i];
    return s;
  }
  case ArgKind::String:
    return "a string";
  case ArgKind::Shape2:
    return "a shape [m, n]";
  case ArgKind::NumberPair:
    return "a pair of numbers (a, b)";
  case ArgKind::Init:
    return "an initialiser";
  }
  return "a value";
}

std::string rangeText(const ArgSpec &a) {
  bool lo = std::isfinite(a.lo), hi = std::isfinite(a.hi);
  std::string s;
  if (lo && hi)
    return std::string("in ") + (a.loInclusive ? "[" : "(") +
           formatNumber(a.lo, true) + ", " + formatNumber(a.hi, true) +
           (a.hiInclusive ? "]" : ")");
  if (lo)
    return std::string(a.loInclusive ? ">= " : "> ") + formatNumber(a.lo, true);
  if (hi)
    return std::string(a.hiInclusive ? "<= " : "< ") + formatNumber(a.hi, true);
  return s;
}

bool inRange(const ArgSpec &a, double v) {
  if (std::isinf(v)) // a literal out of double range: the parser reported it
    return true;
  if (v < a.lo || (v == a.lo && !a.loInclusive))
    return false;
  if (v > a.hi || (v == a.hi && !a.hiInclusive))
    return false;
  return true;
}

/// Returns true when the whole call resolved (no error).
class Sema {
public:
  explicit Sema(DiagEngine &diag) : diag(diag) {}

  void program(Program &p) {
    std::map<std::string, Loc> seen;
    for (Model &m : p.models) {
      auto it = seen.find(m.name);
      if (it != seen.end())
        error(m.loc, "duplicate model " + quote(m.name) +
                         " (first declared at " +
                         std::to_string(it->second.line) + ":" +
                         std::to_string(it->second.col) + ")");
      else
        seen[m.name] = m.loc;
      model(m);
    }
  }

private:
  DiagEngine &diag;

  void error(const Loc &loc, const std::string &msg) { diag.error(loc, msg); }

  //===--------------------------------------------------------------------===//
  // Calls against the table
  //===--------------------------------------------------------------------===//

  /// Checks `call` as a `category` call and resolves it (names positional
  /// arguments, fills defaults). `structure` names the structure for `init`
  /// arguments. Returns false after reporting errors.
  bool call(Call &c, CallCategory category, const std::string &context,
            const std::string &structure = "") {
    const CallSpec *spec = lookupBuiltin(category, c.name);
    if (!spec) {
      error(c.loc, "unknown " + std::string(categoryName(category)) + " " +
                       quote(c.name) + context +
                       " (expected one of: " + builtinNames(category) + ")");
      return false;
    }
    return callWithSpec(c, *spec, structure.empty() ? c.name : structure);
  }

  bool callWithSpec(Call &c, const CallSpec &spec, const std::string &owner) {
    int before = diag.numErrors();
    std::set<std::string> given;
    size_t positional = 0;
    bool sawKeyword = false;
    for (Arg &a : c.args) {
      if (a.implicit)
        continue;
      if (a.key.empty() || a.positional) {
        if (sawKeyword) {
          error(a.loc, "positional argument after keyword arguments in " +
                           quote(c.name));
          continue;
        }
        if (positional >= spec.args.size()) {
          error(a.loc, "too many positional arguments to " + quote(c.name) +
                           " (it takes " + std::to_string(spec.args.size()) +
                           ")");
          continue;
        }
        a.key = spec.args[positional++].name;
        a.positional = true;
      } else {
        sawKeyword = true;
      }
      const ArgSpec *as = spec.findArg(a.key);
      if (!as) {
        std::string known;
        for (const ArgSpec &s : spec.args)
          known += (known.empty() ? "" : ", ") + s.name;
        error(a.loc, "unknown argument " + quote(a.key) + " of " +
                         quote(c.name) +
                         (known.empty() ? " (it takes no arguments)"
                                        : " (expected " + known + ")"));
        continue;
      }
      if (!given.insert(a.key).second) {
        error(a.loc, "argument " + quote(a.key) + " of " + quote(c.name) +
                         " given twice");
        continue;
      }
      value(a, *as, c, owner);
    }
    for (const ArgSpec &as : spec.args) {
      if (given.count(as.name))
        continue;
      if (as.required) {
        error(c.loc, "missing required argument " + quote(as.name) + " of " +
                         quote(c.name) + " (" + kindName(as) + ")");
        continue;
      }
      if (as.dflt) {
        Arg d;
        d.key = as.name;
        d.value = *as.dflt;
        d.value.loc = c.loc;
        d.loc = c.loc;
        d.implicit = true;
        c.args.push_back(std::move(d));
      }
    }
    return diag.numErrors() == before;
  }

  /// Checks one argument value against its spec.
  void value(Arg &a, const ArgSpec &as, const Call &c,
             const std::string &owner) {
    Value &v = a.value;
    std::string what = "argument " + quote(as.name) + " of " + quote(c.name);
    auto bad = [&] {
      error(a.loc, what + " must be " + kindName(as) + ", got " + describe(v));
    };
    auto checkRange = [&](const Value &x) {
      if (!inRange(as, x.number))
        error(x.loc.line ? x.loc : a.loc,
              what + " must be " + rangeText(as) + ", got " + formatValue(x));
    };
    switch (as.kind) {
    case ArgKind::Number:
      if (v.kind != Value::Kind::Number)
        return bad();
      return checkRange(v);
    case ArgKind::Integer:
      if (v.kind != Value::Kind::Number || !v.isInteger)
        return bad();
      if (std::fabs(v.number) > kMaxSize)
        return error(a.loc, what + " is too large: " + formatValue(v));
      return checkRange(v);
    case ArgKind::Bool:
      if (v.kind != Value::Kind::Bool)
        return bad();
      return;
    case ArgKind::String:
      if (v.kind != Value::Kind::String)
        return bad();
      return;
    case ArgKind::Enum:
      if (v.kind != Value::Kind::Ident ||
          std::find(as.choices.begin(), as.choices.end(), v.text) ==
              as.choices.end())
        return bad();
      return;
    case ArgKind::Shape2:
      if (v.kind != Value::Kind::Shape || v.elems.size() != 2)
        return bad();
      for (const Value &e : v.elems)
        if (e.kind != Value::Kind::Number || !e.isInteger || e.number < 1 ||
            e.number > kMaxSize)
          return error(e.loc, what + " must hold positive integers, got " +
                                  formatValue(e));
      return;
    case ArgKind::NumberPair:
      if (v.kind != Value::Kind::Tuple || v.elems.size() != 2)
        return bad();
      for (const Value &e : v.elems) {
        if (e.kind != Value::Kind::Number)
          return error(e.loc, what + " must hold numbers, got " + describe(e));
        checkRange(e);
      }
      return;
    case ArgKind::Init:
      return init(a, c, owner);
    }
  }

  /// `init = zeros | normal(std = s) | from("f", "n") | pissa | ...`
  void init(Arg &a, const Call &c, const std::string &owner) {
    Value &v = a.value;
    if (v.kind != Value::Kind::Ident && v.kind != Value::Kind::Call) {
      error(a.loc, "argument 'init' of " + quote(c.name) +
                       " must be an initialiser, got " + describe(v));
      return;
    }
    // Normalise a bare identifier to a call without parentheses.
    if (v.kind == Value::Kind::Ident) {
      auto k = std::make_shared<Call>();
      k->name = v.text;
      k->loc = v.loc;
      v.kind = Value::Kind::Call;
      v.call = k;
    }
    Call &k = *v.call;
    const CallSpec *owned = lookupBuiltin(CallCategory::Structure, owner);
    const CallSpec *spec = lookupBuiltin(CallCategory::Init, k.name);
    if (!spec) {
      error(k.loc,
            "unknown initialiser " + quote(k.name) +
                " (expected one of: " + builtinNames(CallCategory::Init) + ")");
      return;
    }
    bool extra =
        owned && std::find(owned->extraInits.begin(), owned->extraInits.end(),
                           k.name) != owned->extraInits.end();
    if (!spec->onlyFor.empty() &&
        std::find(spec->onlyFor.begin(), spec->onlyFor.end(), owner) ==
            spec->onlyFor.end()) {
      error(k.loc, "initialiser " + quote(k.name) + " only applies to " +
                       spec->onlyFor.front() + ", not to " + quote(owner));
      return;
    }
    if (owned && owned->onlyExtraInits && !extra) {
      std::string list;
      for (const std::string &s : owned->extraInits)
        list += (list.empty() ? "" : " or ") + s;
      error(k.loc, "initialiser of " + quote(owner) + " must be " + list +
                       ", got " + quote(k.name));
      return;
    }
    callWithSpec(k, *spec, owner);
  }

  //===--------------------------------------------------------------------===//
  // Models
  //===--------------------------------------------------------------------===//

  void model(Model &m) {
    std::string inModel = " in model " + quote(m.name);
    // Input and label.
    if (!m.input) {
      error(m.loc, "model " + quote(m.name) +
                       " has no input: declare one, e.g. 'input x: f32[784]'");
    } else {
      Input &in = *m.input;
      if (in.dtype == "i32") {
        if (in.dims.size() != 1)
          error(in.loc, "token input " + quote(in.name) +
                            " must be 'i32[T]' (one id per position)");
      } else if (in.dtype != "f32") {
        error(in.loc, "input " + quote(in.name) +
                          " must be f32 (or i32[T] "
                          "token ids), got " +
                          quote(in.dtype));
      }
      if (in.dims.empty())
        error(in.loc,
              "input " + quote(in.name) + " needs a shape, e.g. 'f32[784]'");
      in.size = product(in.dims, in.loc, "input " + quote(in.name));
      if (in.domain)
        inputDomain(in);
    }
    if (m.label) {
      Label &l = *m.label;
      if (l.kind == Label::Kind::ClassLabel) {
        if (l.dtype != "i32" || l.dims.size() > 1)
          error(l.loc, "label " + quote(l.name) +
                           " must be 'i32' (one class index per example) or "
                           "'i32[T]' (one per position); use 'target " +
                           l.name + ": f32[k]' for real targets");
        l.size = l.dims.size() == 1 ? std::max<int64_t>(l.dims[0], 0) : 1;
      } else {
        if (l.dtype != "f32")
          error(l.loc, "target " + quote(l.name) + " must be f32, got " +
                           quote(l.dtype));
        if (l.dims.empty())
          error(l.loc,
                "target " + quote(l.name) + " needs a shape, e.g. 'f32[10]'");
        l.size = product(l.dims, l.loc, "target " + quote(l.name));
      }
      if (m.input && l.name == m.input->name)
        error(l.loc, "duplicate name " + quote(l.name) +
                         ": the input already uses it");
    }

    // Layers.
    std::map<std::string, const Linear *> layers;
    for (size_t i = 0; i < m.layers.size(); ++i) {
      Linear &l = m.layers[i];
      auto it = layers.find(l.name);
      if (it != layers.end()) {
        error(l.loc, "duplicate layer " + quote(l.name) +
                         " (first declared at " +
                         std::to_string(it->second->loc.line) + ":" +
                         std::to_string(it->second->loc.col) + ")");
      } else {
        layers[l.name] = &l;
      }
      if ((m.input && l.name == m.input->name) ||
          (m.label && l.name == m.label->name))
        error(l.loc, "layer " + quote(l.name) +
                         " has the name of the model's input or label");
      if (lookupBuiltin(CallCategory::Activation, l.name) ||
          l.name == "positions")
        error(l.loc, "layer " + quote(l.name) + " has the name of " +
                         (l.name == "positions" ? "the position ids"
                                                : "an activation"));
      if (l.isEmbedding())
        embedding(l);
      linear(l);
    }

    forward(m);
    loss(m);
    params(m);
    optimize(m);
  }

  /// `input x: f32[T, d] with norm_bound(c, norm = row)`: every position's
  /// l2 norm is at most c (the runtime checks it, the certificate uses it).
  void inputDomain(Input &in) {
    Call &c = *in.domain;
    const std::string usage = "declare an input domain as 'input " + in.name +
                              ": f32[T, d] with norm_bound(c, norm = row)'";
    if (c.name != "norm_bound") {
      error(c.loc, "unknown input domain " + quote(c.name) + ": " + usage);
      return;
    }
    if (!call(c, CallCategory::Constraint, " on input " + quote(in.name)))
      return;
    if (c.getName("norm") != "row")
      error(c.loc, "an input domain bounds each position: " + usage);
    else if (in.dtype != "f32" || in.dims.size() != 2)
      error(c.loc, "input " + quote(in.name) +
                       " is not a sequence f32[T, d]; " + usage);
  }

  int64_t product(const std::vector<int64_t> &dims, const Loc &loc,
                  const std::string &what) {
    double p = 1;
    for (int64_t d : dims)
      p *= static_cast<double>(d);
    if (p > kMaxSize) {
      error(loc, what + " has " + formatNumber(p, true) +
                     " elements per example, more than 2^31");
      return 0;
    }
    for (int64_t d : dims)
      if (d <= 0)
        return 0; // reported by the builder
    return static_cast<int64_t>(p);
  }

  //===--------------------------------------------------------------------===//
  // Layers: structures, constraints, bias
  //===--------------------------------------------------------------------===//

  void linear(Linear &l) {
    std::string ctx = " in layer " + quote(l.name);
    int frozenTerm = -1;
    for (size_t t = 0; t < l.weight.terms.size(); ++t) {
      Term &term = l.weight.terms[t];
      Call &s = term.structure;
      bool ok = call(s, CallCategory::Structure, ctx);
      const StructureRules *rules = lookupStructureRules(s.name);
      if (rules) {
        bool needsBase = rules->needsFrozenBase(s);
        if (rules->isFrozenBase()) {
          if (frozenTerm >= 0)
            error(s.loc, "layer " + quote(l.name) +
                             " has two frozen bases; a weight has at most one");
          frozenTerm = static_cast<int>(t);
        } else if (needsBase && frozenTerm < 0) {
          std::string what =
              rules->callSpec().needsFrozenBase
                  ? quote(s.name)
                  : s.name + "(init = " + s.getName("init") + ")";
          error(s.loc, what + " needs a frozen base" + ctx +
                           ": write 'weight = frozen(init = ...) + " + s.name +
                           "(...)'");
        }
      }
      if (ok && rules && l.in > 0 && l.out > 0)
        rules->checkShape(l, s, [&](const Loc &loc, const std::string &msg) {
          error(loc, msg);
        });
      for (Call &c : term.constraints)
        if (call(c, CallCategory::Constraint, ctx) && l.in > 0 && l.out > 0)
          constraintShape(l, c);
    }
    if (l.bias.kind == Bias::Kind::Init) {
      Call &k = l.bias.init;
      const CallSpec *spec = lookupBuiltin(CallCategory::Init, k.name);
      if (!spec) {
        error(k.loc, "unknown bias " + quote(k.name) +
                         ": expected zeros, none or an initialiser (" +
                         builtinNames(CallCategory::Init) + ")");
      } else if (!spec->onlyFor.empty() || k.name == "orthogonal") {
        error(k.loc, "initialiser " + quote(k.name) +
                         " does not apply to a bias" + ctx);
      } else {
        callWithSpec(k, *spec, "bias");
      }
    }
  }

  /// An embedding's table is one dense term [V, d] (default init normal(std
  /// = 1), as nn.Embedding), constrained like a weight, without a bias.
  void embedding(Linear &l) {
    if (l.biasWritten)
      error(l.bias.loc, "embedding " + quote(l.name) + " has no bias");
    l.bias.kind = Bias::Kind::None;
    for (Term &t : l.weight.terms)
      if (t.structure.name != "dense")
        error(t.structure.loc, "structure " + quote(t.structure.name) +
                                   " on embedding " + quote(l.name) +
                                   " is not supported yet (only dense)");
    Call &s = l.weight.terms.front().structure;
    if (s.find("init", 0))
      return;
    Arg init;
    init.key = "init";
    init.loc = s.loc;
    init.value.kind = Value::Kind::Call;
    init.value.loc = s.loc;
    init.value.call = std::make_shared<Call>();
    init.value.call->name = "normal";
    init.value.call->hasParens = true;
    init.value.call->loc = s.loc;
    Arg stdArg;
    stdArg.key = "std";
    stdArg.loc = s.loc;
    stdArg.value = build::num(1, false);
    stdArg.value.loc = s.loc;
    init.value.call->args.push_back(stdArg);
    s.args.push_back(init);
    s.hasParens = true;
  }

  void constraintShape(Linear &l, Call &c) {
    if (c.name == "rank_at_most") {
      int64_t r = c.getInt("r"), mn = std::min(l.in, l.out);
      if (r > mn)
        error(argLoc(c, "r"),
              "rank_at_most r = " + std::to_string(r) +
                  " is larger than min(IN, OUT) = " + std::to_string(mn) +
                  " of layer " + quote(l.name));
    }
  }

  //===--------------------------------------------------------------------===//
  // Forward
  //===--------------------------------------------------------------------===//

  /// A value per example: its shape and whether it holds token ids.
  struct ValueType {
    std::vector<int64_t> shape; ///< empty when unknown (after an error)
    bool tokens = false;
    /// Token ids: `positions` (ids < T, known here) rather than the input.
    bool positions = false;
    bool known() const { return !shape.empty(); }
  };

  struct Scope {
    Model &m;
    std::map<std::string, ValueType> vars; // assigned so far
    std::set<std::string> later;           // assigned somewhere in forward
  };

  static int64_t numel(const std::vector<int64_t> &shape) {
    int64_t n = shape.empty() ? 0 : 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  /// `f32[T, d]`, `i32[T]`: how errors name a value's shape.
  static std::string typeText(const ValueType &t) {
    std::string s = t.tokens ? "i32[" : "f32[";
    for (size_t i = 0; i < t.shape.size(); ++i)
      s += (i ? ", " : "") + std::to_string(t.shape[i]);
    return s + "]";
  }

  void forward(Model &m) {
    if (!m.forward) {
      error(m.loc, "model " + quote(m.name) +
                       " has no forward: add 'forward { ... return EXPR }'");
      return;
    }
    Forward &f = *m.forward;
    Scope scope{m, {}, {}};
    for (const Stmt &s : f.stmts)
      if (!s.isReturn())
        scope.later.insert(s.name);
    if (m.input && m.input->size)
      scope.vars[m.input->name] = {m.input->dims, m.input->isTokens()};
    m.sequenceModel = m.input && (m.input->isTokens() || m.input->domain);
    bool returned = false;
    for (Stmt &s : f.stmts) {
      if (returned) {
        error(s.loc, "statement after 'return' in forward");
        break;
      }
      ValueType t = expr(s.value, scope);
      if (s.isReturn()) {
        returned = true;
        if (t.tokens) {
          error(s.value.loc, "forward returns token ids " + typeText(t) +
                                 "; return a float value such as logits");
          continue;
        }
        m.outputSize = numel(t.shape);
        m.outputShape = t.shape;
        continue;
      }
      if (m.findLayer(s.name))
        error(s.loc, "cannot assign to " + quote(s.name) + ": it is a layer");
      else if (lookupBuiltin(CallCategory::Activation, s.name))
        error(s.loc,
              "cannot assign to " + quote(s.name) + ": it is an activation");
      else if (m.input && s.name == m.input->name)
        error(s.loc, "cannot assign to the input " + quote(s.name));
      else if (m.label && s.name == m.label->name)
        error(s.loc, "cannot assign to the label " + quote(s.name));
      else if (s.name == "positions")
        error(s.loc, "cannot assign to 'positions': it names the position ids");
      scope.vars[s.name] = t;
    }
    if (!returned)
      error(f.loc, "forward has no 'return': end it with 'return EXPR'");
  }

  /// Checks `e`, resolves calls, and records its type (shape unknown after
  /// an error).
  ValueType expr(Expr &e, Scope &sc) {
    ValueType t = exprImpl(e, sc);
    e.shape = t.shape;
    e.tokens = t.tokens;
    e.width = numel(t.shape);
    return t;
  }

  ValueType exprImpl(Expr &e, Scope &sc) {
    const Model &m = sc.m;
    switch (e.kind) {
    case Expr::Kind::Number:
      error(e.loc, "a number is not a value of the forward pass; scale with "
                   "'c * h'");
      return {};
    case Expr::Kind::Bool:
      error(e.loc, quote(e.name) + " is not a value of the forward pass; it is "
                                   "an argument, e.g. 'causal = true'");
      return {};
    case Expr::Kind::Var: {
      auto it = sc.vars.find(e.name);
      if (it != sc.vars.end())
        return it->second;
      if (e.name == "positions") {
        if (m.input && m.input->sequenceLength())
          return {{m.input->sequenceLength()}, true, true};
        error(e.loc, "'positions' needs a sequence input ('i32[T]' token ids "
                     "or 'f32[T, d]')");
        return {};
      }
      if (m.findLayer(e.name))
        error(e.loc, "layer " + quote(e.name) +
                         " must be applied to a value, "
                         "e.g. '" +
                         e.name + "(h)'");
      else if (lookupBuiltin(CallCategory::Activation, e.name))
        error(e.loc, "activation " + quote(e.name) +
                         " must be applied to a value, e.g. '" + e.name +
                         "(h)'");
      else if (m.label && e.name == m.label->name)
        error(e.loc, quote(e.name) + " is the " +
                         (m.label->kind == Label::Kind::ClassLabel ? "label"
                                                                   : "target") +
                         "; it is only available to the loss, not to forward");
      else if (sc.later.count(e.name))
        error(e.loc,
              "variable " + quote(e.name) + " is used before it is assigned");
      else
        error(e.loc, "undefined name " + quote(e.name));
      return {};
    }
    case Expr::Kind::Add: {
      ValueType a = expr(e.operands[0], sc), b = expr(e.operands[1], sc);
      if (!a.known() || !b.known())
        return {};
      if (a.tokens || b.tokens) {
        error(e.loc, "cannot add token ids (" + typeText(a.tokens ? a : b) +
                         "); look them up with an embedding first");
        return {};
      }
      if (a.shape != b.shape) {
        if (a.shape.size() == 1 && b.shape.size() == 1)
          error(e.loc, "cannot add values of different widths (" +
                           std::to_string(a.shape[0]) + " and " +
                           std::to_string(b.shape[0]) + ")");
        else
          error(e.loc, "cannot add values of shapes " + typeText(a) + " and " +
                           typeText(b));
        return {};
      }
      return a;
    }
    case Expr::Kind::Scale: {
      ValueType a = expr(e.operands[0], sc);
      if (a.tokens) {
        error(e.loc, "cannot scale token ids (" + typeText(a) +
                         "); look them up with an embedding first");
        return {};
      }
      return a;
    }
    case Expr::Kind::Call:
      return callExpr(e, sc);
    }
    return {};
  }

  /// Checks every operand that is a value (after an error, so that later
  /// errors in them are still reported).
  void checkValues(std::vector<Expr> &operands, Scope &sc) {
    for (Expr &o : operands)
      if (o.kind != Expr::Kind::Number && o.kind != Expr::Kind::Bool)
        expr(o, sc);
  }

  ValueType callExpr(Expr &e, Scope &sc) {
    const Model &m = sc.m;
    if (const Linear *l = m.findLayer(e.name)) {
      e.callee = Expr::Callee::Layer;
      if (e.operands.size() != 1 || !e.operands[0].key.empty()) {
        error(e.loc, "layer " + quote(e.name) +
                         " takes exactly one value, e.g. '" + e.name + "(h)'");
        checkValues(e.operands, sc);
        return {};
      }
      ValueType x = expr(e.operands[0], sc);
      if (!x.known() || !l->in || !l->out)
        return {};
      return l->isEmbedding() ? embeddingType(e, *l, x, sc)
                              : layerType(e, *l, x, sc);
    }
    const CallSpec *spec = lookupBuiltin(CallCategory::Activation, e.name);
    if (!spec) {
      if (sc.vars.count(e.name) || sc.later.count(e.name))
        error(e.loc,
              quote(e.name) + " is a variable, not a layer or an activation");
      else
        error(e.loc, "undefined layer or activation " + quote(e.name) +
                         " (activations: " +
                         builtinNames(CallCategory::Activation) + ")");
      checkValues(e.operands, sc);
      return {};
    }
    e.callee = Expr::Callee::Activation;
    size_t values = static_cast<size_t>(spec->valueOperands);
    bool valuesOk = e.operands.size() >= values;
    for (size_t i = 0; valuesOk && i < values; ++i)
      valuesOk = e.operands[i].key.empty() &&
                 e.operands[i].kind != Expr::Kind::Number &&
                 e.operands[i].kind != Expr::Kind::Bool;
    if (!valuesOk) {
      error(e.loc, values == 1
                       ? "activation " + quote(e.name) +
                             " needs a value as its first argument, e.g. '" +
                             e.name + "(h)'"
                       : quote(e.name) +
                             " needs q, k and v as its first three "
                             "arguments, e.g. 'attention(q(h), k(h), v(h), "
                             "heads = 4)'");
      return {};
    }
    // The remaining operands are the call's parameters.
    std::vector<Expr> ops = std::move(e.operands);
    e.operands.clear();
    for (size_t i = 0; i < values; ++i)
      e.operands.push_back(std::move(ops[i]));
    e.params = Call();
    e.params.name = e.name;
    e.params.loc = e.loc;
    e.params.hasParens = true;
    bool ok = true;
    for (size_t i = values; i < ops.size(); ++i) {
      Expr &o = ops[i];
      if (o.kind != Expr::Kind::Number && o.kind != Expr::Kind::Bool) {
        error(o.loc, "argument " + std::to_string(i + 1) + " of " +
                         quote(e.name) + " must be a number or a boolean");
        ok = false;
        continue;
      }
      Arg a;
      a.key = o.key;
      a.positional = o.key.empty();
      a.loc = o.loc;
      a.value.kind =
          o.kind == Expr::Kind::Bool ? Value::Kind::Bool : Value::Kind::Number;
      a.value.number = o.number;
      a.value.boolean = o.number != 0;
      a.value.isInteger = o.isInteger;
      a.value.text = o.name;
      a.value.loc = o.loc;
      e.params.args.push_back(std::move(a));
    }
    // Positional parameters are unnamed until callWithSpec names them.
    for (Arg &a : e.params.args)
      if (a.positional)
        a.key.clear();
    ok &= callWithSpec(e.params, *spec, e.name);
    std::vector<ValueType> xs;
    for (Expr &o : e.operands)
      xs.push_back(expr(o, sc));
    for (size_t i = 0; i < xs.size(); ++i) {
      if (!xs[i].known())
        return {};
      if (xs[i].tokens) {
        error(e.operands[i].loc, quote(e.name) + " is applied to token ids " +
                                     typeText(xs[i]) +
                                     "; look them up with an embedding first");
        return {};
      }
    }
    if (!ok)
      return {};
    if (xs[0].shape.size() == 2 &&
        (e.name == "attention" || e.name == "mean_pool" ||
         e.name == "rms_norm" || e.name == "layer_norm"))
      sc.m.sequenceModel = true;
    if (e.name == "attention")
      return attentionType(e, xs);
    if (e.name == "mean_pool") {
      if (xs[0].shape.size() != 2) {
        error(e.loc,
              "mean_pool needs a sequence f32[T, d], got " + typeText(xs[0]));
        return {};
      }
      return {{xs[0].shape[1]}, false};
    }
    if (e.name == "groupsort") {
      int64_t k = e.params.getInt("k"), w = xs[0].shape.back();
      if (w % k != 0)
        error(argLoc(e.params, "k"),
              "groupsort group size " + std::to_string(k) +
                  " does not divide the width " + std::to_string(w));
    }
    return xs[0];
  }

  /// `E(ids)`: [T] ids -> [T, d].
  ValueType embeddingType(Expr &e, const Linear &l, const ValueType &x,
                          Scope &sc) {
    if (!x.tokens) {
      error(e.loc, "embedding " + quote(l.name) +
                       " takes token ids (i32), but is applied to a value "
                       "of type " +
                       typeText(x));
      return {};
    }
    if (x.positions && l.out < x.shape[0]) {
      error(e.loc, "embedding " + quote(l.name) + " has " +
                       std::to_string(l.out) +
                       " rows, but 'positions' holds "
                       "ids up to " +
                       std::to_string(x.shape[0] - 1) +
                       " (T = " + std::to_string(x.shape[0]) + ")");
      return {};
    }
    Model &m = sc.m;
    if (!x.positions)
      m.tokenLimit = m.tokenLimit ? std::min(m.tokenLimit, l.out) : l.out;
    return {{x.shape[0], l.in}, false};
  }

  /// The position-wise rule: L applies to the last dimension when it is IN,
  /// else to the flattened value when it has IN elements.
  ValueType layerType(Expr &e, const Linear &l, const ValueType &x, Scope &sc) {
    if (x.tokens) {
      error(e.loc, "layer " + quote(l.name) + " is applied to token ids " +
                       typeText(x) +
                       "; look them up with an embedding first (e.g. "
                       "'embedding E: V -> d', then '" +
                       l.name + "(E(tokens))')");
      return {};
    }
    if (x.shape.size() <= 2 && x.shape.back() == l.in) {
      if (x.shape.size() == 2)
        sc.m.sequenceModel = true;
      ValueType y = x;
      y.shape.back() = l.out;
      return y;
    }
    if (numel(x.shape) == l.in)
      return {{l.out}, false};
    if (x.shape.size() == 1)
      error(e.loc, "layer " + quote(l.name) + " expects width " +
                       std::to_string(l.in) +
                       " but is applied to a value of width " +
                       std::to_string(x.shape[0]));
    else
      error(e.loc, "layer " + quote(l.name) + " (" + std::to_string(l.in) +
                       " -> " + std::to_string(l.out) +
                       ") applies to a last dimension of " +
                       std::to_string(l.in) + " or to " + std::to_string(l.in) +
                       " values in all, but is applied to a value of type " +
                       typeText(x));
    return {};
  }

  /// attention(q, k, v, heads = H, ...): q, k, v [T, D], D divisible by H,
  /// an even head dimension for RoPE; fills the default scale 1/sqrt(D/H).
  ValueType attentionType(Expr &e, const std::vector<ValueType> &xs) {
    const ValueType &q = xs[0];
    static const char *names[] = {"q", "k", "v"};
    for (size_t i = 0; i < 3; ++i)
      if (xs[i].shape.size() != 2) {
        error(e.operands[i].loc, std::string("attention needs sequences [T, "
                                             "D], but ") +
                                     names[i] + " has type " + typeText(xs[i]));
        return {};
      }
    if (xs[1].shape != q.shape || xs[2].shape != q.shape) {
      error(e.loc, "attention's q, k and v must have the same shape, got " +
                       typeText(xs[0]) + ", " + typeText(xs[1]) + " and " +
                       typeText(xs[2]));
      return {};
    }
    int64_t D = q.shape[1], H = e.params.getInt("heads");
    if (D % H != 0) {
      error(argLoc(e.params, "heads"),
            "attention heads = " + std::to_string(H) +
                " does not divide the width D = " + std::to_string(D) +
                " of q " + typeText(q));
      return {};
    }
    if (e.params.getBool("rope") && (D / H) % 2 != 0) {
      error(argLoc(e.params, "rope"),
            "rope needs an even head dimension, but D/heads = " +
                std::to_string(D) + "/" + std::to_string(H) + " = " +
                std::to_string(D / H));
      return {};
    }
    if (!e.params.find("scale")) {
      Arg a;
      a.key = "scale";
      a.implicit = true;
      a.loc = e.loc;
      a.value = build::num(1 / std::sqrt(static_cast<double>(D / H)), false);
      a.value.loc = e.loc;
      e.params.args.push_back(a);
    }
    return q;
  }

  //===--------------------------------------------------------------------===//
  // Loss
  //===--------------------------------------------------------------------===//

  void loss(Model &m) {
    if (!m.loss) {
      error(m.loc,
            "model " + quote(m.name) +
                " has no loss: add 'loss = cross_entropy(forward, y)' or "
                "'loss = mse(forward, y)'");
      return;
    }
    Loss &l = *m.loss;
    Call &c = l.call;
    if (c.name != "cross_entropy" && c.name != "mse") {
      error(c.loc, "unknown loss " + quote(c.name) +
                       " (expected cross_entropy or mse)");
      return;
    }
    l.kind = c.name;
    if (c.args.size() != 2 || !c.args[0].key.empty() ||
        !c.args[1].key.empty()) {
      error(c.loc, quote(c.name) + " takes two arguments: " + c.name +
                       "(forward, " + (m.label ? m.label->name : "y") + ")");
      return;
    }
    const Value &out = c.args[0].value, &tgt = c.args[1].value;
    if (!out.isNamed("forward") || out.kind != Value::Kind::Ident)
      error(c.args[0].loc, "the first argument of " + quote(c.name) +
                               " must be 'forward' (the model output)");
    if (tgt.kind != Value::Kind::Ident) {
      error(c.args[1].loc, "the second argument of " + quote(c.name) +
                               " must name the label or target");
      return;
    }
    l.target = tgt.text;
    if (!m.label) {
      error(tgt.loc, "undefined name " + quote(tgt.text) +
                         ": the model declares no label or target");
      return;
    }
    if (tgt.text != m.label->name) {
      error(tgt.loc, "undefined name " + quote(tgt.text) + ": the model's " +
                         (m.label->kind == Label::Kind::ClassLabel ? "label"
                                                                   : "target") +
                         " is " + quote(m.label->name));
      return;
    }
    if (c.name == "cross_entropy") {
      if (m.label->kind != Label::Kind::ClassLabel)
        error(tgt.loc, "cross_entropy needs class labels ('label " + tgt.text +
                           ": i32'); " + quote(tgt.text) +
                           " is a real-valued target (use mse)");
      else if (!m.outputShape.empty())
        classLabelShape(m, tgt);
    } else {
      if (m.label->kind != Label::Kind::Target)
        error(tgt.loc, "mse needs real targets ('target " + tgt.text +
                           ": f32[k]'); " + quote(tgt.text) +
                           " is a class label (use cross_entropy)");
      else if (m.outputSize && m.label->size && m.outputSize != m.label->size)
        error(tgt.loc, m.outputShape.size() == 1 && m.label->dims.size() == 1
                           ? "target " + quote(tgt.text) + " has width " +
                                 std::to_string(m.label->size) +
                                 " but forward returns width " +
                                 std::to_string(m.outputSize)
                           : "target " + quote(tgt.text) + " has type " +
                                 typeText({m.label->dims, false}) +
                                 " but forward returns " +
                                 typeText({m.outputShape, false}));
    }
  }

  /// `label y: i32` needs logits [C]; `label next: i32[T]` needs [T, V].
  void classLabelShape(const Model &m, const Value &tgt) {
    const Label &l = *m.label;
    const std::vector<int64_t> &out = m.outputShape;
    std::string forward = typeText({out, false});
    if (l.dims.size() == 1 && l.dims[0] > 1) {
      if (out.size() != 2 || out[0] != l.dims[0])
        error(tgt.loc, "label " + quote(l.name) + " is i32[" +
                           std::to_string(l.dims[0]) +
                           "] (one class per position), but forward returns " +
                           forward + "; expected f32[" +
                           std::to_string(l.dims[0]) + ", classes]");
      else if (out[1] == 1)
        error(tgt.loc, "cross_entropy needs at least 2 classes, but forward "
                       "returns " +
                           forward);
      return;
    }
    if (out.size() != 1) {
      error(tgt.loc, "label " + quote(l.name) +
                         " holds one class per example, but forward returns " +
                         forward + "; declare 'label " + l.name + ": i32[" +
                         std::to_string(out[0]) +
                         "]' for one class per position");
      return;
    }
    if (out[0] == 1)
      error(m.loss->call.loc, "cross_entropy needs at least 2 classes, but the "
                              "model output has width 1");
  }

  //===--------------------------------------------------------------------===//
  // Parameter table (LANGUAGE.md, "Parameter names")
  //===--------------------------------------------------------------------===//

  void params(Model &m) {
    for (size_t li = 0; li < m.layers.size(); ++li) {
      Linear &l = m.layers[li];
      if (l.in <= 0 || l.out <= 0)
        continue;
      std::vector<Param> ps;
      auto add = [&](const std::string &role, std::vector<int64_t> shape,
                     bool trainable, int term) {
        Param p;
        p.layer = l.name;
        p.role = role;
        p.name = l.name + "." + role;
        p.shape = std::move(shape);
        p.trainable = trainable;
        p.layerIndex = static_cast<int>(li);
        p.termIndex = term;
        ps.push_back(std::move(p));
      };
      for (size_t ti = 0; ti < l.weight.terms.size(); ++ti) {
        const Call &s = l.weight.terms[ti].structure;
        if (const StructureRules *rules = lookupStructureRules(s.name))
          for (ParamDecl &d : rules->params(l.in, l.out, s))
            add(d.role, std::move(d.shape), d.trainable, static_cast<int>(ti));
      }
      if (l.bias.kind != Bias::Kind::None)
        add("bias", {l.out}, true, -1);
      std::set<std::string> names;
      for (Param &p : ps) {
        if (!names.insert(p.name).second) {
          error(l.weight.loc, "layer " + quote(l.name) + " defines " +
                                  quote(p.name) +
                                  " twice: two terms of its weight have the "
                                  "same factors");
          continue;
        }
        m.params.push_back(std::move(p));
      }
    }
  }

  //===--------------------------------------------------------------------===//
  // Optimizer groups and schedule
  //===--------------------------------------------------------------------===//

  void optimize(Model &m) {
    Optimize &o = m.optimize;
    if (!o.written) {
      // No optimize block: AdamW(lr = 1e-3) for everything (lang/README.md).
      OptGroup g;
      g.isDefault = true;
      g.implicit = true;
      g.loc = m.loc;
      g.optimizer.name = "adamw";
      g.optimizer.loc = m.loc;
      Arg lr;
      lr.key = "lr";
      lr.value.kind = Value::Kind::Number;
      lr.value.number = 1e-3;
      lr.value.text = "1e-3";
      lr.loc = m.loc;
      g.optimizer.args.push_back(lr);
      g.optimizer.hasParens = true;
      o.groups.push_back(g);
      o.loc = m.loc;
    }
    int defaultGroup = -1;
    std::map<std::string, Loc> claimed;
    for (size_t gi = 0; gi < o.groups.size(); ++gi) {
      OptGroup &g = o.groups[gi];
      call(g.optimizer, CallCategory::Optimizer, "");
      if (g.isDefault) {
        if (defaultGroup >= 0)
          error(g.loc, "duplicate 'default:' in optimize");
        else
          defaultGroup = static_cast<int>(gi);
        continue;
      }
      for (auto &[target, loc] : g.targets) {
        for (Param *p : resolveTarget(m, target, loc)) {
          auto it = claimed.find(p->name);
          if (it != claimed.end()) {
            error(loc, quote(p->name) +
                           " is already in an optimizer group (at " +
                           std::to_string(it->second.line) + ":" +
                           std::to_string(it->second.col) + ")");
            continue;
          }
          claimed[p->name] = loc;
          p->group = static_cast<int>(gi);
          muonCheck(*p, g, loc);
        }
      }
    }
    bool uncovered = false;
    for (Param &p : m.params) {
      if (!p.trainable || p.group >= 0)
        continue;
      if (defaultGroup < 0) {
        if (!uncovered)
          error(o.loc, "trainable tensor " + quote(p.name) +
                           " has no optimizer: name it in a group or add "
                           "'default: ...'");
        uncovered = true;
        continue;
      }
      p.group = defaultGroup;
      muonCheck(p, o.groups[defaultGroup], o.groups[defaultGroup].loc);
    }
    if (o.schedule) {
      Call &s = *o.schedule;
      if (call(s, CallCategory::Schedule, "") && s.find("total") &&
          s.find("warmup")) {
        int64_t w = s.getInt("warmup"), t = s.getInt("total");
        if (t <= w)
          error(argLoc(s, "total"),
                "schedule total = " + std::to_string(t) +
                    " must be larger than warmup = " + std::to_string(w));
      }
    }
  }

  void muonCheck(const Param &p, const OptGroup &g, const Loc &loc) {
    if (g.optimizer.name == "muon" && p.shape.size() < 2)
      error(loc, "muon cannot train the vector " + quote(p.name) +
                     " (muon orthogonalises matrices); give it another "
                     "optimizer");
  }

  /// `L`, `L.weight`, `L.weight.X`, `L.bias` -> the trainable tensors named.
  std::vector<Param *> resolveTarget(Model &m, const std::string &target,
                                     const Loc &loc) {
    std::vector<Param *> out;
    size_t dot = target.find('.');
    std::string layer = target.substr(0, dot);
    const Linear *l = m.findLayer(layer);
    if (!l) {
      error(loc, "unknown layer " + quote(layer) + " in optimizer group");
      return out;
    }
    std::string role = dot == std::string::npos ? "" : target.substr(dot + 1);
    std::string available;
    bool anyFrozen = false;
    for (Param &p : m.params) {
      if (p.layer != layer)
        continue;
      available += (available.empty() ? "" : ", ") + p.name;
      bool match = role.empty() || p.role == role ||
                   (role == "weight" && p.role.rfind("weight.", 0) == 0);
      if (!match)
        continue;
      if (!p.trainable) {
        anyFrozen = true;
        continue;
      }
      out.push_back(&p);
    }
    if (out.empty()) {
      if (anyFrozen)
        error(loc, quote(target) + " is frozen (not trainable); it cannot be "
                                   "in an optimizer group");
      else
        error(loc,
              "layer " + quote(layer) + " has no tensor " + quote(target) +
                  (available.empty() ? "" : " (it has " + available + ")"));
    }
    return out;
  }
};

} // namespace

bool wl::lang::checkProgram(Program &program, DiagEngine &diag) {
  int before = diag.numErrors();
  Sema(diag).program(program);
  return diag.numErrors() == before;
}
