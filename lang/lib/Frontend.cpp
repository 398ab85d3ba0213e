//===- Frontend.cpp - parseAndCheck, selectModel --------------------------===//
#include "wl/Lang/Frontend.h"

#include "Parse.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <ostream>
#include <sstream>

using namespace wl::lang;

std::unique_ptr<Program> wl::lang::parseAndCheck(const std::string &path,
                                                 const std::string &text,
                                                 std::ostream &errs) {
  DiagEngine diag(path, text, errs);
  try {
    std::unique_ptr<Program> program = parseProgram(text, diag);
    if (!program)
      return nullptr;
    checkProgram(*program, diag);
    diag.flush();
    if (diag.numErrors())
      return nullptr;
    return program;
  } catch (const std::exception &e) {
    diag.flush();
    errs << path << ": error: internal error in the frontend: " << e.what()
         << "\n";
  } catch (...) {
    diag.flush();
    errs << path << ": error: internal error in the frontend\n";
  }
  return nullptr;
}

std::unique_ptr<Program> wl::lang::parseAndCheckFile(const std::string &path,
                                                     std::ostream &errs) {
  std::string text;
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      errs << path << ": error: cannot read file: " << std::strerror(errno)
           << "\n";
      return nullptr;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  } catch (...) {
    errs << path << ": error: cannot read file\n";
    return nullptr;
  }
  return parseAndCheck(path, text, errs);
}

const Model *wl::lang::selectModel(const Program &program,
                                   const std::string &name,
                                   std::ostream &errs) {
  std::string available;
  for (const Model &m : program.models)
    available += (available.empty() ? "" : ", ") + m.name;
  if (!name.empty()) {
    for (const Model &m : program.models)
      if (m.name == name)
        return &m;
    errs << program.file << ": error: no model named '" << name << "'"
         << (available.empty() ? " (the file declares no model)"
                               : " (available: " + available + ")")
         << "\n";
    return nullptr;
  }
  if (program.models.size() == 1)
    return &program.models.front();
  if (program.models.empty())
    errs << program.file << ": error: the file declares no model\n";
  else
    errs << program.file << ": error: the file declares "
         << program.models.size()
         << " models; pick one with --model NAME (available: " << available
         << ")\n";
  return nullptr;
}
