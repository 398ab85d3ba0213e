//===- Json.h - The runtime's JSON reader
//----------------------------------===//
//
// Used for the model metadata (wlgen_metadata) and for safetensors headers.
// parseJson reads with nlohmann/json (Debian nlohmann-json3-dev, header only,
// used in Json.cpp alone) into the small tree below. Strict RFC 8259: no
// comments, no trailing commas, no NaN/Infinity, no control characters in
// strings, strings valid UTF-8, numbers within the double range, nothing after
// the top-level value; and, beyond nlohmann's own checks, no duplicate object
// keys and nesting depth at most 128. Object members keep their order. Numbers
// keep their text, read locale-independently (std::from_chars), so integers
// are exact. Everything lives in namespace wlrt, which has hidden visibility
// inside libwlrt.
//
//===----------------------------------------------------------------------===//
#ifndef WLRT_JSON_H
#define WLRT_JSON_H

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wlrt {

/// One JSON value. Numbers keep their source text so integers are exact.
class JsonValue {
public:
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text; ///< string contents (decoded) or number source text
  std::vector<JsonValue> items;                           ///< Array
  std::vector<std::pair<std::string, JsonValue>> members; ///< Object, in order

  bool isNull() const { return kind == Kind::Null; }
  bool isBool() const { return kind == Kind::Bool; }
  bool isNumber() const { return kind == Kind::Number; }
  bool isString() const { return kind == Kind::String; }
  bool isArray() const { return kind == Kind::Array; }
  bool isObject() const { return kind == Kind::Object; }

  /// Member lookup in an object; nullptr when absent or not an object.
  const JsonValue *get(std::string_view key) const;

  /// The number as a double; false if not a number.
  bool asDouble(double &out) const;
  /// The number as an exact int64 (no fraction, no exponent, in range).
  bool asInt64(int64_t &out) const;
};

/// Parses `text` into `out`. On failure returns false and sets `error` to a
/// message with the byte offset ("at offset 7: duplicate key 'a'").
bool parseJson(std::string_view text, JsonValue &out, std::string &error);

/// Appends `s` as a JSON string literal (quoted, escaped) to `out`.
void appendJsonString(std::string &out, std::string_view s);

} // namespace wlrt

#endif // WLRT_JSON_H
