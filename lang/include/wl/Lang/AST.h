//===- AST.h - The AST of the .wl language ----------------------*- C++ -*-===//
//
// Plain structs describing a parsed and checked .wl file. This header is the
// boundary between the frontend (built with exceptions, uses ANTLR4) and the
// rest of the compiler (built with LLVM's flags): it includes only the
// standard library and never throws.
//
// After a successful parseAndCheck (Frontend.h) the AST is *resolved*:
//  - every Call of a known structure/constraint/init/optimizer/schedule/loss
//    has its positional arguments named (Arg::key filled, Arg::positional
//    kept) and its omitted arguments filled with their defaults
//    (Arg::implicit = true), so `call.find("method")` always answers;
//  - forward calls know whether they apply a layer or an activation, and
//    every expression carries its width;
//  - Model::params lists the model's tensors with the names of the C ABI.
//
//===----------------------------------------------------------------------===//
#ifndef WL_LANG_AST_H
#define WL_LANG_AST_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wl {
namespace lang {

/// A source position: 1-based line and column (columns count characters;
/// a tab counts as one).
struct Loc {
  std::string file;
  int line = 0, col = 0;
};

struct Call;

/// An argument value: `1e-3`, `cayley`, `"f.safetensors"`, `true`,
/// `(0.9, 0.999)`, `[16, 32]` or a nested call such as `normal(std = 0.1)`.
struct Value {
  enum class Kind { Number, Ident, String, Bool, Tuple, Shape, Call };
  Kind kind = Kind::Number;
  /// Kind::Number: the value (negative literals included).
  double number = 0;
  /// Kind::Number: the literal was written without '.' or exponent.
  bool isInteger = false;
  /// Kind::Bool: the value.
  bool boolean = false;
  /// Ident: the name; String: the contents without quotes (escapes resolved);
  /// Number: the spelling as written.
  std::string text;
  /// Kind::Tuple and Kind::Shape: the elements.
  std::vector<Value> elems;
  /// Kind::Call: the nested call (never null for that kind).
  std::shared_ptr<Call> call;
  Loc loc;

  /// The number as int64_t (only meaningful when isInteger).
  int64_t asInt() const { return static_cast<int64_t>(number); }
  /// True for Kind::Ident named `name`, or a Kind::Call named `name`.
  bool isNamed(const std::string &name) const;
  /// The name of an Ident or of a Call; empty otherwise.
  std::string name() const;
};

/// `key = value`, or a positional `value` (key empty before sema; sema names
/// positional arguments of known calls and keeps `positional = true`).
struct Arg {
  std::string key;
  Value value;
  Loc loc;
  /// Written without `key =`.
  bool positional = false;
  /// Not written: filled in by sema from the default table (Builtins.h).
  bool implicit = false;
};

/// A generic call `name(args)`; a bare identifier `dense` is a Call with no
/// arguments and `hasParens = false`.
struct Call {
  std::string name;
  std::vector<Arg> args;
  bool hasParens = false;
  Loc loc;

  /// The argument named `key`; failing that, the `positionalIndex`-th
  /// positional argument (when >= 0); nullptr when neither exists.
  const Arg *find(const std::string &key, int positionalIndex = -1) const;
  /// Shorthands for resolved calls (after sema): the value of argument `key`
  /// as a number / integer / identifier-or-call name / bool, or `dflt`.
  double getNumber(const std::string &key, double dflt = 0) const;
  int64_t getInt(const std::string &key, int64_t dflt = 0) const;
  std::string getName(const std::string &key,
                      const std::string &dflt = "") const;
  bool getBool(const std::string &key, bool dflt = false) const;
};

/// `structure ('with' constraint)*`
struct Term {
  Call structure;
  std::vector<Call> constraints;
  Loc loc;
};

/// `term ('+' term)*`
struct WeightExpr {
  std::vector<Term> terms;
  Loc loc;
};

/// `bias = zeros | none | <init call>`
struct Bias {
  enum class Kind { Zeros, None, Init };
  Kind kind = Kind::Zeros;
  /// Kind::Init: the initialiser (e.g. `normal(std = 0.01)`).
  Call init;
  Loc loc;
};

/// `linear NAME: IN -> OUT { weight = ...; bias = ... }`, y = W x + b with W
/// of shape [OUT, IN]. Without `weight =` the weight is a single `dense`
/// term; without `bias =` the bias is `zeros`.
///
/// `embedding NAME: V -> d { weight = ... }` is the same record with
/// kind Embedding, in = d and out = V: its weight is the table [V, d]
/// (PyTorch's nn.Embedding layout), a matrix of shape [OUT, IN] like any
/// weight, so structures and constraints apply to it unchanged; it has no
/// bias and is applied to token ids by row lookup.
struct Linear {
  enum class Kind { Linear, Embedding };
  Kind kind = Kind::Linear;
  std::string name;
  int64_t in = 0, out = 0;
  bool isEmbedding() const { return kind == Kind::Embedding; }
  WeightExpr weight;
  bool weightWritten = false;
  Bias bias;
  bool biasWritten = false;
  Loc loc;
};

/// A forward expression.
struct Expr {
  enum class Kind {
    Var,    ///< a variable or the model input: `name`
    Call,   ///< `name(operands...)`: a layer or an activation
    Add,    ///< operands[0] + operands[1]
    Scale,  ///< factor * operands[0]
    Number, ///< a numeric literal (only valid as an activation parameter)
    Bool    ///< `true`/`false` (only valid as a parameter: `causal = true`)
  };
  /// What a Call applies (resolved by sema).
  enum class Callee { Unresolved, Layer, Activation };

  Kind kind = Kind::Var;
  /// Var: the variable; Call: the callee (layer or activation name).
  std::string name;
  Callee callee = Callee::Unresolved;
  /// Call: the arguments as written (before sema) / the tensor operands
  /// (after sema: exactly one). Add: two operands. Scale: one operand.
  std::vector<Expr> operands;
  /// Call of an activation (after sema): its non-tensor parameters, named
  /// and defaulted like any resolved Call (e.g. groupsort's `k`).
  Call params;
  /// Scale: the factor; Number: the value; Bool: 1 or 0.
  double number = 0;
  bool isInteger = false;
  /// Set when the expression was written as a keyword argument `key = e`.
  std::string key;
  /// Shape of the value per example, filled by sema: [n] for a vector,
  /// [T, d] for a sequence of T positions, [T] for token ids; empty when
  /// unknown (after an error).
  std::vector<int64_t> shape;
  /// The value holds int32 token ids (the input `i32[T]`, `positions`).
  bool tokens = false;
  /// Number of elements per example (product of shape; 0 when unknown).
  int64_t width = 0;
  Loc loc;
};

/// `name = expr` or, with an empty name, `return expr`.
struct Stmt {
  std::string name;
  Expr value;
  Loc loc;
  bool isReturn() const { return name.empty(); }
};

/// `forward { stmts }`; the last statement is the return.
struct Forward {
  std::vector<Stmt> stmts;
  Loc loc;
};

/// `loss = cross_entropy(forward, y)` or `loss = mse(forward, y)`.
struct Loss {
  std::string kind;
  std::string target;
  Call call;
  Loc loc;
};

/// `a.weight, b.bias: optimizer(...)` or `default: optimizer(...)`.
struct OptGroup {
  std::vector<std::pair<std::string, Loc>> targets;
  Call optimizer;
  bool isDefault = false;
  /// Synthesised by sema (no optimize block, or no default needed).
  bool implicit = false;
  Loc loc;
};

/// `optimize { groups; default: ...; schedule: ... }`
struct Optimize {
  std::vector<OptGroup> groups;
  std::optional<Call> schedule;
  bool written = false;
  Loc loc;
};

/// `input x: f32[d1, d2]`, `input x: f32[T, d] with norm_bound(c, norm =
/// row)` or `input tokens: i32[T]`.
struct Input {
  std::string name;
  std::string dtype;
  std::vector<int64_t> dims;
  /// The declared domain (`with norm_bound(c, norm = row)`), if any.
  std::optional<Call> domain;
  bool isTokens() const { return dtype == "i32"; }
  /// T of a sequence input (`i32[T]` or `f32[T, d]`), 0 otherwise.
  int64_t sequenceLength() const {
    return isTokens() || dims.size() == 2 ? dims.front() : 0;
  }
  /// Product of dims (the per-example size).
  int64_t size = 0;
  Loc loc;
};

/// `label y: i32` (ClassLabel), `label next: i32[T]` (one class per
/// position) or `target y: f32[k]` (Target).
struct Label {
  enum class Kind { ClassLabel, Target };
  Kind kind = Kind::ClassLabel;
  std::string name;
  std::string dtype;
  std::vector<int64_t> dims;
  /// Labels per example: 1 or T for class labels; product of dims for
  /// targets.
  int64_t size = 0;
  Loc loc;
};

/// One tensor of the model, named as in the C ABI ("fc1.weight.U").
struct Param {
  std::string name;
  std::string layer;
  /// The suffix after "LAYER.": "weight", "weight.U", "bias", ...
  std::string role;
  std::vector<int64_t> shape;
  bool trainable = true;
  /// Index of the linear in Model::layers and of the term in its weight
  /// (-1 for the bias).
  int layerIndex = -1, termIndex = -1;
  /// Index into Model::optimize.groups of the group that trains it
  /// (-1 when frozen).
  int group = -1;
};

/// `model NAME { ... }`
struct Model {
  std::string name;
  std::optional<Input> input;
  std::optional<Label> label;
  std::vector<Linear> layers;
  std::optional<Forward> forward;
  std::optional<Loss> loss;
  Optimize optimize;
  /// Filled by sema: every tensor, in declaration order.
  std::vector<Param> params;
  /// Filled by sema: the output width (the returned value's width) and
  /// shape ([C], or [T, V] for per-position logits).
  int64_t outputSize = 0;
  std::vector<int64_t> outputShape;
  /// Filled by sema for a token input: ids must lie in [0, tokenLimit), the
  /// smallest vocabulary of the embeddings applied to the input.
  int64_t tokenLimit = 0;
  /// Filled by sema: the input is token ids, or some op works per position
  /// (a position-wise layer, attention, mean_pool, a norm of a sequence),
  /// or it declares an input domain.
  /// An `f32[28, 28]` image that is only flattened is not a sequence model.
  bool sequenceModel = false;
  Loc loc;

  const Linear *findLayer(const std::string &name) const;
  const Param *findParam(const std::string &name) const;
};

/// A whole .wl file.
struct Program {
  std::string file;
  std::vector<Model> models;
};

} // namespace lang
} // namespace wl

#endif // WL_LANG_AST_H
