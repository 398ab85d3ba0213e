//===- Json.cpp - A small, strict JSON parser for the runtime -------------===//
//
// Recursive descent over RFC 8259 with a depth limit; see Json.h.
//
//===----------------------------------------------------------------------===//
#include "Json.h"

#include <charconv>
#include <cstdio>

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
  // Out-of-range literals (1e999) are rejected rather than turned into inf.
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

constexpr int kMaxDepth = 128;

class Parser {
public:
  Parser(std::string_view t) : s(t) {}

  bool run(JsonValue &out, std::string &error) {
    skipWs();
    if (!value(out, 0)) {
      error = err;
      return false;
    }
    skipWs();
    if (pos != s.size()) {
      fail("unexpected trailing characters");
      error = err;
      return false;
    }
    return true;
  }

private:
  std::string_view s;
  size_t pos = 0;
  std::string err;

  bool fail(const char *msg) {
    if (err.empty())
      err = "at offset " + std::to_string(pos) + ": " + msg;
    return false;
  }

  void skipWs() {
    while (pos < s.size() &&
           (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
      ++pos;
  }

  bool literal(std::string_view word) {
    if (s.substr(pos, word.size()) != word)
      return fail("invalid literal");
    pos += word.size();
    return true;
  }

  bool value(JsonValue &v, int depth) {
    if (depth > kMaxDepth)
      return fail("nesting too deep");
    if (pos >= s.size())
      return fail("unexpected end of input");
    char c = s[pos];
    switch (c) {
    case '{':
      return object(v, depth);
    case '[':
      return array(v, depth);
    case '"':
      v.kind = JsonValue::Kind::String;
      return string(v.text);
    case 't':
      v.kind = JsonValue::Kind::Bool;
      v.boolean = true;
      return literal("true");
    case 'f':
      v.kind = JsonValue::Kind::Bool;
      v.boolean = false;
      return literal("false");
    case 'n':
      v.kind = JsonValue::Kind::Null;
      return literal("null");
    default:
      if (c == '-' || (c >= '0' && c <= '9'))
        return number(v);
      return fail("unexpected character");
    }
  }

  static bool isDigit(char c) { return c >= '0' && c <= '9'; }

  bool number(JsonValue &v) {
    size_t start = pos;
    if (s[pos] == '-')
      ++pos;
    if (pos >= s.size() || !isDigit(s[pos]))
      return fail("invalid number");
    if (s[pos] == '0') {
      ++pos;
    } else {
      while (pos < s.size() && isDigit(s[pos]))
        ++pos;
    }
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      if (pos >= s.size() || !isDigit(s[pos]))
        return fail("invalid number: digit expected after '.'");
      while (pos < s.size() && isDigit(s[pos]))
        ++pos;
    }
    if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
      ++pos;
      if (pos < s.size() && (s[pos] == '+' || s[pos] == '-'))
        ++pos;
      if (pos >= s.size() || !isDigit(s[pos]))
        return fail("invalid number: digit expected in exponent");
      while (pos < s.size() && isDigit(s[pos]))
        ++pos;
    }
    v.kind = JsonValue::Kind::Number;
    v.text.assign(s.substr(start, pos - start));
    return true;
  }

  bool hex4(uint32_t &u) {
    if (pos + 4 > s.size())
      return fail("truncated \\u escape");
    u = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s[pos++];
      u <<= 4;
      if (c >= '0' && c <= '9')
        u |= uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f')
        u |= uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        u |= uint32_t(c - 'A' + 10);
      else
        return fail("invalid hex digit in \\u escape");
    }
    return true;
  }

  static void appendUtf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  bool string(std::string &out) {
    ++pos; // opening quote
    out.clear();
    while (true) {
      if (pos >= s.size())
        return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s[pos]);
      if (c == '"') {
        ++pos;
        return true;
      }
      if (c < 0x20)
        return fail("control character in string");
      if (c != '\\') {
        out += char(c);
        ++pos;
        continue;
      }
      ++pos;
      if (pos >= s.size())
        return fail("unterminated escape");
      char e = s[pos++];
      switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        uint32_t u = 0;
        if (!hex4(u))
          return false;
        if (u >= 0xD800 && u <= 0xDBFF) {
          if (pos + 2 > s.size() || s[pos] != '\\' || s[pos + 1] != 'u')
            return fail("unpaired surrogate in \\u escape");
          pos += 2;
          uint32_t lo = 0;
          if (!hex4(lo))
            return false;
          if (lo < 0xDC00 || lo > 0xDFFF)
            return fail("invalid low surrogate in \\u escape");
          u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
          return fail("unpaired surrogate in \\u escape");
        }
        appendUtf8(out, u);
        break;
      }
      default:
        --pos;
        return fail("invalid escape");
      }
    }
  }

  bool array(JsonValue &v, int depth) {
    v.kind = JsonValue::Kind::Array;
    ++pos;
    skipWs();
    if (pos < s.size() && s[pos] == ']') {
      ++pos;
      return true;
    }
    while (true) {
      skipWs();
      v.items.emplace_back();
      if (!value(v.items.back(), depth + 1))
        return false;
      skipWs();
      if (pos >= s.size())
        return fail("unterminated array");
      if (s[pos] == ',') {
        ++pos;
        continue;
      }
      if (s[pos] == ']') {
        ++pos;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool object(JsonValue &v, int depth) {
    v.kind = JsonValue::Kind::Object;
    ++pos;
    skipWs();
    if (pos < s.size() && s[pos] == '}') {
      ++pos;
      return true;
    }
    while (true) {
      skipWs();
      if (pos >= s.size() || s[pos] != '"')
        return fail("expected a string key");
      std::string key;
      size_t keyPos = pos;
      if (!string(key))
        return false;
      for (const auto &m : v.members)
        if (m.first == key) {
          pos = keyPos;
          return fail(("duplicate key '" + key + "'").c_str());
        }
      skipWs();
      if (pos >= s.size() || s[pos] != ':')
        return fail("expected ':'");
      ++pos;
      skipWs();
      v.members.emplace_back(std::move(key), JsonValue());
      if (!value(v.members.back().second, depth + 1))
        return false;
      skipWs();
      if (pos >= s.size())
        return fail("unterminated object");
      if (s[pos] == ',') {
        ++pos;
        continue;
      }
      if (s[pos] == '}') {
        ++pos;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }
};

} // namespace

bool parseJson(std::string_view text, JsonValue &out, std::string &error) {
  out = JsonValue();
  Parser p(text);
  return p.run(out, error);
}

void appendJsonString(std::string &out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
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
