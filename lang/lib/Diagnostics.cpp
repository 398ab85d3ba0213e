//===- Diagnostics.cpp - Error reporting of the frontend ------------------===//
//
// Format (LANGUAGE.md, "Errors"):
//   file:line:col: error: message
//   <source line>
//   <blanks up to the column, tabs kept as tabs>^
//
//===----------------------------------------------------------------------===//
#include "Diagnostics.h"

#include "wl/Lang/Frontend.h"

#include <algorithm>

using namespace wl::lang;

namespace {
/// The 1-based line `line` of `text`, without its line terminator.
std::string sourceLine(const std::string &text, int line) {
  size_t pos = 0;
  for (int l = 1; l < line; ++l) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos)
      return {};
    pos = nl + 1;
  }
  size_t end = text.find('\n', pos);
  std::string s = text.substr(pos, end == std::string::npos ? std::string::npos
                                                            : end - pos);
  if (!s.empty() && s.back() == '\r')
    s.pop_back();
  return s;
}
} // namespace

void wl::lang::printDiagnostic(std::ostream &os, const std::string &text,
                               const Loc &loc, const std::string &severity,
                               const std::string &message) {
  os << loc.file;
  if (loc.line > 0)
    os << ':' << loc.line << ':' << (loc.col > 0 ? loc.col : 1);
  os << ": " << severity << ": " << message << '\n';
  if (loc.line <= 0)
    return;
  std::string line = sourceLine(text, loc.line);
  os << line << '\n';
  // Columns count characters (UTF-8 code points), as ANTLR does.
  std::string caret;
  int col = 1;
  for (size_t i = 0; i < line.size() && col < loc.col; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80)
      continue; // continuation byte
    caret += c == '\t' ? '\t' : ' ';
    ++col;
  }
  for (; col < loc.col; ++col)
    caret += ' ';
  os << caret << "^\n";
}

void DiagEngine::error(const Loc &loc, const std::string &message) {
  ++errors;
  if (deferring) {
    pending.push_back({loc, message});
    return;
  }
  printDiagnostic(os, text, loc, "error", message);
}

void DiagEngine::flush() {
  std::stable_sort(pending.begin(), pending.end(),
                   [](const Pending &a, const Pending &b) {
                     return a.loc.line != b.loc.line ? a.loc.line < b.loc.line
                                                     : a.loc.col < b.loc.col;
                   });
  for (const Pending &p : pending)
    printDiagnostic(os, text, p.loc, "error", p.message);
  pending.clear();
  deferring = false;
}
