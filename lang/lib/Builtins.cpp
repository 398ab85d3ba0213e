//===- Builtins.cpp - The table of known calls ----------------------------===//
//
// Every structure, constraint, initialiser, optimizer, schedule and
// activation of the language, with argument kinds, defaults and ranges
// (LANGUAGE.md's tables; choices it leaves open are documented in
// lang/README.md). Add entries here; Sema needs no change for a new option.
//
//===----------------------------------------------------------------------===//
#include "wl/Lang/Builtins.h"
#include "wl/Lang/Structure.h"

#include <algorithm>
#include <map>

#include <limits>

using namespace wl::lang;
using namespace wl::lang::build;

namespace wl::lang::build {

Value num(double v, bool integer) {
  Value x;
  x.kind = Value::Kind::Number;
  x.number = v;
  x.isInteger = integer;
  if (integer) {
    x.text = std::to_string(static_cast<long long>(v));
  } else {
    // Shortest round-trip spelling is not needed; the printer formats numbers.
    x.text = "";
  }
  return x;
}
Value integer(long long v) { return num(static_cast<double>(v), true); }
Value ident(const std::string &s) {
  Value x;
  x.kind = Value::Kind::Ident;
  x.text = s;
  return x;
}
Value boolean(bool b) {
  Value x;
  x.kind = Value::Kind::Bool;
  x.boolean = b;
  x.text = b ? "true" : "false";
  return x;
}
Value pair(double a, double b) {
  Value x;
  x.kind = Value::Kind::Tuple;
  x.elems = {num(a), num(b)};
  return x;
}

// Argument builders.
ArgSpec req(const std::string &n, ArgKind k) {
  ArgSpec a;
  a.name = n;
  a.kind = k;
  a.required = true;
  return a;
}
ArgSpec opt(const std::string &n, ArgKind k, std::optional<Value> d) {
  ArgSpec a;
  a.name = n;
  a.kind = k;
  a.dflt = std::move(d);
  return a;
}
ArgSpec choice(const std::string &n, std::vector<std::string> cs,
               std::optional<std::string> d) {
  ArgSpec a;
  a.name = n;
  a.kind = ArgKind::Enum;
  a.choices = std::move(cs);
  if (d)
    a.dflt = ident(*d);
  return a;
}
ArgSpec range(ArgSpec a, double lo, bool loInc, double hi, bool hiInc) {
  a.lo = lo;
  a.loInclusive = loInc;
  a.hi = hi;
  a.hiInclusive = hiInc;
  return a;
}
/// x > 0
ArgSpec positive(ArgSpec a) { return range(std::move(a), 0, false); }
/// x >= 0
ArgSpec nonNegative(ArgSpec a) { return range(std::move(a), 0, true); }
/// integer >= 1
ArgSpec atLeastOne(ArgSpec a) { return range(std::move(a), 1, true); }
/// 0 <= x < 1
ArgSpec unitOpen(ArgSpec a) { return range(std::move(a), 0, true, 1, false); }

CallSpec spec(CallCategory c, const std::string &n, std::vector<ArgSpec> args,
              const std::string &doc) {
  CallSpec s;
  s.category = c;
  s.name = n;
  s.args = std::move(args);
  s.doc = doc;
  return s;
}

ArgSpec initArg() { return opt("init", ArgKind::Init, std::nullopt); }
} // namespace wl::lang::build

namespace {
std::vector<CallSpec> makeTable() {
  using C = CallCategory;
  using K = ArgKind;
  std::vector<CallSpec> t;

  // Structures register themselves (wl::registerStructures, Structure.h).

  // ----------------------------------------------------------- constraints
  t.push_back(
      spec(C::Constraint, "spectral_bound",
           {positive(req("c", K::Number)),
            choice("method",
                   {"normalize", "soft_cap", "hard_cap", "hammer", "svd_clip"},
                   std::string("normalize")),
            opt("strict", K::Bool, boolean(false))},
           "sigma_max(W) <= c"));
  t.push_back(spec(C::Constraint, "orthonormal", {},
                   "W^T W = I (W W^T = I when OUT < IN)"));
  t.push_back(spec(C::Constraint, "rank_at_most",
                   {atLeastOne(req("r", K::Integer))}, "rank W <= r"));
  t.push_back(spec(C::Constraint, "norm_bound",
                   {positive(req("c", K::Number)),
                    choice("norm", {"frobenius", "row", "column"},
                           std::string("frobenius"))},
                   "the chosen norm of W <= c"));

  // ---------------------------------------------------------- initialisers
  t.push_back(spec(C::Init, "normal",
                   {nonNegative(opt("std", K::Number, num(1.0)))},
                   "N(0, std^2) (PyTorch's normal_)"));
  t.push_back(
      spec(C::Init, "uniform", {positive(req("a", K::Number))}, "U(-a, a)"));
  t.push_back(spec(C::Init, "zeros", {}, "all zeros"));
  t.push_back(
      spec(C::Init, "orthogonal", {}, "a random (semi-)orthogonal matrix"));
  t.push_back(spec(C::Init, "from",
                   {req("file", K::String), req("name", K::String)},
                   "a tensor read from a safetensors file"));
  {
    CallSpec s =
        spec(C::Init, "gaussian", {},
             "LoRA: A ~ U(-1/sqrt(IN), 1/sqrt(IN)), B = 0 (ALGORITHMS.md)");
    s.onlyFor = {"lora"};
    t.push_back(s);
  }
  {
    CallSpec s = spec(C::Init, "pissa", {},
                      "LoRA: top-r SVD of the base (PiSSA), residual frozen");
    s.onlyFor = {"lora"};
    t.push_back(s);
  }
  {
    CallSpec s = spec(C::Init, "kpsvd", {},
                      "Kronecker: best k-term approximation of the base");
    s.onlyFor = {"kronecker"};
    t.push_back(s);
  }

  // ------------------------------------------------------------ optimizers
  auto lrReq = [] { return nonNegative(req("lr", ArgKind::Number)); };
  auto wd = [](double d) {
    return nonNegative(opt("weight_decay", ArgKind::Number, num(d)));
  };
  auto betas = [](double a, double b) {
    return unitOpen(opt("betas", ArgKind::NumberPair, pair(a, b)));
  };
  t.push_back(spec(C::Optimizer, "sgd",
                   {lrReq(), unitOpen(opt("momentum", K::Number, num(0))),
                    opt("nesterov", K::Bool, boolean(false)), wd(0)},
                   "SGD with optional (Nesterov) momentum"));
  t.push_back(spec(C::Optimizer, "adamw",
                   {lrReq(), betas(0.9, 0.999),
                    positive(opt("eps", K::Number, num(1e-8))), wd(0.01)},
                   "AdamW (decoupled weight decay)"));
  t.push_back(spec(C::Optimizer, "muon",
                   {nonNegative(opt("lr", K::Number, num(0.02))),
                    unitOpen(opt("momentum", K::Number, num(0.95))),
                    opt("nesterov", K::Bool, boolean(true)),
                    atLeastOne(opt("ns_steps", K::Integer, integer(5))), wd(0)},
                   "Muon: Newton-Schulz orthogonalised momentum (matrices)"));
  t.push_back(spec(C::Optimizer, "lion", {lrReq(), betas(0.9, 0.99), wd(0)},
                   "Lion (sign momentum)"));
  t.push_back(spec(C::Optimizer, "adamp",
                   {lrReq(), betas(0.9, 0.999),
                    positive(opt("eps", K::Number, num(1e-8))), wd(0.01),
                    nonNegative(opt("delta", K::Number, num(0.1))),
                    nonNegative(opt("wd_ratio", K::Number, num(0.1)))},
                   "AdamP (projected AdamW)"));

  // ------------------------------------------------------------- schedules
  t.push_back(spec(C::Schedule, "constant", {}, "lr factor 1"));
  t.push_back(spec(C::Schedule, "warmup_linear",
                   {nonNegative(req("warmup", K::Integer)),
                    atLeastOne(req("total", K::Integer))},
                   "linear warm-up then linear decay to 0 at total"));
  t.push_back(spec(C::Schedule, "warmup_cosine",
                   {nonNegative(req("warmup", K::Integer)),
                    atLeastOne(req("total", K::Integer))},
                   "linear warm-up then cosine decay to 0 at total"));

  // ----------------------------------------------------------- activations
  auto act = [&](const std::string &n, double lip, const std::string &doc,
                 std::vector<ArgSpec> args = {}) {
    CallSpec s = spec(C::Activation, n, std::move(args), doc);
    s.lipschitz = lip;
    t.push_back(s);
  };
  act("relu", 1, "max(0, x)");
  // max |gelu'| = 1.1289 (erf form) and 1.1297 (tanh form): 1.13 bounds both.
  act("gelu", 1.13, "x * Phi(x) (exact erf form, PyTorch's default)");
  act("gelu_tanh", 1.13, "the tanh approximation of gelu");
  act("tanh", 1, "tanh(x)");
  act("sigmoid", 0.25, "1 / (1 + exp(-x))");
  act("abs", 1, "|x|");
  act("identity", 1, "x");
  act("groupsort", 1, "sort within consecutive groups of k (k = 2: MaxMin)",
      {range(opt("k", K::Integer, integer(2)), 2, true)});
  // Over each example's (or position's) features, no learned parameters;
  // Lipschitz 1/sqrt(eps) (wl.row_norm), so `lipschitz` stays 0 here.
  act("rms_norm", 0, "x / sqrt(mean(x^2) + eps)",
      {positive(opt("eps", K::Number, num(1e-6)))});
  act("layer_norm", 0, "(x - mean x) / sqrt(var x + eps)",
      {positive(opt("eps", K::Number, num(1e-5)))});
  // Sequence functions (LANGUAGE.md, "Sequences, embeddings and attention");
  // their certificate rules need magnitude bounds, so `lipschitz` stays 0.
  act("mean_pool", 0, "[T, d] -> [d]: the average over positions");
  act("attention", 0,
      "multi-head softmax attention of q, k, v [T, D]; scale defaults to "
      "1/sqrt(D/heads)",
      {range(req("heads", K::Integer), 1, true),
       opt("causal", K::Bool, boolean(false)),
       positive(opt("scale", K::Number, std::nullopt)),
       opt("rope", K::Bool, boolean(false)),
       positive(opt("rope_base", K::Number, num(10000)))});
  t.back().valueOperands = 3;
  return t;
}
} // namespace

const ArgSpec *CallSpec::findArg(const std::string &n) const {
  for (const ArgSpec &a : args)
    if (a.name == n)
      return &a;
  return nullptr;
}

/// The table: the fixed entries, then each registered structure's.
static std::vector<CallSpec> &table() {
  static std::vector<CallSpec> calls = makeTable();
  return calls;
}

static std::map<std::string, const StructureRules *> &structureRules() {
  static std::map<std::string, const StructureRules *> rules;
  return rules;
}

const std::vector<CallSpec> &wl::lang::builtinCalls() { return table(); }

void wl::lang::registerStructureRules(const StructureRules *rules) {
  CallSpec spec = rules->callSpec();
  if (!structureRules().emplace(spec.name, rules).second)
    return; // registered already
  table().push_back(std::move(spec));
}

const StructureRules *wl::lang::lookupStructureRules(const std::string &name) {
  auto it = structureRules().find(name);
  return it == structureRules().end() ? nullptr : it->second;
}

std::string wl::lang::ofLayer(const Linear &layer) {
  return " of layer '" + layer.name + "' (" + std::to_string(layer.in) +
         " -> " + std::to_string(layer.out) + ")";
}

const CallSpec *wl::lang::lookupBuiltin(CallCategory category,
                                        const std::string &name) {
  for (const CallSpec &s : builtinCalls())
    if (s.category == category && s.name == name)
      return &s;
  return nullptr;
}

const char *wl::lang::categoryName(CallCategory category) {
  switch (category) {
  case CallCategory::Structure:
    return "structure";
  case CallCategory::Constraint:
    return "constraint";
  case CallCategory::Init:
    return "initialiser";
  case CallCategory::Optimizer:
    return "optimizer";
  case CallCategory::Schedule:
    return "schedule";
  case CallCategory::Activation:
    return "activation";
  }
  return "call";
}

std::string wl::lang::builtinNames(CallCategory category) {
  std::string out;
  for (const CallSpec &s : builtinCalls()) {
    if (s.category != category)
      continue;
    if (!out.empty())
      out += ", ";
    out += s.name;
  }
  return out;
}

Loc wl::lang::argLoc(const Call &c, const std::string &key) {
  const Arg *a = c.find(key);
  return a && !a->implicit ? a->loc : c.loc;
}

void wl::lang::checkRank(const Linear &l, const Call &s, const std::string &key,
                         const ErrorFn &error) {
  int64_t r = s.getInt(key), mn = std::min(l.in, l.out);
  if (r > mn)
    error(argLoc(s, key), s.name + " " + key + " = " + std::to_string(r) +
                              " is larger than min(IN, OUT) = " +
                              std::to_string(mn) + ofLayer(l));
}
