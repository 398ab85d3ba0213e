//===- Structure.h - The language side of a weight structure ----*- C++ -*-===//
//
// A structure (dense, lowrank, kronecker, ..., an adapter) is one spec: its
// entry in the table of known calls, its shape rule and the tensors it owns
// live here (the language side), its initialisers, application, weight and
// creation-time split in compiler/lib/Structures (the MLIR side) -- in one
// class per structure, in one file. The compiler registers every structure
// with the frontend (wl::registerStructures) before anything is parsed; Sema
// then knows a structure only through this interface.
//
//===----------------------------------------------------------------------===//
#ifndef WL_LANG_STRUCTURE_H
#define WL_LANG_STRUCTURE_H

#include "wl/Lang/AST.h"
#include "wl/Lang/Builtins.h"

#include <functional>
#include <string>
#include <vector>

namespace wl {
namespace lang {

/// One tensor of a structure term: its role (LANGUAGE.md's name after the
/// layer: "weight.U"), shape and whether the optimizer trains it.
struct ParamDecl {
  std::string role;
  std::vector<int64_t> shape;
  bool trainable = true;
};

/// Reports a semantic error at a location.
using ErrorFn = std::function<void(const Loc &, const std::string &)>;

class StructureRules {
public:
  virtual ~StructureRules() = default;
  /// Its entry in the table of known calls: name, arguments with kinds,
  /// defaults and ranges, the initialisers its `init` takes.
  virtual CallSpec callSpec() const = 0;
  /// Whether the term must follow a frozen(...) term (adapters).
  virtual bool needsFrozenBase(const Call &term) const {
    return callSpec().needsFrozenBase;
  }
  /// Whether the term is the frozen base the adapters build on.
  virtual bool isFrozenBase() const { return false; }
  /// Checks the term's arguments against the layer's IN and OUT (both
  /// positive); may add defaults that depend on them (marked implicit).
  virtual void checkShape(const Linear &layer, Call &term,
                          const ErrorFn &error) const {}
  /// The tensors the term owns, in LANGUAGE.md's order.
  virtual std::vector<ParamDecl> params(int64_t in, int64_t out,
                                        const Call &term) const = 0;
};

/// Adds a structure to the table of known calls (wl::registerStructures).
void registerStructureRules(const StructureRules *rules);
/// The structure called `name`, or nullptr.
const StructureRules *lookupStructureRules(const std::string &name);

/// " of layer 'l' (IN -> OUT)": the tail of shape-rule messages.
std::string ofLayer(const Linear &layer);
/// Where argument `key` was written (the call's location when implicit).
Loc argLoc(const Call &call, const std::string &key);
/// The shape rule of a rank: `key` <= min(IN, OUT).
void checkRank(const Linear &layer, const Call &term, const std::string &key,
               const ErrorFn &error);

} // namespace lang
} // namespace wl

#endif // WL_LANG_STRUCTURE_H
