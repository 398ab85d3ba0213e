//===- AST.cpp - Helpers of the .wl AST -----------------------------------===//
#include "wl/Lang/AST.h"

using namespace wl::lang;

bool Value::isNamed(const std::string &n) const {
  if (kind == Kind::Ident)
    return text == n;
  if (kind == Kind::Call && call)
    return call->name == n;
  return false;
}

std::string Value::name() const {
  if (kind == Kind::Ident)
    return text;
  if (kind == Kind::Call && call)
    return call->name;
  return {};
}

const Arg *Call::find(const std::string &key, int positionalIndex) const {
  for (const Arg &a : args)
    if (!a.key.empty() && a.key == key)
      return &a;
  if (positionalIndex < 0)
    return nullptr;
  int i = 0;
  for (const Arg &a : args) {
    if (!a.positional && !a.key.empty())
      continue;
    if (i++ == positionalIndex)
      return &a;
  }
  return nullptr;
}

double Call::getNumber(const std::string &key, double dflt) const {
  const Arg *a = find(key);
  return a && a->value.kind == Value::Kind::Number ? a->value.number : dflt;
}

int64_t Call::getInt(const std::string &key, int64_t dflt) const {
  const Arg *a = find(key);
  return a && a->value.kind == Value::Kind::Number ? a->value.asInt() : dflt;
}

std::string Call::getName(const std::string &key,
                          const std::string &dflt) const {
  const Arg *a = find(key);
  if (!a)
    return dflt;
  std::string n = a->value.name();
  return n.empty() ? dflt : n;
}

bool Call::getBool(const std::string &key, bool dflt) const {
  const Arg *a = find(key);
  return a && a->value.kind == Value::Kind::Bool ? a->value.boolean : dflt;
}

const Linear *Model::findLayer(const std::string &n) const {
  for (const Linear &l : layers)
    if (l.name == n)
      return &l;
  return nullptr;
}

const Param *Model::findParam(const std::string &n) const {
  for (const Param &p : params)
    if (p.name == n)
      return &p;
  return nullptr;
}
