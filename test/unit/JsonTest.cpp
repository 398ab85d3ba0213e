//===- JsonTest.cpp - The runtime's JSON reader (Json.h) ------------------===//
//
// What the metadata and safetensors readers rely on: strict RFC 8259, exact
// integers, member order, duplicate keys and nesting beyond 128 refused, and
// every error as "at offset N: ..." (checkpoint_faults.py matches on it).
//
//===----------------------------------------------------------------------===//
#include "Json.h"
#include "TestUtil.h"

#include <cmath>

using wlrt::JsonValue;

TEST(Json, Parse) {
  JsonValue v;
  std::string err;
  EXPECT_TRUE(wlrt::parseJson(
      R"( {"a": [1, -2.5e3, true, false, null], "b": "x\"\u00e9\ud83d\ude00"} )",
      v, err));
  EXPECT_TRUE(v.isObject() && v.members.size() == 2 &&
              v.members[0].first == "a");
  const JsonValue *a = v.get("a");
  double d = 0;
  EXPECT_TRUE(a && a->items.size() == 5 && a->items[1].asDouble(d) &&
              d == -2500.0);
  int64_t i = 0;
  EXPECT_TRUE(a && a->items[0].asInt64(i) && i == 1);
  EXPECT_TRUE(a && !a->items[1].asInt64(i));
  const JsonValue *b = v.get("b");
  EXPECT_TRUE(b && b->text == "x\"\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_TRUE(wlrt::parseJson("9007199254740993", v, err) && v.asInt64(i) &&
              i == 9007199254740993LL);
}

TEST(Json, Rejects) {
  JsonValue v;
  std::string err;
  const char *bad[] = {"",
                       "{",
                       "[1,]",
                       "{\"a\":1,}",
                       "{\"a\":1 \"b\":2}",
                       "{\"a\":1,\"a\":2}",
                       "// c\n1",
                       "1 2",
                       "01",
                       "1.",
                       "-",
                       "\"\\x\"",
                       "\"a\nb\"",
                       "NaN",
                       "[1e]",
                       "\"\\ud800\"",
                       "tru",
                       "{1:2}"};
  for (const char *s : bad) {
    EXPECT_TRUE(!wlrt::parseJson(s, v, err)) << s;
    EXPECT_TRUE(!err.empty() && err.find("offset") != std::string::npos) << s;
  }
  // More of RFC 8259's edges, each reported at an offset.
  const char *more[] = {"\f1",         "[1 2]",     "{\"a\"}", "{\"a\" 1}",
                        "\"\\udc00\"", "\"\\u12\"", "+1",      "1e+",
                        ".5",          "[",         "\"abc",   "{\"a\":1]",
                        "nul",         "\"\t\"",    "[1,,2]"};
  for (const char *s : more) {
    EXPECT_FALSE(wlrt::parseJson(s, v, err)) << s;
    EXPECT_EQ(err.rfind("at offset ", 0), 0u) << s << ": " << err;
  }
}

TEST(Json, ErrorOffsets) {
  JsonValue v;
  std::string err;
  // A duplicate key is reported at the second occurrence's opening quote.
  EXPECT_FALSE(wlrt::parseJson("{\"a\":1,\"a\":2}", v, err));
  EXPECT_EQ(err, "at offset 7: duplicate key 'a'");
  EXPECT_FALSE(
      wlrt::parseJson("{\"x\": {\"k\\u0031\": [], \"k1\": {}}}", v, err));
  EXPECT_EQ(err, "at offset 22: duplicate key 'k1'");
  // The same key in different objects is fine.
  EXPECT_TRUE(wlrt::parseJson(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})", v, err))
      << err;
  EXPECT_FALSE(wlrt::parseJson("{", v, err));
  EXPECT_EQ(err.rfind("at offset 1: ", 0), 0u) << err;
  EXPECT_FALSE(wlrt::parseJson("[1, 2] x", v, err));
  EXPECT_EQ(err.rfind("at offset 7: ", 0), 0u) << err;
}

TEST(Json, NestingDepth) {
  JsonValue v;
  std::string err;
  std::string deep(1000, '[');
  EXPECT_TRUE(!wlrt::parseJson(deep, v, err));
  std::string ok(100, '[');
  ok += std::string(100, ']');
  EXPECT_TRUE(wlrt::parseJson(ok, v, err));
  // Values nest at most 128 deep: 129 arrays (depths 0..128) parse, a 130th
  // array or a scalar at depth 129 does not.
  auto nested = [](int n, const std::string &inner) {
    return std::string(size_t(n), '[') + inner + std::string(size_t(n), ']');
  };
  EXPECT_TRUE(wlrt::parseJson(nested(129, ""), v, err)) << err;
  EXPECT_FALSE(wlrt::parseJson(nested(130, ""), v, err));
  EXPECT_EQ(err, "at offset 129: nesting too deep");
  EXPECT_TRUE(wlrt::parseJson(nested(128, "1"), v, err)) << err;
  EXPECT_FALSE(wlrt::parseJson(nested(129, " 1"), v, err));
  EXPECT_EQ(err, "at offset 130: nesting too deep");
  EXPECT_FALSE(wlrt::parseJson(nested(128, "{\"a\":1}"), v, err));
  EXPECT_EQ(err, "at offset 133: nesting too deep");
  // Far deeper input fails the same way (no recursion on the input's depth).
  EXPECT_FALSE(
      wlrt::parseJson("{\"__metadata__\":" + nested(200000, "") + "}", v, err));
  EXPECT_EQ(err, "at offset 144: nesting too deep");
}

TEST(Json, Values) {
  JsonValue v;
  std::string err;
  // Object members keep their order; get() finds them.
  ASSERT_TRUE(wlrt::parseJson(R"({"b":1,"a":[],"c":{}})", v, err)) << err;
  ASSERT_EQ(v.members.size(), 3u);
  EXPECT_EQ(v.members[0].first, "b");
  EXPECT_EQ(v.members[1].first, "a");
  EXPECT_EQ(v.members[2].first, "c");
  EXPECT_TRUE(v.get("a") && v.get("a")->isArray() && v.get("c") &&
              v.get("c")->isObject());
  EXPECT_EQ(v.get("z"), nullptr);
  EXPECT_EQ(v.get("a")->get("b"), nullptr); // not an object
  // Top-level scalars and whitespace.
  EXPECT_TRUE(wlrt::parseJson(" \t\r\n\"s\" \n", v, err) && v.isString() &&
              v.text == "s");
  EXPECT_TRUE(wlrt::parseJson("true", v, err) && v.isBool() && v.boolean);
  EXPECT_TRUE(wlrt::parseJson("false", v, err) && v.isBool() && !v.boolean);
  EXPECT_TRUE(wlrt::parseJson("null", v, err) && v.isNull());
  // Escapes, including an escaped NUL.
  EXPECT_TRUE(wlrt::parseJson(R"("\/\b\f\n\r\t\u0000\u0041")", v, err));
  EXPECT_EQ(v.text, std::string("/\b\f\n\r\t\0A", 8));
  // Integers are exact over the whole int64 range; beyond it, and for
  // fractions and exponents, only asDouble answers.
  int64_t i = 0;
  double d = 0;
  EXPECT_TRUE(wlrt::parseJson("9223372036854775807", v, err) && v.asInt64(i) &&
              i == INT64_MAX);
  EXPECT_TRUE(wlrt::parseJson("-9223372036854775808", v, err) && v.asInt64(i) &&
              i == INT64_MIN);
  EXPECT_TRUE(wlrt::parseJson("-0", v, err) && v.asInt64(i) && i == 0);
  for (const char *s : {"9223372036854775808", "-9223372036854775809",
                        "18446744073709551616", "1e2", "1.0", "1E2"}) {
    ASSERT_TRUE(wlrt::parseJson(s, v, err)) << s << ": " << err;
    EXPECT_TRUE(v.isNumber()) << s;
    EXPECT_FALSE(v.asInt64(i)) << s;
    EXPECT_TRUE(v.asDouble(d) && d == std::strtod(s, nullptr)) << s;
  }
  EXPECT_TRUE(wlrt::parseJson("123456789012345678901234567890", v, err) &&
              v.asDouble(d) && d == 123456789012345678901234567890.0);
  EXPECT_TRUE(wlrt::parseJson("-1.25e-3", v, err) && v.asDouble(d) &&
              d == -1.25e-3);
  EXPECT_TRUE(wlrt::parseJson("\"1\"", v, err) && !v.asInt64(i) &&
              !v.asDouble(d));
}

// Checked by nlohmann/json (since the runtime reads JSON with it): strings
// are valid UTF-8, numbers within the double range.
TEST(Json, Utf8AndRange) {
  JsonValue v;
  std::string err;
  EXPECT_TRUE(wlrt::parseJson("\"\xc3\xa9\xf0\x9f\x98\x80\"", v, err) &&
              v.text == "\xc3\xa9\xf0\x9f\x98\x80")
      << err;
  for (const char *s :
       {"\"\xff\"", "\"\xc3\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"",
        "{\"\xe9\":1}", "1e999", "[-1e400]"}) {
    EXPECT_FALSE(wlrt::parseJson(s, v, err)) << s;
    EXPECT_EQ(err.rfind("at offset ", 0), 0u) << s << ": " << err;
  }
  // Underflow parses; asDouble refuses it (std::from_chars: out of range).
  double d = 0;
  EXPECT_TRUE(wlrt::parseJson("1e-400", v, err) && v.isNumber() &&
              !v.asDouble(d))
      << err;
}

TEST(Json, Serialize) {
  JsonValue v;
  std::string err;
  std::string out;
  wlrt::appendJsonString(out, "a\"b\\c\n\x01");
  EXPECT_TRUE(out == "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_TRUE(wlrt::parseJson(out, v, err) && v.text == "a\"b\\c\n\x01");
  out.clear();
  wlrt::appendJsonString(out, std::string("\b\f\r\t\x1f/\xc3\xa9", 8));
  EXPECT_EQ(out, "\"\\b\\f\\r\\t\\u001f/\xc3\xa9\"");
}
