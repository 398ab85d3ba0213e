//===- Diagnostics.h - Error reporting of the frontend ----------*- C++ -*-===//
#ifndef WL_LANG_LIB_DIAGNOSTICS_H
#define WL_LANG_LIB_DIAGNOSTICS_H

#include "wl/Lang/AST.h"

#include <ostream>
#include <string>
#include <vector>

namespace wl {
namespace lang {

/// Prints diagnostics for one source buffer and counts the errors.
class DiagEngine {
public:
  DiagEngine(std::string file, const std::string &text, std::ostream &os)
      : file(std::move(file)), text(text), os(os) {}

  /// Reports `file:line:col: error: message` with the line and a caret.
  /// While deferring, errors are kept and printed by flush() in source order.
  void error(const Loc &loc, const std::string &message);
  /// Keep errors until flush() (sema reports all errors in source order).
  void defer() { deferring = true; }
  /// Prints the kept errors sorted by line and column (stable).
  void flush();
  int numErrors() const { return errors; }
  /// A location in this buffer.
  Loc loc(int line, int col) const { return Loc{file, line, col}; }
  const std::string &fileName() const { return file; }

private:
  std::string file;
  const std::string &text;
  std::ostream &os;
  int errors = 0;
  bool deferring = false;
  struct Pending {
    Loc loc;
    std::string message;
  };
  std::vector<Pending> pending;
};

} // namespace lang
} // namespace wl

#endif // WL_LANG_LIB_DIAGNOSTICS_H
