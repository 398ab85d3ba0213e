//===- Builtins.h - The table of known calls of .wl -------------*- C++ -*-===//
//
// One table lists every structure, constraint, initialiser, optimizer,
// schedule and activation with its arguments (kind, default, valid range).
// Sema checks calls against it and fills defaults; MLIRGen may read it (e.g.
// an activation's Lipschitz constant). Adding a name or an option is adding
// an entry in lib/Builtins.cpp, not a code path.
//
//===----------------------------------------------------------------------===//
#ifndef WL_LANG_BUILTINS_H
#define WL_LANG_BUILTINS_H

#include "wl/Lang/AST.h"

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace wl {
namespace lang {

enum class CallCategory {
  Structure,
  Constraint,
  Init,
  Optimizer,
  Schedule,
  Activation
};

/// What an argument accepts.
enum class ArgKind {
  Number,     ///< any number
  Integer,    ///< an integer literal
  Bool,       ///< true | false
  Enum,       ///< one identifier out of ArgSpec::choices
  String,     ///< a double-quoted string
  Shape2,     ///< [m, n] of positive integers
  NumberPair, ///< (a, b) of numbers
  Init        ///< an initialiser: an identifier or call of category Init
};

/// One argument of a known call.
struct ArgSpec {
  std::string name;
  ArgKind kind = ArgKind::Number;
  /// Must be written.
  bool required = false;
  /// Filled in when omitted (unset and not required: stays absent).
  std::optional<Value> dflt;
  /// ArgKind::Enum: the accepted identifiers.
  std::vector<std::string> choices;
  /// Numeric range (applies to Number/Integer and to each NumberPair element).
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool loInclusive = true, hiInclusive = true;
};

/// One known call.
struct CallSpec {
  CallCategory category = CallCategory::Structure;
  std::string name;
  /// In positional order.
  std::vector<ArgSpec> args;
  /// Structure: the initialisers its `init` accepts besides the general
  /// ones (e.g. lora: gaussian, pissa; kronecker: kpsvd).
  std::vector<std::string> extraInits;
  /// Structure: `init` accepts only extraInits (no general initialiser).
  bool onlyExtraInits = false;
  /// Init: only valid on these structures (empty: any structure and biases).
  std::vector<std::string> onlyFor;
  /// Structure: must follow a frozen(...) term in the weight sum.
  bool needsFrozenBase = false;
  /// Activation: its Lipschitz constant (l2 -> l2), used by the certificate.
  double lipschitz = 0;
  /// Activation: how many values it takes before its parameters
  /// (attention: q, k, v).
  int valueOperands = 1;
  /// One-line description for the reference and diagnostics.
  std::string doc;

  const ArgSpec *findArg(const std::string &name) const;
};

/// Builders of table entries (lib/Builtins.cpp, and each structure's spec).
namespace build {
Value num(double v, bool integer = false);
Value integer(long long v);
Value ident(const std::string &s);
Value boolean(bool b);
Value pair(double a, double b);
/// A required argument.
ArgSpec req(const std::string &name, ArgKind kind);
/// An optional argument with its default (none: stays absent).
ArgSpec opt(const std::string &name, ArgKind kind, std::optional<Value> dflt);
/// One identifier out of `choices`.
ArgSpec choice(const std::string &name, std::vector<std::string> choices,
               std::optional<std::string> dflt);
ArgSpec range(ArgSpec a, double lo, bool loInclusive,
              double hi = std::numeric_limits<double>::infinity(),
              bool hiInclusive = true);
ArgSpec positive(ArgSpec a);    ///< x > 0
ArgSpec nonNegative(ArgSpec a); ///< x >= 0
ArgSpec atLeastOne(ArgSpec a);  ///< integer >= 1
ArgSpec unitOpen(ArgSpec a);    ///< 0 <= x < 1
CallSpec spec(CallCategory category, const std::string &name,
              std::vector<ArgSpec> args, const std::string &doc);
/// `init = ...` of a structure: any general initialiser, optional.
ArgSpec initArg();
} // namespace build

/// Every known call, in documentation order (structures as registered).
const std::vector<CallSpec> &builtinCalls();
/// The entry `name` of `category`, or nullptr.
const CallSpec *lookupBuiltin(CallCategory category, const std::string &name);
/// "structure", "constraint", ... (for messages).
const char *categoryName(CallCategory category);
/// The names of one category, comma-separated (for messages).
std::string builtinNames(CallCategory category);

} // namespace lang
} // namespace wl

#endif // WL_LANG_BUILTINS_H
