//===- FuzzFrontend.cpp - libFuzzer target: the .wl frontend -------------===//
//
// The input bytes are a .wl file: parse (ANTLR), semantic checks, the -emit=ast
// printer, then MLIRGen and the verifier of every model the checks accept.
// No pass runs and no code is generated. Diagnostics are swallowed. Besides
// what ASan/UBSan/libFuzzer catch (crashes, leaks, timeouts, memory), two
// outcomes count as bugs and abort:
//   - "internal error in the frontend": an exception escaped the checks;
//   - a module that MLIRGen built from a checked model failing the verifier
//     (the frontend accepted what the dialect rejects: the verifier's errors
//     carry a "see current operation" note, MLIRGen's own errors do not).
// WL_FUZZ_VERBOSE=1 in the environment prints every diagnostic to stderr
// (for reproducing a finding).
//
//===----------------------------------------------------------------------===//
#include "wl/Compiler/MLIRGen.h"
#include "wl/Lang/Frontend.h"
#include "wl/Structures/Structure.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

bool verbose() {
  static const bool v = [] {
    const char *e = std::getenv("WL_FUZZ_VERBOSE");
    return e && *e && *e != '0';
  }();
  return v;
}

[[noreturn]] void bug(const std::string &what, const std::string &detail) {
  std::fprintf(stderr, "wl-fuzz-frontend: BUG: %s\n%s\n", what.c_str(),
               detail.c_str());
  std::fflush(stderr);
  std::abort();
}

/// Whether the frontend's output `errs` reports an escaped exception: the
/// line "<path>: error: internal error in the frontend..." (parseAndCheck).
/// Located diagnostics ("<path>:L:C: error: ...") are followed by the source
/// line and a caret line, which may contain any text: those are skipped.
bool frontendThrew(const std::string &errs, const std::string &path) {
  const std::string located = path + ":";
  const std::string internal = path + ": error: internal error in the frontend";
  size_t pos = 0, skip = 0;
  while (pos < errs.size()) {
    size_t end = errs.find('\n', pos);
    if (end == std::string::npos)
      end = errs.size();
    const std::string line = errs.substr(pos, end - pos);
    pos = end + 1;
    if (skip) {
      --skip;
      continue;
    }
    if (line.compare(0, internal.size(), internal) == 0)
      return true;
    if (line.size() > located.size() &&
        line.compare(0, located.size(), located) == 0 &&
        line[located.size()] >= '0' && line[located.size()] <= '9')
      skip = 2;
  }
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wl::registerStructures(); // once; the frontend knows structures through it
  const std::string text(reinterpret_cast<const char *>(data), size);
  // A relative path: `from("x.safetensors", ...)` is looked up next to it,
  // i.e. in the current directory.
  const std::string path = "fuzz.wl";

  std::ostringstream errs;
  std::unique_ptr<wl::lang::Program> program =
      wl::lang::parseAndCheck(path, text, errs);
  if (verbose())
    std::fprintf(stderr, "%s", errs.str().c_str());
  if (frontendThrew(errs.str(), path))
    bug("the frontend threw", errs.str());
  if (!program)
    return 0;

  std::ostringstream ast;
  wl::lang::printAST(*program, ast);
  std::ostringstream none;
  (void)wl::lang::selectModel(*program, "", none);

  for (const wl::lang::Model &model : program->models) {
    // A fresh context per model: nothing carries over between inputs, so a
    // finding reproduces from its input alone.
    mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
    std::string diagnostics;
    bool verifierFailed = false;
    context.getDiagEngine().registerHandler([&](mlir::Diagnostic &d) {
      std::string line;
      llvm::raw_string_ostream os(line);
      os << d.getLocation() << ": " << d.str() << "\n";
      for (const mlir::Diagnostic &note : d.getNotes()) {
        std::string n = note.str();
        if (n.rfind("see current operation", 0) == 0)
          verifierFailed = true;
        os << "  note: " << n << "\n";
      }
      diagnostics += line;
      return mlir::success();
    });
    mlir::OwningOpRef<mlir::ModuleOp> module = wl::mlirGen(context, model);
    if (verbose())
      std::fprintf(stderr, "%s", diagnostics.c_str());
    if (verifierFailed)
      bug("MLIRGen built a module that does not verify from the checked model "
          "'" +
              model.name + "'",
          diagnostics);
  }
  return 0;
}
