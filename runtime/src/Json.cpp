//===- Json.cpp - The runtime's JSON reader
//--------------------------------===//
//
// nlohmann/json's SAX parser builds the JsonValue tree directly; the handler
// adds what nlohmann does not check (duplicate keys, the depth limit) and
// reports every error at a byte offset; see Json.h.
//
//===----------------------------------------------------------------------===//
#include "Json.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstddef>
#include <cstdio>
#include <iterator>

namespace wlrt {

const JsonValue *JsonValue::get(std::string_view key) const {
  if (kind != Kind::Object)
    return nullptr;
  for (const auto &m : members)
    if (m.first == key)
      return &m.second;
  return nullptr;
}

bool JsonValue::asDouble(double &out) const {
  if (kind != Kind::Number)
    return false;
  const char *b = text.data(), *e = text.data() + text.size();
  auto r = std::from_chars(b, e, out, std::chars_format::general);
  // Out-of-range literals are rejected rather than turned into inf or 0.
  return r.ec == std::errc() && r.ptr == e;
}

bool JsonValue::asInt64(int64_t &out) const {
  if (kind != Kind::Number)
    return false;
  const char *b = text.data(), *e = text.data() + text.size();
  auto r = std::from_chars(b, e, out, 10);
  return r.ec == std::errc() && r.ptr == e;
}

namespace {

constexpr size_t kMaxDepth = 128;

/// A pointer into the text that records how far nlohmann's lexer has read
/// (it reads one character at a time, at most one past the current token).
class CountingIterator {
public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char *;
  using reference = const char &;

  CountingIterator(const char *p, const char *begin, size_t *read)
      : p(p), begin(begin), read(read) {}
  reference operator*() const { return *p; }
  CountingIterator &operator++() {
    *read = size_t(++p - begin);
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator &o) const { return p == o.p; }
  bool operator!=(const CountingIterator &o) const { return p != o.p; }

private:
  const char *p, *begin;
  size_t *read;
};

/// nlohmann's SAX events -> a JsonValue tree. A handler returning false
/// stops the parse; `error` says why.
class TreeBuilder {
public:
  TreeBuilder(std::string_view text, JsonValue &root, const size_t &read)
      : text(text), root(root), read(read) {}

  std::string error;

  bool null() { return value(JsonValue::Kind::Null) != nullptr; }
  bool boolean(bool b) {
    JsonValue *v = value(JsonValue::Kind::Bool);
    if (v)
      v->boolean = b;
    return v;
  }
  // An integer's text is its value's ("-0" becomes "0"), the same number.
  bool number_integer(int64_t x) { return number(std::to_string(x)); }
  bool number_unsigned(uint64_t x) { return number(std::to_string(x)); }
  bool number_float(double, const std::string &source) {
    // The lexer's copy of the literal has the locale's decimal point.
    std::string t = source;
    for (char &c : t)
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' ||
            c == 'E'))
        c = '.';
    return number(std::move(t));
  }
  bool string(std::string &s) {
    JsonValue *v = value(JsonValue::Kind::String);
    if (v)
      v->text = std::move(s);
    return v;
  }
  bool binary(nlohmann::json::binary_t &) { return false; } // not in JSON text
  bool start_object(size_t) { return open(JsonValue::Kind::Object); }
  bool start_array(size_t) { return open(JsonValue::Kind::Array); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(std::string &k) {
    const size_t at = tokenStart();
    JsonValue &object = *containers.back();
    for (const auto &m : object.members)
      if (m.first == k)
        return fail(at, "duplicate key '" + k + "'");
    object.members.emplace_back(std::move(k), JsonValue());
    return true;
  }
  bool parse_error(size_t position, const std::string &,
                   const nlohmann::json::exception &e) {
    // what(): "[json.exception.parse_error.101] parse error at line 1, column
    // 2: <why>".
    std::string why = e.what();
    size_t k = why.find("] ");
    if (k != std::string::npos)
      why.erase(0, k + 2);
    if (why.rfind("parse error", 0) == 0 &&
        (k = why.find(": ")) != std::string::npos)
      why.erase(0, k + 2);
    // `position` counts the characters read up to the offending one (the
    // last of the offending token).
    return fail(position > 0 ? position - 1 : 0, why);
  }

private:
  std::string_view text;
  JsonValue &root;
  const size_t &read; ///< characters the lexer has read so far
  size_t mark = 0;    ///< `read` after the previous event
  std::vector<JsonValue *>
      containers; ///< the open arrays and objects, innermost last

  /// The offset of the current event's token: the first character after the
  /// previous event's that is not whitespace or a separator. Called once per
  /// event (and close() for the others): the next event searches from here.
  size_t tokenStart() {
    size_t i = mark;
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
            text[i] == '\r' || text[i] == ',' || text[i] == ':'))
      ++i;
    mark = read;
    return i;
  }

  bool fail(size_t offset, const std::string &why) {
    if (error.empty())
      error = "at offset " + std::to_string(offset) + ": " + why;
    return false;
  }

  /// The slot of a new value of `kind` (the root, a new array item or the
  /// value of the key just read); nullptr when it would nest too deep.
  JsonValue *value(JsonValue::Kind kind) {
    const size_t at = tokenStart();
    if (containers.size() > kMaxDepth) {
      fail(at, "nesting too deep");
      return nullptr;
    }
    JsonValue *v = &root;
    if (!containers.empty()) {
      JsonValue &parent = *containers.back();
      if (parent.isArray()) {
        parent.items.emplace_back();
        v = &parent.items.back();
      } else {
        v = &parent.members.back().second;
      }
    }
    v->kind = kind;
    return v;
  }

  bool number(std::string t) {
    JsonValue *v = value(JsonValue::Kind::Number);
    if (v)
      v->text = std::move(t);
    return v;
  }

  // A container's slot stays put while it is open: its parent only grows
  // after it is closed.
  bool open(JsonValue::Kind kind) {
    JsonValue *v = value(kind);
    if (v)
      containers.push_back(v);
    return v;
  }

  bool close() {
    containers.pop_back();
    mark = read;
    return true;
  }
};

} // namespace

bool parseJson(std::string_view text, JsonValue &out, std::string &error) {
  out = JsonValue();
  size_t read = 0;
  TreeBuilder builder(text, out, read);
  const char *b = text.data(), *e = text.data() + text.size();
  if (nlohmann::json::sax_parse(CountingIterator(b, b, &read),
                                CountingIterator(e, b, &read), &builder))
    return true;
  error = builder.error.empty()
              ? "at offset " + std::to_string(read) + ": invalid JSON"
              : builder.error;
  return false;
}

void appendJsonString(std::string &out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += char(c);
      }
    }
  }
  out += '"';
}

} // namespace wlrt
