//===- Frontend.h - Parse and check .wl files -------------------*- C++ -*-===//
//
// The public entry points of the frontend. Nothing here throws and no ANTLR
// type is visible: callers built with -fno-exceptions can include it.
//
// Diagnostics are printed as
//   file:line:col: error: message
//   <the source line>
//   <spaces (tabs kept) up to the column>^
//
//===----------------------------------------------------------------------===//
#ifndef WL_LANG_FRONTEND_H
#define WL_LANG_FRONTEND_H

#include "wl/Lang/AST.h"

#include <iosfwd>
#include <memory>
#include <string>

namespace wl {
namespace lang {

/// Parses `text` (the contents of `path`, which is used in locations and
/// messages), then checks it (names, widths, arguments, shapes). Returns the
/// resolved AST, or nullptr after printing every error to `errs`: the first
/// syntax error, or all semantic errors. Never throws.
std::unique_ptr<Program> parseAndCheck(const std::string &path,
                                       const std::string &text,
                                       std::ostream &errs);

/// Reads `path` and calls parseAndCheck; a file that cannot be read is
/// reported as `path: error: cannot read file`.
std::unique_ptr<Program> parseAndCheckFile(const std::string &path,
                                           std::ostream &errs);

/// Picks the model to compile: `name` when given; otherwise the only model of
/// the file. Prints an error listing the available models and returns nullptr
/// when the name is unknown or the choice is ambiguous.
const Model *selectModel(const Program &program, const std::string &name,
                         std::ostream &errs);

/// A readable, stable, indented dump of the AST (`wlc -emit=ast`).
void printAST(const Program &program, std::ostream &os);
/// The same dump for one model (after selectModel).
void printAST(const Model &model, std::ostream &os);

/// Prints one diagnostic in the frontend's format; `severity` is "error",
/// "warning" or "note"; `text` is the source (used to show the line).
void printDiagnostic(std::ostream &os, const std::string &text, const Loc &loc,
                     const std::string &severity, const std::string &message);

} // namespace lang
} // namespace wl

#endif // WL_LANG_FRONTEND_H
