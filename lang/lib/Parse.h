//===- Parse.h - Internal entry points of the frontend ----------*- C++ -*-===//
#ifndef WL_LANG_LIB_PARSE_H
#define WL_LANG_LIB_PARSE_H

#include "Diagnostics.h"
#include "wl/Lang/AST.h"

#include <memory>
#include <string>

namespace wl {
namespace lang {

/// Parses `text` into an unchecked AST; reports the first syntax error to
/// `diag` and returns nullptr on failure. May throw (ANTLR); the caller
/// catches.
std::unique_ptr<Program> parseProgram(const std::string &text,
                                      DiagEngine &diag);

/// Checks and resolves `program` in place (names, widths, arguments, shapes,
/// parameter table); reports every error to `diag`. Returns true when clean.
bool checkProgram(Program &program, DiagEngine &diag);

/// `1e-3`, `cayley`, `"f.safetensors"`, `(0.9, 0.999)`, `normal(std = 0.1)`:
/// a value as the printer and the messages show it.
std::string formatValue(const Value &value);
/// A number: as an integer when integral (and `isInteger`), else shortest %g.
std::string formatNumber(double v, bool isInteger);
/// `name(args)` as written (implicit arguments omitted unless `withImplicit`).
std::string formatCall(const Call &call, bool withImplicit = false);

} // namespace lang
} // namespace wl

#endif // WL_LANG_LIB_PARSE_H
