//===- ASTBuilder.cpp - ANTLR4 parse tree -> wl::lang AST -----------------===//
//
// Runs the generated lexer/parser over a buffer, reports the first syntax
// error in the frontend's format (with what was expected), and converts the
// parse tree to the plain AST of wl/Lang/AST.h. Only this file sees ANTLR.
//
//===----------------------------------------------------------------------===//
#include "Parse.h"

#include "WLLexer.h"
#include "WLParser.h"
#include "antlr4-runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

using namespace wl::lang;
using wlantlr::WLLexer;
using wlantlr::WLParser;

namespace {

//===----------------------------------------------------------------------===//
// Syntax errors
//===----------------------------------------------------------------------===//

/// Shared state of the error reporting: only the first error is printed.
struct SyntaxErrors {
  DiagEngine &diag;
  bool reported = false;

  void report(int line, int col, const std::string &msg) {
    if (reported)
      return;
    reported = true;
    diag.error(diag.loc(line, col), msg);
  }
};

/// Identifier-like literal tokens that the `ident` rule accepts as names.
bool isSoftKeyword(const std::string &literal) {
  static const std::set<std::string> reserved = {"'return'", "'with'", "'true'",
                                                 "'false'"};
  return literal.size() > 2 &&
         std::isalpha(static_cast<unsigned char>(literal[1])) &&
         !reserved.count(literal);
}

/// How a token type reads in "expected ..." lists.
std::string expectedName(const antlr4::dfa::Vocabulary &voc, size_t type) {
  if (type == antlr4::Token::EOF)
    return "end of file";
  switch (type) {
  case WLParser::ID:
    return "identifier";
  case WLParser::NUMBER:
    return "number";
  case WLParser::STRING:
    return "string";
  case WLParser::NL:
    return "newline";
  default:
    break;
  }
  std::string lit = voc.getLiteralName(type);
  return lit.empty() ? voc.getDisplayName(type) : lit;
}

/// How an offending token reads in "unexpected ..." messages.
std::string tokenDescription(antlr4::Token *tok) {
  if (!tok || tok->getType() == antlr4::Token::EOF)
    return "end of file";
  std::string text = tok->getText();
  switch (tok->getType()) {
  case WLParser::ID:
    return "identifier '" + text + "'";
  case WLParser::NUMBER:
    return "number '" + text + "'";
  case WLParser::STRING:
    return "string " + text;
  case WLParser::NL:
    return "newline";
  case WLParser::ERROR_CHAR:
    return "character '" + text + "'";
  default:
    return "'" + text + "'";
  }
}

/// "A, B or C"; empty when the set is too large to be helpful.
std::string expectedList(antlr4::Parser *p,
                         const antlr4::misc::IntervalSet &set) {
  const antlr4::dfa::Vocabulary &voc = p->getVocabulary();
  std::vector<size_t> types;
  for (const antlr4::misc::Interval &iv : set.getIntervals())
    for (ssize_t t = iv.a; t <= iv.b; ++t)
      types.push_back(static_cast<size_t>(t));
  bool hasId = false;
  for (size_t t : types)
    hasId |= t == WLParser::ID;
  // A newline is worth mentioning where it ends a statement (next to ';' or
  // '}'), not where it is only allowed as a continuation.
  bool endsStatement = false;
  for (size_t t : types) {
    std::string lit = voc.getLiteralName(t);
    endsStatement |= lit == "';'" || lit == "'}'";
  }
  // The start of an expression or of a constant expression, in words.
  auto has = [&](const char *literal) {
    for (size_t t : types)
      if (voc.getLiteralName(t) == literal)
        return true;
    return false;
  };
  bool hasNumber = false;
  for (size_t t : types)
    hasNumber |= t == WLParser::NUMBER;
  if (hasNumber && has("'-'") && has("'('")) {
    size_t others = 0;
    for (size_t t : types) {
      std::string lit = voc.getLiteralName(t);
      others += t != WLParser::NUMBER && t != WLParser::ID &&
                t != WLParser::NL && t != antlr4::Token::EPSILON &&
                lit != "'-'" && lit != "'('" &&
                !(hasId && isSoftKeyword(lit)) &&
                !(hasId && (lit == "'true'" || lit == "'false'"));
    }
    if (others == 0)
      return hasId ? "an expression" : "a number";
  }
  std::vector<std::string> names;
  for (size_t t : types) {
    if (t == antlr4::Token::EPSILON)
      continue;
    if (hasId && isSoftKeyword(voc.getLiteralName(t)))
      continue;
    if (t == WLParser::NL && !endsStatement && types.size() > 1)
      continue;
    names.push_back(expectedName(voc, t));
  }
  if (names.empty() || names.size() > 12)
    return {};
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i)
      out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

/// What the rule being parsed expects, in words (for errors where ANTLR's
/// expected-token set is not precise).
std::string contextHint(antlr4::Parser *p) {
  for (antlr4::ParserRuleContext *c = p->getContext(); c;
       c = dynamic_cast<antlr4::ParserRuleContext *>(c->parent)) {
    switch (c->getRuleIndex()) {
    case WLParser::RuleExpr:
    case WLParser::RuleMulExpr:
    case WLParser::RuleUnaryExpr:
    case WLParser::RulePrimary:
    case WLParser::RuleExprArg:
      return "an expression";
    case WLParser::RuleValue:
    case WLParser::RuleArg:
      return "a value";
    case WLParser::RuleStmt:
    case WLParser::RuleForwardDecl:
      return "a statement ('NAME = EXPR' or 'return EXPR') or '}'";
    case WLParser::RuleOptEntry:
    case WLParser::RuleOptimizeDecl:
      return "an optimizer group ('fc1.weight: OPTIMIZER', 'default: "
             "OPTIMIZER' or 'schedule: SCHEDULE') or '}'";
    case WLParser::RuleLinearDecl:
    case WLParser::RuleLinearItem:
      return "'weight = ...', 'bias = ...' or '}'";
    case WLParser::RuleModel:
    case WLParser::RuleDecl:
      return "a declaration (input, label, target, linear, embedding, "
             "forward, loss or optimize) or '}'";
    case WLParser::RuleProgram:
      return "'model NAME { ... }'";
    default:
      break;
    }
  }
  return {};
}

/// True for the lexer's catch-all tokens that already explain themselves.
bool selfExplaining(antlr4::Token *tok) {
  if (tok && tok->getType() == WLParser::UNTERMINATED_COMMENT)
    return true;
  if (!tok || tok->getType() != WLParser::ERROR_CHAR)
    return false;
  return tok->getText() == "\"";
}

/// A message for an unexpected token, with special cases for the tokens the
/// lexer could not match (unterminated strings and comments).
std::string unexpected(antlr4::Token *tok, antlr4::TokenStream *input) {
  if (tok && tok->getType() == WLParser::UNTERMINATED_COMMENT)
    return "unterminated block comment";
  if (tok && tok->getType() == WLParser::ERROR_CHAR) {
    std::string t = tok->getText();
    if (t == "\"")
      return "unterminated string";
    return "unexpected character '" + t + "'";
  }
  return "unexpected " + tokenDescription(tok);
}

/// ANTLR's default recovery, with messages in the frontend's words.
class WLErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  explicit WLErrorStrategy(SyntaxErrors &errs) : errs(errs) {}

protected:
  void reportAt(antlr4::Token *tok, const std::string &msg) {
    int line = tok ? static_cast<int>(tok->getLine()) : 0;
    int col = tok ? static_cast<int>(tok->getCharPositionInLine()) + 1 : 0;
    errs.report(line, col, msg);
  }

  void
  reportNoViableAlternative(antlr4::Parser *p,
                            const antlr4::NoViableAltException &e) override {
    antlr4::Token *tok = e.getOffendingToken();
    std::string msg = unexpected(tok, p->getTokenStream());
    std::string exp;
    if (tok == e.getStartToken())
      exp = expectedList(p, p->getExpectedTokens());
    if (exp.empty())
      exp = contextHint(p);
    if (!exp.empty() && !selfExplaining(tok))
      msg += ", expected " + exp;
    reportAt(tok, msg);
  }

  void reportInputMismatch(antlr4::Parser *p,
                           const antlr4::InputMismatchException &e) override {
    antlr4::Token *tok = e.getOffendingToken();
    std::string msg = unexpected(tok, p->getTokenStream());
    std::string exp = expectedList(p, e.getExpectedTokens());
    if (exp.empty())
      exp = contextHint(p);
    if (!exp.empty() && !selfExplaining(tok))
      msg += ", expected " + exp;
    reportAt(tok, msg);
  }

  void
  reportFailedPredicate(antlr4::Parser *p,
                        const antlr4::FailedPredicateException &e) override {
    reportAt(e.getOffendingToken(), "syntax error");
  }

  void reportUnwantedToken(antlr4::Parser *p) override {
    if (inErrorRecoveryMode(p))
      return;
    beginErrorCondition(p);
    antlr4::Token *tok = p->getCurrentToken();
    std::string msg = unexpected(tok, p->getTokenStream());
    std::string exp = expectedList(p, getExpectedTokens(p));
    if (exp.empty())
      exp = contextHint(p);
    if (!exp.empty() && !selfExplaining(tok))
      msg += ", expected " + exp;
    reportAt(tok, msg);
  }

  void reportMissingToken(antlr4::Parser *p) override {
    if (inErrorRecoveryMode(p))
      return;
    beginErrorCondition(p);
    antlr4::Token *tok = p->getCurrentToken();
    std::string exp = expectedList(p, getExpectedTokens(p));
    std::string msg =
        exp.empty() ? unexpected(tok, p->getTokenStream())
                    : "expected " + exp + " before " + tokenDescription(tok);
    reportAt(tok, msg);
  }

private:
  SyntaxErrors &errs;
};

/// Catches whatever the lexer or parser reports through listeners (the
/// strategy above handles parser errors; this covers the lexer).
class WLErrorListener : public antlr4::BaseErrorListener {
public:
  explicit WLErrorListener(SyntaxErrors &errs) : errs(errs) {}
  void syntaxError(antlr4::Recognizer *, antlr4::Token *tok, size_t line,
                   size_t col, const std::string &msg,
                   std::exception_ptr) override {
    errs.report(static_cast<int>(line), static_cast<int>(col) + 1,
                tok ? unexpected(tok, nullptr) : "syntax error: " + msg);
  }

private:
  SyntaxErrors &errs;
};

//===----------------------------------------------------------------------===//
// Parse tree -> AST
//===----------------------------------------------------------------------===//

class Builder {
public:
  explicit Builder(DiagEngine &diag) : diag(diag) {}

  Loc loc(antlr4::Token *t) const {
    return diag.loc(static_cast<int>(t->getLine()),
                    static_cast<int>(t->getCharPositionInLine()) + 1);
  }
  Loc loc(antlr4::ParserRuleContext *c) const { return loc(c->getStart()); }

  std::unique_ptr<Program> program(WLParser::ProgramContext *ctx) {
    auto prog = std::make_unique<Program>();
    prog->file = diag.fileName();
    for (auto *m : ctx->model())
      prog->models.push_back(model(m));
    return prog;
  }

private:
  DiagEngine &diag;

  static std::string name(WLParser::IdentContext *c) { return c->getText(); }

  /// A NUMBER literal.
  Value literal(antlr4::tree::TerminalNode *n) {
    Value v;
    v.kind = Value::Kind::Number;
    v.text = n->getText();
    v.loc = loc(n->getSymbol());
    v.number = std::strtod(v.text.c_str(), nullptr);
    // strtod saturates to inf: a literal that large is a mistake, not infinity.
    if (std::isinf(v.number))
      hugeNumbers.push_back({v.loc, v.text});
    v.isInteger = v.text.find_first_of(".eE") == std::string::npos;
    return v;
  }

  /// `a op b` of two folded numbers, located at `op`. An integer stays one
  /// while every literal is an integer and the result is integral (so
  /// `512 / 8` is the integer 64 and `3 / 2` is 1.5).
  Value foldNumbers(Value a, const std::string &op, const Value &b,
                    antlr4::Token *at) {
    if (op == "/" && b.number == 0) {
      // Reported once: the result stays `a`, so no range check repeats it.
      badConstants.push_back(
          {loc(at), "division by zero in a constant expression"});
    } else {
      a.number = op == "+"   ? a.number + b.number
                 : op == "-" ? a.number - b.number
                 : op == "*" ? a.number * b.number
                             : a.number / b.number;
    }
    a.isInteger = a.isInteger && b.isInteger && std::isfinite(a.number) &&
                  std::floor(a.number) == a.number;
    if (std::isinf(a.number) && !std::isinf(b.number))
      badConstants.push_back(
          {loc(at), "constant expression overflows (the largest magnitude "
                    "is about 1.8e308)"});
    return a;
  }

  /// The operator tokens among a rule's children, in order.
  static std::vector<antlr4::Token *> operators(antlr4::ParserRuleContext *c) {
    std::vector<antlr4::Token *> ops;
    for (antlr4::tree::ParseTree *child : c->children)
      if (auto *t = dynamic_cast<antlr4::tree::TerminalNode *>(child))
        if (t->getText() != "\n" && t->getText() != "\r\n")
          ops.push_back(t->getSymbol());
    return ops;
  }

  /// constExpr: folded to one number, spelled as written.
  Value constant(WLParser::ConstExprContext *c) {
    Value v = constSum(c);
    v.text = c->getText();
    v.loc = loc(c);
    return v;
  }
  /// operands[0] op operands[1] op ... of a left-associative rule `c`: each
  /// operand built by `build`, joined by `join(left, operator, right)`.
  template <class T, class Operand, class Build, class Join>
  T leftFold(antlr4::ParserRuleContext *c,
             const std::vector<Operand *> &operands, Build build, Join join) {
    std::vector<antlr4::Token *> ops = operators(c);
    T v = build(operands[0]);
    for (size_t i = 1; i < operands.size(); ++i)
      v = join(std::move(v), ops[i - 1], build(operands[i]));
    return v;
  }
  Value constSum(WLParser::ConstExprContext *c) {
    return leftFold<Value>(
        c, c->constTerm(), [&](auto *t) { return constProduct(t); },
        [&](Value a, antlr4::Token *op, Value b) {
          return foldNumbers(a, op->getText(), b, op);
        });
  }
  Value constProduct(WLParser::ConstTermContext *c) {
    return leftFold<Value>(
        c, c->constFactor(), [&](auto *f) { return constFactor(f); },
        [&](Value a, antlr4::Token *op, Value b) {
          return foldNumbers(a, op->getText(), b, op);
        });
  }
  Value constFactor(WLParser::ConstFactorContext *c) {
    if (auto *f = c->constFactor()) {
      Value v = constFactor(f);
      v.number = -v.number;
      return v;
    }
    if (c->NUMBER())
      return literal(c->NUMBER());
    return constSum(c->constExpr());
  }

  static std::string unquote(const std::string &s) {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      char c = s[i];
      if (c == '\\' && i + 2 < s.size()) {
        char n = s[++i];
        switch (n) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        default:
          out += n;
        }
      } else {
        out += c;
      }
    }
    return out;
  }

  Model model(WLParser::ModelContext *ctx) {
    Model m;
    m.name = name(ctx->ident());
    m.loc = loc(ctx);
    // Duplicate declarations are kept so that sema can report them.
    for (auto *d : ctx->decl()) {
      if (auto *c = d->inputDecl()) {
        Input in;
        in.name = name(c->ident());
        in.loc = loc(c);
        tensorType(c->tensorType(), in.dtype, in.dims);
        if (c->callOrIdent())
          in.domain = callOrIdent(c->callOrIdent());
        if (m.input)
          dupInputs.push_back({m.name, in.loc, "input"});
        else
          m.input = in;
      } else if (auto *c = d->labelDecl()) {
        m.label = label(c->ident(), c->tensorType(), loc(c),
                        Label::Kind::ClassLabel, m, "label");
      } else if (auto *c = d->targetDecl()) {
        m.label = label(c->ident(), c->tensorType(), loc(c),
                        Label::Kind::Target, m, "target");
      } else if (auto *c = d->linearDecl()) {
        m.layers.push_back(linear(c->ident(), c->constExpr(), c->linearItem(),
                                  loc(c), Linear::Kind::Linear));
      } else if (auto *c = d->embeddingDecl()) {
        m.layers.push_back(linear(c->ident(), c->constExpr(), c->linearItem(),
                                  loc(c), Linear::Kind::Embedding));
      } else if (auto *c = d->forwardDecl()) {
        Forward f;
        f.loc = loc(c);
        for (auto *s : c->stmt())
          f.stmts.push_back(stmt(s));
        if (m.forward)
          dupInputs.push_back({m.name, f.loc, "forward"});
        else
          m.forward = f;
      } else if (auto *c = d->lossDecl()) {
        Loss l;
        l.loc = loc(c);
        l.call = call(c->call());
        if (m.loss)
          dupInputs.push_back({m.name, l.loc, "loss"});
        else
          m.loss = l;
      } else if (auto *c = d->optimizeDecl()) {
        if (m.optimize.written) {
          dupInputs.push_back({m.name, loc(c), "optimize"});
          continue;
        }
        m.optimize = optimize(c);
      }
    }
    return m;
  }

  std::optional<Label> label(WLParser::IdentContext *id,
                             WLParser::TensorTypeContext *type, Loc l,
                             Label::Kind kind, Model &m, const char *kw) {
    Label lab;
    lab.kind = kind;
    lab.name = name(id);
    lab.loc = l;
    tensorType(type, lab.dtype, lab.dims);
    if (m.label) {
      dupInputs.push_back({m.name, l, kw});
      return m.label;
    }
    return lab;
  }

  void tensorType(WLParser::TensorTypeContext *c, std::string &dtype,
                  std::vector<int64_t> &dims) {
    dtype = name(c->ident());
    for (auto *n : c->constExpr()) {
      Value v = constant(n);
      // Non-integer or out-of-range sizes are rejected by sema; keep the
      // information by recording them as 0/-1 with their location.
      if (!v.isInteger) {
        badSizes.push_back({v.loc, v.text});
        dims.push_back(0);
      } else if (v.number > 9.0e18 || v.number < -9.0e18) {
        badSizes.push_back({v.loc, v.text});
        dims.push_back(0);
      } else {
        dims.push_back(static_cast<int64_t>(v.number));
        if (v.number > 2147483648.0 || v.number <= 0)
          badSizes.push_back({v.loc, v.text});
      }
    }
  }

  int64_t size(WLParser::ConstExprContext *c) {
    Value v = constant(c);
    if (!v.isInteger || v.number <= 0 || v.number > 2147483648.0) {
      badSizes.push_back({v.loc, v.text});
      return 0;
    }
    return static_cast<int64_t>(v.number);
  }

  /// `linear L: IN -> OUT {...}` or `embedding E: V -> d {...}` (stored with
  /// in = d, out = V: the table is the [OUT, IN] weight).
  Linear linear(WLParser::IdentContext *id,
                std::vector<WLParser::ConstExprContext *> sizes,
                std::vector<WLParser::LinearItemContext *> items, Loc where,
                Linear::Kind kind) {
    Linear l;
    l.kind = kind;
    l.name = name(id);
    l.loc = where;
    bool embedding = kind == Linear::Kind::Embedding;
    l.in = size(sizes[embedding ? 1 : 0]);
    l.out = size(sizes[embedding ? 0 : 1]);
    for (auto *item : items) {
      if (auto *w = item->weightItem()) {
        if (l.weightWritten)
          dupItems.push_back({loc(w), "weight", l.name});
        l.weightWritten = true;
        l.weight = WeightExpr();
        l.weight.loc = loc(w->term(0));
        for (auto *t : w->term()) {
          Term term;
          term.loc = loc(t);
          auto cs = t->callOrIdent();
          term.structure = callOrIdent(cs[0]);
          for (size_t i = 1; i < cs.size(); ++i)
            term.constraints.push_back(callOrIdent(cs[i]));
          l.weight.terms.push_back(term);
        }
      } else if (auto *b = item->biasItem()) {
        if (l.biasWritten)
          dupItems.push_back({loc(b), "bias", l.name});
        l.biasWritten = true;
        l.bias.loc = loc(b->callOrIdent());
        Call init = callOrIdent(b->callOrIdent());
        if (init.name == "zeros" && !init.hasParens) {
          l.bias.kind = Bias::Kind::Zeros;
        } else if (init.name == "none" && !init.hasParens) {
          l.bias.kind = Bias::Kind::None;
        } else {
          l.bias.kind = Bias::Kind::Init;
          l.bias.init = init;
        }
      }
    }
    if (!l.weightWritten) {
      Term t;
      t.loc = l.loc;
      t.structure.name = "dense";
      t.structure.loc = l.loc;
      l.weight.terms.push_back(t);
      l.weight.loc = l.loc;
    }
    if (!l.biasWritten)
      l.bias.loc = l.loc;
    return l;
  }

  Call callOrIdent(WLParser::CallOrIdentContext *c) {
    if (c->call())
      return call(c->call());
    Call k;
    k.name = name(c->ident());
    k.loc = loc(c);
    return k;
  }

  Call call(WLParser::CallContext *c) {
    Call k;
    k.name = name(c->ident());
    k.loc = loc(c);
    k.hasParens = true;
    for (auto *a : c->arg()) {
      Arg arg;
      arg.loc = loc(a);
      if (a->ident())
        arg.key = name(a->ident());
      else
        arg.positional = true;
      arg.value = value(a->value());
      k.args.push_back(std::move(arg));
    }
    return k;
  }

  Value value(WLParser::ValueContext *c) {
    Value v;
    v.loc = loc(c);
    if (auto *n = dynamic_cast<WLParser::NumberValueContext *>(c))
      return constant(n->constExpr());
    if (auto *s = dynamic_cast<WLParser::StringValueContext *>(c)) {
      v.kind = Value::Kind::String;
      v.text = unquote(s->STRING()->getText());
    } else if (dynamic_cast<WLParser::BoolValueContext *>(c)) {
      v.kind = Value::Kind::Bool;
      v.text = c->getText();
      v.boolean = v.text == "true";
    } else if (auto *k = dynamic_cast<WLParser::CallValueContext *>(c)) {
      v.kind = Value::Kind::Call;
      v.call = std::make_shared<Call>(call(k->call()));
    } else if (auto *i = dynamic_cast<WLParser::IdentValueContext *>(c)) {
      v.kind = Value::Kind::Ident;
      v.text = name(i->ident());
    } else if (auto *t = dynamic_cast<WLParser::TupleValueContext *>(c)) {
      auto vals = t->value();
      if (vals.size() == 1)
        return value(vals[0]); // (x) is x
      v.kind = Value::Kind::Tuple;
      for (auto *e : vals)
        v.elems.push_back(value(e));
    } else if (auto *s = dynamic_cast<WLParser::ShapeValueContext *>(c)) {
      v.kind = Value::Kind::Shape;
      for (auto *e : s->value())
        v.elems.push_back(value(e));
    }
    return v;
  }

  Stmt stmt(WLParser::StmtContext *c) {
    Stmt s;
    s.loc = loc(c);
    if (auto *a = dynamic_cast<WLParser::AssignStmtContext *>(c)) {
      s.name = name(a->ident());
      s.value = expr(a->expr());
    } else if (auto *r = dynamic_cast<WLParser::ReturnStmtContext *>(c)) {
      s.value = expr(r->expr());
    }
    return s;
  }

  /// A number of the forward pass as an Expr (Kind::Number).
  static Expr numberExpr(const Value &v, const Loc &at) {
    Expr e;
    e.kind = Expr::Kind::Number;
    e.number = v.number;
    e.isInteger = v.isInteger;
    e.name = v.text;
    e.loc = at;
    return e;
  }
  static Value numberOf(const Expr &e) {
    Value v;
    v.kind = Value::Kind::Number;
    v.number = e.number;
    v.isInteger = e.isInteger;
    v.text = e.name;
    v.loc = e.loc;
    return v;
  }
  /// factor * x (a Scale located at `at`).
  static Expr scaled(double factor, bool isInteger, Expr x, const Loc &at) {
    Expr e;
    e.kind = Expr::Kind::Scale;
    e.loc = at;
    e.number = factor;
    e.isInteger = isInteger;
    e.operands.push_back(std::move(x));
    return e;
  }

  /// `a op b` for + - * /: numbers fold; a value may be scaled by (or
  /// divided by) a number, and values added or subtracted (a − b is
  /// a + (−1)·b). Anything else is an error at `op`.
  Expr combine(Expr a, antlr4::Token *op, Expr b, const std::string &text) {
    const std::string o = op->getText();
    const bool numA = a.kind == Expr::Kind::Number,
               numB = b.kind == Expr::Kind::Number;
    if (numA && numB) {
      Value v = foldNumbers(numberOf(a), o, numberOf(b), op);
      v.text = text;
      return numberExpr(v, a.loc);
    }
    if (o == "+" || o == "-") {
      if (numA || numB) {
        badConstants.push_back(
            {loc(op), "cannot " + std::string(o == "+" ? "add" : "subtract") +
                          " a number and a value; scale a value with 'c * h'"});
        return numA ? b : a;
      }
      Expr sum;
      sum.kind = Expr::Kind::Add;
      sum.loc = loc(op);
      sum.operands.push_back(std::move(a));
      sum.operands.push_back(
          o == "+" ? std::move(b) : scaled(-1, true, std::move(b), loc(op)));
      return sum;
    }
    if (o == "*" && (numA || numB)) {
      Loc at = a.loc;
      return numA ? scaled(a.number, a.isInteger, std::move(b), at)
                  : scaled(b.number, b.isInteger, std::move(a), at);
    }
    if (o == "/" && numB) {
      if (b.number == 0) {
        badConstants.push_back(
            {loc(op), "division by zero in a constant expression"});
        return a;
      }
      Loc at = a.loc;
      return scaled(1 / b.number, false, std::move(a), at);
    }
    badConstants.push_back(
        {loc(op), o == "/" ? "cannot divide by a value; only by a number"
                           : "cannot multiply two values; scale a value "
                             "with a number, 'c * h'"});
    return numA ? b : a;
  }

  /// expr := mulExpr (('+' | '-') mulExpr)*   (left associative; a sum is
  /// located at its operator)
  Expr expr(WLParser::ExprContext *c) {
    return leftFold<Expr>(
        c, c->mulExpr(),
        [&](WLParser::MulExprContext *t) { return mulExpr(t); },
        [&](Expr a, antlr4::Token *op, Expr b) {
          return combine(std::move(a), op, std::move(b), spelled(c, op));
        });
  }

  /// mulExpr := unaryExpr (('*' | '/') unaryExpr)*
  Expr mulExpr(WLParser::MulExprContext *c) {
    return leftFold<Expr>(
        c, c->unaryExpr(),
        [&](WLParser::UnaryExprContext *f) { return unaryExpr(f); },
        [&](Expr a, antlr4::Token *op, Expr b) {
          return combine(std::move(a), op, std::move(b), spelled(c, op));
        });
  }

  /// The text of rule `c` up to and including the operand after `op` (the
  /// spelling of a folded number, for messages).
  static std::string spelled(antlr4::ParserRuleContext *c, antlr4::Token *op) {
    std::string text;
    bool after = false;
    for (antlr4::tree::ParseTree *child : c->children) {
      if (after) {
        text += child->getText();
        break;
      }
      text += child->getText();
      if (auto *t = dynamic_cast<antlr4::tree::TerminalNode *>(child))
        after = t->getSymbol() == op;
    }
    return text;
  }

  /// unaryExpr := '-' unaryExpr | primary
  Expr unaryExpr(WLParser::UnaryExprContext *c) {
    if (auto *inner = c->unaryExpr()) {
      Expr e = unaryExpr(inner);
      if (e.kind == Expr::Kind::Number) {
        e.number = -e.number;
        e.name = c->getText();
        e.loc = loc(c);
        return e;
      }
      return scaled(-1, true, std::move(e), loc(c));
    }
    return primary(c->primary());
  }

  Expr primary(WLParser::PrimaryContext *c) {
    Expr e;
    e.loc = loc(c);
    if (auto *k = dynamic_cast<WLParser::CallExprContext *>(c)) {
      e.kind = Expr::Kind::Call;
      e.name = name(k->ident());
      for (auto *a : k->exprArg()) {
        Expr arg = expr(a->expr());
        if (a->ident()) {
          arg.key = name(a->ident());
          arg.loc = loc(a);
        }
        e.operands.push_back(std::move(arg));
      }
    } else if (auto *v = dynamic_cast<WLParser::VarExprContext *>(c)) {
      e.kind = Expr::Kind::Var;
      e.name = name(v->ident());
    } else if (auto *n = dynamic_cast<WLParser::NumberExprContext *>(c)) {
      return numberExpr(literal(n->NUMBER()), e.loc);
    } else if (dynamic_cast<WLParser::BoolExprContext *>(c)) {
      e.kind = Expr::Kind::Bool;
      e.name = c->getText();
      e.number = e.name == "true" ? 1 : 0;
    } else if (auto *p = dynamic_cast<WLParser::ParenExprContext *>(c)) {
      return expr(p->expr());
    }
    return e;
  }

  Optimize optimize(WLParser::OptimizeDeclContext *c) {
    Optimize o;
    o.written = true;
    o.loc = loc(c);
    for (auto *entry : c->optEntry()) {
      auto names = entry->dottedName();
      Call k = callOrIdent(entry->callOrIdent());
      std::string first = names[0]->getText();
      if (names.size() == 1 && first == "schedule") {
        if (o.schedule)
          dupItems.push_back({loc(entry), "schedule", "optimize"});
        o.schedule = k;
        continue;
      }
      OptGroup g;
      g.loc = loc(entry);
      g.optimizer = k;
      if (names.size() == 1 && first == "default") {
        g.isDefault = true;
      } else {
        for (auto *n : names)
          g.targets.push_back({n->getText(), loc(n)});
      }
      o.groups.push_back(std::move(g));
    }
    return o;
  }

public:
  struct Dup {
    std::string model;
    Loc loc;
    std::string what;
  };
  struct DupItem {
    Loc loc;
    std::string what, owner;
  };
  struct BadLiteral {
    Loc loc;
    std::string text;
  };
  std::vector<Dup> dupInputs;
  std::vector<DupItem> dupItems;
  std::vector<BadLiteral> badSizes;
  std::vector<BadLiteral> hugeNumbers;
  struct BadConstant {
    Loc loc;
    std::string message;
  };
  /// Constant expressions that cannot be folded, and misuses of numbers in
  /// the forward pass.
  std::vector<BadConstant> badConstants;
};

/// The offset of the first byte of `text` that is not well-formed UTF-8
/// (RFC 3629: no overlong forms, surrogates or code points above U+10FFFF,
/// no truncated sequence), or npos. ANTLR's input stream throws on those.
size_t firstInvalidUTF8(const std::string &text) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0)
        lo = 0xA0; // overlong
      else if (c == 0xED)
        hi = 0x9F; // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0)
        lo = 0x90; // overlong
      else if (c == 0xF4)
        hi = 0x8F; // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n)
      return i;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char d = static_cast<unsigned char>(text[i + k]);
      if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF))
        return i;
    }
    i += len;
  }
  return std::string::npos;
}

} // namespace

std::unique_ptr<Program> wl::lang::parseProgram(const std::string &text,
                                                DiagEngine &diag) {
  SyntaxErrors errs{diag};
  // ANTLR decodes the text as UTF-8 and throws on malformed bytes: report
  // the first one at its line and column (columns count code points).
  if (size_t bad = firstInvalidUTF8(text); bad != std::string::npos) {
    int line = 1, col = 1;
    for (size_t i = 0; i < bad; ++i) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c == '\n') {
        ++line;
        col = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++col;
      }
    }
    static const char digits[] = "0123456789ABCDEF";
    const unsigned char b = static_cast<unsigned char>(text[bad]);
    errs.report(line, col,
                std::string("invalid UTF-8 (byte 0x") + digits[b >> 4] +
                    digits[b & 0xF] + "): a .wl file must be UTF-8 text");
    return nullptr;
  }
  antlr4::ANTLRInputStream input(text);
  WLLexer lexer(&input);
  WLErrorListener listener(errs);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  WLParser parser(&tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  auto strategy = std::make_shared<WLErrorStrategy>(errs);
  parser.setErrorHandler(strategy);
  WLParser::ProgramContext *tree = parser.program();
  if (errs.reported)
    return nullptr;

  diag.defer();
  Builder builder(diag);
  std::unique_ptr<Program> prog = builder.program(tree);
  // Structural problems found while building (reported before sema so that
  // they come in source order with the rest).
  for (auto &b : builder.badSizes)
    diag.error(b.loc,
               "size must be a positive integer no larger than 2^31, got " +
                   b.text);
  for (auto &b : builder.hugeNumbers)
    if (std::none_of(builder.badSizes.begin(), builder.badSizes.end(),
                     [&](const Builder::BadLiteral &s) {
                       return s.loc.line == b.loc.line &&
                              s.loc.col == b.loc.col;
                     }))
      diag.error(
          b.loc,
          "number " + b.text +
              " is out of range (the largest magnitude is about 1.8e308)");
  for (auto &b : builder.badConstants)
    diag.error(b.loc, b.message);
  for (auto &d : builder.dupInputs)
    diag.error(d.loc, "duplicate '" + d.what + "' declaration in model '" +
                          d.model + "'");
  for (auto &d : builder.dupItems)
    diag.error(d.loc, "duplicate '" + d.what + "' in '" + d.owner + "'");
  return prog;
}
