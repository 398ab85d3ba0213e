//===- Printer.cpp - The -emit=ast dump of a .wl program ------------------===//
//
// A stable, indented dump used by `wlc -emit=ast` and the tests of test/Lang.
// Calls are shown as written; arguments filled in by sema from the defaults
// table follow in brackets, e.g.
//   Constraint spectral_bound(1.0, method = soft_cap) [strict = false]
//
//===----------------------------------------------------------------------===//
#include "Parse.h"

#include "wl/Lang/Frontend.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ostream>

using namespace wl::lang;

std::string wl::lang::formatNumber(double v, bool isInteger) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15 &&
      isInteger)
    return std::to_string(static_cast<long long>(v));
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  std::string s = buf;
  // Keep floats recognisable as floats: 1 -> 1.0
  if (s.find_first_of(".eEn") == std::string::npos)
    s += ".0";
  return s;
}

std::string wl::lang::formatValue(const Value &v) {
  switch (v.kind) {
  case Value::Kind::Number:
    return v.text.empty() ? formatNumber(v.number, v.isInteger) : v.text;
  case Value::Kind::Ident:
    return v.text;
  case Value::Kind::String: {
    std::string s = "\"";
    for (char c : v.text) {
      if (c == '"' || c == '\\')
        s += '\\';
      s += c;
    }
    return s + "\"";
  }
  case Value::Kind::Bool:
    return v.boolean ? "true" : "false";
  case Value::Kind::Tuple:
  case Value::Kind::Shape: {
    bool tuple = v.kind == Value::Kind::Tuple;
    std::string s = tuple ? "(" : "[";
    for (size_t i = 0; i < v.elems.size(); ++i)
      s += (i ? ", " : "") + formatValue(v.elems[i]);
    return s + (tuple ? ")" : "]");
  }
  case Value::Kind::Call:
    return v.call ? formatCall(*v.call) : "<call>";
  }
  return "?";
}

namespace {
std::string formatArg(const Arg &a) {
  if (a.positional || a.key.empty())
    return formatValue(a.value);
  return a.key + " = " + formatValue(a.value);
}
} // namespace

std::string wl::lang::formatCall(const Call &c, bool withImplicit) {
  std::string s = c.name;
  std::string args;
  for (const Arg &a : c.args) {
    if (a.implicit && !withImplicit)
      continue;
    args += (args.empty() ? "" : ", ") + formatArg(a);
  }
  if (c.hasParens || !args.empty())
    s += "(" + args + ")";
  return s;
}

namespace {

/// The defaults sema filled in, as ` [k = v, ...]` (empty when none).
std::string implicitArgs(const Call &c) {
  std::string s;
  for (const Arg &a : c.args)
    if (a.implicit)
      s += (s.empty() ? "" : ", ") + a.key + " = " + formatValue(a.value);
  return s.empty() ? s : " [" + s + "]";
}

std::string formatExpr(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Var:
    return e.name;
  case Expr::Kind::Number:
    return e.name.empty() ? formatNumber(e.number, e.isInteger) : e.name;
  case Expr::Kind::Bool:
    return e.number ? "true" : "false";
  case Expr::Kind::Add: {
    std::string rhs = formatExpr(e.operands[1]);
    if (e.operands[1].kind == Expr::Kind::Add)
      rhs = "(" + rhs + ")";
    return formatExpr(e.operands[0]) + " + " + rhs;
  }
  case Expr::Kind::Scale: {
    std::string x = formatExpr(e.operands[0]);
    if (e.operands[0].kind == Expr::Kind::Add)
      x = "(" + x + ")";
    return formatNumber(e.number, e.isInteger) + " * " + x;
  }
  case Expr::Kind::Call: {
    std::string s = e.name + "(";
    bool first = true;
    for (const Expr &o : e.operands) {
      s += (first ? "" : ", ") + (o.key.empty() ? "" : o.key + " = ") +
           formatExpr(o);
      first = false;
    }
    for (const Arg &a : e.params.args) {
      if (a.implicit)
        continue;
      s += (first ? "" : ", ") + formatArg(a);
      first = false;
    }
    return s + ")";
  }
  }
  return "?";
}

std::string loc(const Loc &l) {
  return "<" + l.file + ":" + std::to_string(l.line) + ":" +
         std::to_string(l.col) + ">";
}

std::string dims(const std::vector<int64_t> &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

/// `: 64` for a vector, `: f32[T, d]` / `: i32[T]` for sequences and ids.
std::string width(const Expr &e) {
  if (e.tokens || e.shape.size() > 1)
    return std::string(" : ") + (e.tokens ? "i32" : "f32") + dims(e.shape);
  return e.width ? " : " + std::to_string(e.width) : "";
}

void printModel(const Model &m, std::ostream &os) {
  os << "Model '" << m.name << "' " << loc(m.loc) << "\n";
  if (m.input)
    os << "  Input " << m.input->name << " " << m.input->dtype
       << dims(m.input->dims) << " (" << m.input->size << ")"
       << (m.input->domain ? " with " + formatCall(*m.input->domain) +
                                 implicitArgs(*m.input->domain)
                           : "")
       << "\n";
  if (m.label) {
    const Label &l = *m.label;
    if (l.kind == Label::Kind::ClassLabel)
      os << "  Label " << l.name << " " << l.dtype
         << (l.dims.empty() ? "" : dims(l.dims)) << "\n";
    else
      os << "  Target " << l.name << " " << l.dtype << dims(l.dims) << " ("
         << l.size << ")\n";
  }
  for (const Linear &l : m.layers) {
    if (l.isEmbedding())
      os << "  Embedding " << l.name << " " << l.out << " -> " << l.in << "\n";
    else
      os << "  Linear " << l.name << " " << l.in << " -> " << l.out << "\n";
    for (const Term &t : l.weight.terms) {
      os << "    Term " << formatCall(t.structure) << implicitArgs(t.structure)
         << "\n";
      for (const Call &c : t.constraints)
        os << "      Constraint " << formatCall(c) << implicitArgs(c) << "\n";
    }
    switch (l.bias.kind) {
    case Bias::Kind::Zeros:
      os << "    Bias zeros\n";
      break;
    case Bias::Kind::None:
      os << "    Bias none\n";
      break;
    case Bias::Kind::Init:
      os << "    Bias " << formatCall(l.bias.init) << implicitArgs(l.bias.init)
         << "\n";
      break;
    }
  }
  if (m.forward) {
    os << "  Forward\n";
    for (const Stmt &s : m.forward->stmts) {
      if (s.isReturn())
        os << "    Return " << formatExpr(s.value) << width(s.value) << "\n";
      else
        os << "    Assign " << s.name << " = " << formatExpr(s.value)
           << width(s.value) << "\n";
    }
  }
  if (m.loss)
    os << "  Loss " << formatCall(m.loss->call) << "\n";
  os << "  Optimize" << (m.optimize.written ? "" : " (implicit)") << "\n";
  for (const OptGroup &g : m.optimize.groups) {
    if (g.isDefault) {
      os << "    Default ";
    } else {
      os << "    Group ";
      for (size_t i = 0; i < g.targets.size(); ++i)
        os << (i ? ", " : "") << g.targets[i].first;
      os << ": ";
    }
    os << formatCall(g.optimizer) << implicitArgs(g.optimizer) << "\n";
  }
  if (m.optimize.schedule)
    os << "    Schedule " << formatCall(*m.optimize.schedule)
       << implicitArgs(*m.optimize.schedule) << "\n";
  if (!m.params.empty()) {
    os << "  Params\n";
    for (const Param &p : m.params) {
      os << "    " << p.name << " " << dims(p.shape);
      if (!p.trainable)
        os << " frozen";
      else if (p.group >= 0)
        os << " group " << p.group << " "
           << m.optimize.groups[p.group].optimizer.name;
      os << "\n";
    }
  }
  if (m.outputSize)
    os << "  Output " << m.outputSize
       << (m.outputShape.size() > 1 ? " " + dims(m.outputShape) : "") << "\n";
}

} // namespace

void wl::lang::printAST(const Program &program, std::ostream &os) {
  os << "Program '" << program.file << "'\n";
  for (const Model &m : program.models)
    printModel(m, os);
}

void wl::lang::printAST(const Model &model, std::ostream &os) {
  printModel(model, os);
}
