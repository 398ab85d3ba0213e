//===- RuntimeTest.cpp - Unit tests of libwlrt against a fake model --------===//
//
// Plain C++ with a tiny CHECK macro (no GoogleTest). FakeModel.c provides
// wlgen_metadata and the _mlir_ciface_wlgen_* entry points. Prints
// "N passed, M failed" and exits non-zero on any failure.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "Json.h"
#include "Metadata.h"
#include "Model.h"
#include "wl/wl.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern "C" {
extern int fake_descriptor_errors;
extern int64_t fake_last_t;
extern int fake_step_calls;
}

static int gPassed = 0, gFailed = 0;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (cond) {                                                                                    \
      ++gPassed;                                                                                   \
    } else {                                                                                       \
      ++gFailed;                                                                                   \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                  \
    }                                                                                              \
  } while (0)

#define CHECK_MSG(cond, msg)                                                                       \
  do {                                                                                             \
    if (cond) {                                                                                    \
      ++gPassed;                                                                                   \
    } else {                                                                                       \
      ++gFailed;                                                                                   \
      std::printf("FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, std::string(msg).c_str());  \
    }                                                                                              \
  } while (0)

static bool contains(const char *hay, const char *needle) {
  return hay && std::strstr(hay, needle) != nullptr;
}

static std::vector<char> arenaBytes(const wl_model *m) {
  const char *p = reinterpret_cast<const char *>(m->arena);
  return std::vector<char>(p, p + m->md->arenaSize * sizeof(float));
}

static std::string tempDir() {
  const char *t = std::getenv("TMPDIR");
  std::string base = (t && *t) ? t : "/tmp";
  std::string dir = base + "/wlrt-unit-XXXXXX";
  std::vector<char> buf(dir.begin(), dir.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::perror("mkdtemp");
    std::exit(2);
  }
  return buf.data();
}

static std::string readAll(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

static void writeAll(const std::string &path, const std::string &data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), std::streamsize(data.size()));
}

static bool fileExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

//===----------------------------------------------------------------------===//

static void testJson() {
  using wlrt::JsonValue;
  JsonValue v;
  std::string err;
  CHECK(wlrt::parseJson(R"( {"a": [1, -2.5e3, true, false, null], "b": "x\"\u00e9\ud83d\ude00"} )", v,
                        err));
  CHECK(v.isObject() && v.members.size() == 2 && v.members[0].first == "a");
  const JsonValue *a = v.get("a");
  double d = 0;
  CHECK(a && a->items.size() == 5 && a->items[1].asDouble(d) && d == -2500.0);
  int64_t i = 0;
  CHECK(a && a->items[0].asInt64(i) && i == 1);
  CHECK(a && !a->items[1].asInt64(i));
  const JsonValue *b = v.get("b");
  CHECK(b && b->text == "x\"\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(wlrt::parseJson("9007199254740993", v, err) && v.asInt64(i) && i == 9007199254740993LL);
  const char *bad[] = {"",          "{",         "[1,]",       "{\"a\":1,}", "{\"a\":1 \"b\":2}",
                       "{\"a\":1,\"a\":2}", "// c\n1", "1 2",     "01",         "1.",
                       "-",         "\"\\x\"",   "\"a\nb\"",   "NaN",        "[1e]",
                       "\"\\ud800\"", "tru",     "{1:2}"};
  for (const char *s : bad) {
    CHECK_MSG(!wlrt::parseJson(s, v, err), s);
    CHECK_MSG(!err.empty() && err.find("offset") != std::string::npos, s);
  }
  std::string deep(1000, '[');
  CHECK(!wlrt::parseJson(deep, v, err));
  std::string ok(100, '[');
  ok += std::string(100, ']');
  CHECK(wlrt::parseJson(ok, v, err));
  std::string out;
  wlrt::appendJsonString(out, "a\"b\\c\n\x01");
  CHECK(out == "\"a\\\"b\\\\c\\n\\u0001\"");
  CHECK(wlrt::parseJson(out, v, err) && v.text == "a\"b\\c\n\x01");
}

static void testMetadataValidation() {
  const wlrt::Metadata &md = wlrt::metadata();
  CHECK_MSG(md.ok, md.error);
  CHECK(md.params.size() == 4 && md.layers.size() == 1 && md.hasLipschitz);
  auto rejects = [](const char *json, const char *needle) {
    wlrt::Metadata m = wlrt::parseMetadata(json);
    CHECK_MSG(!m.ok && m.error.find(needle) != std::string::npos, m.error + " / want " + needle);
  };
  const char *head = R"({"abi":1,"model":"t","input_size":2,"output_size":2,"label_kind":0,)";
  rejects((std::string(head) + R"("arena_size":3,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":false,"init":{"kind":"zeros"}}]})").c_str(),
          "outside the arena");
  rejects((std::string(head) + R"("arena_size":8,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":false,"init":{"kind":"xavier"}}]})").c_str(),
          "unknown init kind 'xavier'");
  rejects((std::string(head) + R"("arena_size":8,"params":[],"lipschitz":[{"op":"input"},{"op":"layer","layer":"q","arg":0}]})").c_str(),
          "unknown layer 'q'");
  // The "lipschitz" graph: an array of nodes whose arguments index earlier nodes.
  const std::string lipHead = std::string(head) +
      R"("arena_size":8,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":false,"init":{"kind":"zeros"}}],)"
      R"("layers":[{"name":"l","in":2,"out":2,"structure":"dense","weight":"w"}],"lipschitz":)";
  auto lipRejects = [&](const char *graph, const char *needle) {
    rejects((lipHead + graph + "}").c_str(), needle);
  };
  lipRejects(R"({"op":"input"})", "must be an array of nodes");                  // the old tree form
  lipRejects(R"([])", "at least one node");
  lipRejects(R"([{"op":"input"},{"op":"layer","layer":"l","arg":1}])", "must index an earlier node");
  lipRejects(R"([{"op":"input"},{"op":"add","args":[0,2]},{"op":"input"}])", "argument 2 must index an earlier node");
  lipRejects(R"([{"op":"scale","factor":2,"arg":0}])", "lipschitz node 0: argument 0 must index an earlier node");
  lipRejects(R"([{"op":"input"},{"op":"scale","factor":2,"arg":-1}])", "argument -1 must index an earlier node");
  lipRejects(R"([{"op":"input"},{"op":"scale","factor":2,"arg":0.5}])", "must be an integer node index");
  lipRejects(R"([{"op":"input"},{"op":"scale","factor":2,"arg":{"op":"input"}}])", "must be an integer node index");
  lipRejects(R"([{"op":"input"},{"op":"add","args":[]}])", "non-empty array");
  lipRejects(R"([{"op":"input"},{"op":"add","args":0}])", "non-empty array");
  lipRejects(R"([{"op":"input"},{"op":"relu","arg":0}])", "lipschitz node 1: unknown op 'relu'");
  lipRejects(R"([{"op":"input"},{"op":"layer","arg":0}])", "lipschitz node 1: missing \"layer\"");
  lipRejects(R"([{"op":"input"},{"op":"scale","arg":0}])", "missing \"factor\"");
  lipRejects(R"([{"op":"input"},{"op":"layer","layer":"l"}])", "missing \"arg\"");
  lipRejects(R"([1])", "lipschitz node 0: must be an object");
  {
    wlrt::Metadata g = wlrt::parseMetadata(
        (lipHead + R"([{"op":"input"},{"op":"layer","layer":"l","arg":0},{"op":"scale","factor":-0.5,"arg":1},)"
                   R"({"op":"add","args":[2,0]}]})").c_str());
    CHECK_MSG(g.ok, g.error);
    using Op = wlrt::LipNode::Op;
    CHECK(g.hasLipschitz && g.lipschitz.size() == 4);
    if (g.lipschitz.size() == 4) {
      CHECK(g.lipschitz[0].op == Op::Input && g.lipschitz[0].args.empty());
      CHECK(g.lipschitz[1].op == Op::Layer && g.lipschitz[1].layer == 0 &&
            g.lipschitz[1].args == std::vector<int64_t>{0});
      CHECK(g.lipschitz[2].op == Op::Scale && g.lipschitz[2].factor == -0.5 &&
            g.lipschitz[2].args == std::vector<int64_t>{1});
      CHECK(g.lipschitz[3].op == Op::Add && (g.lipschitz[3].args == std::vector<int64_t>{2, 0}));
    }
    wlrt::Metadata none = wlrt::parseMetadata((std::string(head) + R"("arena_size":8,"params":[]})").c_str());
    CHECK_MSG(none.ok && !none.hasLipschitz, none.error);
  }
  rejects(R"({"abi":2,"model":"t"})", "unsupported abi");
  rejects("{", "invalid JSON");
  wlrt::Metadata good = wlrt::parseMetadata(
      (std::string(head) + R"("arena_size":8,"params":[{"name":"w","shape":[2,2],"offset":0,"trainable":true,"grad_offset":4,"init":{"kind":"ones"}}]})").c_str());
  CHECK_MSG(good.ok, good.error);
}

static void testStaticQueries() {
  CHECK(wl_abi_version() == 1);
  CHECK(wl_model_name() && std::strcmp(wl_model_name(), "fake") == 0);
  CHECK(wl_input_size() == 3);
  CHECK(wl_output_size() == 2);
  CHECK(wl_label_kind() == 1);
  CHECK(wl_num_params() == 4);
  CHECK(wl_param_name(0) && std::strcmp(wl_param_name(0), "fc.weight") == 0);
  CHECK(wl_param_name(3) && std::strcmp(wl_param_name(3), "fixed.rot") == 0);
  CHECK(wl_param_name(4) == nullptr && wl_param_name(-1) == nullptr);
  CHECK(wl_param_rank(0) == 2 && wl_param_rank(1) == 1 && wl_param_rank(9) == -1);
  CHECK(wl_param_dim(0, 0) == 2 && wl_param_dim(0, 1) == 3);
  CHECK(wl_param_dim(0, 2) == -1 && wl_param_dim(0, -1) == -1 && wl_param_dim(7, 0) == -1);
  CHECK(wl_param_trainable(0) == 1 && wl_param_trainable(2) == 0 && wl_param_trainable(99) == 0);
  CHECK(wl_num_layers() == 1);
  CHECK(wl_layer_name(0) && std::strcmp(wl_layer_name(0), "fc") == 0);
  CHECK(wl_layer_name(1) == nullptr && wl_layer_name(-1) == nullptr);
  CHECK(wl_layer_in_size(0) == 3 && wl_layer_out_size(0) == 2);
  CHECK(wl_layer_in_size(1) == -1 && wl_layer_out_size(-1) == -1);
}

static void testRng() {
  // Counter-based: element i of a parameter does not depend on the size.
  wlrt::ParamInfo small, big;
  small.shape = {5};
  small.numel = 5;
  big.shape = {100};
  big.numel = 100;
  for (wlrt::InitKind k : {wlrt::InitKind::Normal, wlrt::InitKind::Uniform}) {
    small.init = big.init = k;
    small.initValue = big.initValue = 0.7;
    float s[5], b[100];
    wlrt::initParam(small, 9, 2, s);
    wlrt::initParam(big, 9, 2, b);
    CHECK(std::memcmp(s, b, sizeof s) == 0);
  }
  // Moments of the normal and uniform generators.
  const int n = 200000;
  double sum = 0, sq = 0, usum = 0, umin = 1, umax = 0;
  for (int i = 0; i < n; ++i) {
    double z = wlrt::standardNormal(123, 0, uint64_t(i));
    sum += z;
    sq += z * z;
    double u = wlrt::uniform01(wlrt::randomBits(123, 1, uint64_t(i)));
    usum += u;
    umin = std::min(umin, u);
    umax = std::max(umax, u);
  }
  CHECK(std::fabs(sum / n) < 0.01);
  CHECK(std::fabs(sq / n - 1.0) < 0.02);
  CHECK(std::fabs(usum / n - 0.5) < 0.005);
  CHECK(umin > 0.0 && umax < 1.0);
  // Pinned values: the generator is part of the documented contract.
  CHECK(wlrt::randomBits(0, 0, 0) == wlrt::mix64(wlrt::mix64(wlrt::kGolden) + wlrt::kGolden));
}

static void testCreate() {
  wl_model *a = wl_create(42), *b = wl_create(42), *c = wl_create(43);
  CHECK(a && b && c);
  if (!a || !b || !c)
    return;
  CHECK(arenaBytes(a) == arenaBytes(b));
  CHECK(arenaBytes(a) != arenaBytes(c));
  CHECK(reinterpret_cast<uintptr_t>(a->arena) % 64 == 0);
  CHECK(wl_step_count(a) == 0);
  CHECK(std::strcmp(wl_last_error(a), "") == 0);
  float w[6], g[6], bias[2], table[4], rot[9];
  CHECK(wl_get_param(a, "fc.weight", w) == WL_OK);
  bool nonzero = false;
  for (float x : w)
    nonzero |= x != 0.0f;
  CHECK(nonzero);
  CHECK(wl_get_grad(a, "fc.weight", g) == WL_OK);
  CHECK(g[0] == 0 && g[5] == 0);
  CHECK(wl_get_param(a, "fc.bias", bias) == WL_OK && bias[0] == 0 && bias[1] == 0);
  for (int k = 12; k < 18; ++k)
    CHECK(a->arena[k] == 0.0f); // optimizer state zeroed
  CHECK(wl_get_param(a, "fixed.table", table) == WL_OK);
  bool inRange = true, allSame = true;
  for (float x : table) {
    inRange &= x > -0.1f && x < 0.1f;
    allSame &= x == table[0];
  }
  CHECK(inRange && !allSame);
  CHECK(wl_get_param(a, "fixed.rot", rot) == WL_OK);
  double maxDev = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k)
        s += double(rot[i * 3 + k]) * rot[j * 3 + k];
      maxDev = std::max(maxDev, std::fabs(s - (i == j ? 1.0 : 0.0)));
    }
  CHECK_MSG(maxDev < 1e-6, std::to_string(maxDev));
  // Rectangular orthogonal init: orthonormal rows (wide) or columns (tall).
  for (auto shape : {std::vector<int64_t>{3, 7}, std::vector<int64_t>{7, 3}}) {
    wlrt::ParamInfo p;
    p.shape = shape;
    p.numel = 21;
    p.init = wlrt::InitKind::Orthogonal;
    float q[21];
    wlrt::initParam(p, 5, 0, q);
    int64_t r = shape[0], cols = shape[1];
    bool wide = r <= cols;
    int64_t cnt = wide ? r : cols;
    double dev = 0;
    for (int64_t i = 0; i < cnt; ++i)
      for (int64_t j = 0; j < cnt; ++j) {
        double s = 0;
        for (int64_t k = 0; k < (wide ? cols : r); ++k)
          s += wide ? double(q[i * cols + k]) * q[j * cols + k]
                    : double(q[k * cols + i]) * q[k * cols + j];
        dev = std::max(dev, std::fabs(s - (i == j ? 1.0 : 0.0)));
      }
    CHECK_MSG(dev < 1e-6, std::to_string(dev));
  }
  wl_destroy(a);
  wl_destroy(b);
  wl_destroy(c);
  wl_destroy(nullptr); // no-op

  // Concurrent creation gives identical models.
  std::vector<std::vector<char>> bytes(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &bytes] {
      wl_model *m = wl_create(7);
      if (m) {
        bytes[size_t(t)] = arenaBytes(m);
        wl_destroy(m);
      }
    });
  for (auto &t : threads)
    t.join();
  CHECK(!bytes[0].empty() && bytes[0] == bytes[1] && bytes[1] == bytes[2] && bytes[2] == bytes[3]);
}

static void testForwardBackward() {
  wl_model *m = wl_create(1);
  CHECK(m);
  if (!m)
    return;
  const float W[6] = {1, 2, 3, -1, 0.5f, 0.25f}, bias[2] = {0.5f, -0.5f};
  CHECK(wl_set_param(m, "fc.weight", W) == WL_OK);
  CHECK(wl_set_param(m, "fc.bias", bias) == WL_OK);
  const float x[6] = {1, 0, 0, 0.5f, 1, 2};
  float y[4];
  CHECK(wl_forward(m, x, 2, y) == WL_OK);
  CHECK(y[0] == 1.5f && y[1] == -1.5f);
  CHECK(y[2] == 0.5f + 0.5f + 2 + 6 && y[3] == -0.5f - 0.5f + 0.5f + 0.5f);
  float wcopy[6];
  CHECK(wl_get_weight(m, "fc", wcopy) == WL_OK && std::memcmp(wcopy, W, sizeof W) == 0);

  const float dy[4] = {1, 0, 0, 1};
  float dx[6];
  CHECK(wl_backward(m, x, dy, 2, dx) == WL_OK);
  CHECK(dx[0] == 1 && dx[1] == 2 && dx[2] == 3 && dx[3] == -1 && dx[4] == 0.5f && dx[5] == 0.25f);
  float g[6], gb[2];
  CHECK(wl_get_grad(m, "fc.weight", g) == WL_OK);
  CHECK(g[0] == 1 && g[1] == 0 && g[2] == 0 && g[3] == 0.5f && g[4] == 1 && g[5] == 2);
  CHECK(wl_backward(m, x, dy, 2, nullptr) == WL_OK); // scratch dx, grads accumulate
  CHECK(wl_get_grad(m, "fc.weight", g) == WL_OK && g[0] == 2 && g[5] == 4);
  CHECK(wl_get_grad(m, "fc.bias", gb) == WL_OK && gb[0] == 2 && gb[1] == 2);
  CHECK(wl_zero_grad(m) == WL_OK);
  CHECK(wl_get_grad(m, "fc.weight", g) == WL_OK && g[0] == 0 && g[5] == 0);
  CHECK(wl_get_grad(m, "fc.bias", gb) == WL_OK && gb[0] == 0 && gb[1] == 0);

  // Loss and train_step.
  const float t[4] = {1.5f, -1.5f, 0, 0};
  float loss = -1;
  CHECK(wl_loss(m, x, t, 2, &loss) == WL_OK);
  float expect = 0.5f * (9.0f * 9.0f) / 2.0f; // row 1 misses by (9, 0)
  CHECK_MSG(std::fabs(loss - expect) < 1e-5f, std::to_string(loss));
  int calls = fake_step_calls;
  float first = 0, last = 0;
  for (int s = 0; s < 30; ++s) {
    CHECK(wl_train_step(m, x, t, 2, &loss) == WL_OK);
    if (s == 0)
      first = loss;
    last = loss;
  }
  CHECK(fake_step_calls == calls + 30 && fake_last_t == 30 && wl_step_count(m) == 30);
  CHECK_MSG(last < 0.01f * first, std::to_string(first) + " -> " + std::to_string(last));
  CHECK(wl_step(m) == WL_OK && wl_step_count(m) == 31 && fake_last_t == 31);
  CHECK(fake_descriptor_errors == 0);
  wl_destroy(m);
}

static void testErrors() {
  wl_model *m = wl_create(3), *other = wl_create(3);
  CHECK(m && other);
  if (!m || !other)
    return;
  float buf[64] = {0};
  CHECK(wl_forward(nullptr, buf, 1, buf) == WL_ERR_ARG);
  CHECK(contains(wl_last_error(nullptr), "wl_forward") && contains(wl_last_error(nullptr), "model"));
  CHECK(wl_forward(m, nullptr, 1, buf) == WL_ERR_ARG && contains(wl_last_error(m), "x is NULL"));
  CHECK(wl_forward(m, buf, 1, nullptr) == WL_ERR_ARG && contains(wl_last_error(m), "y is NULL"));
  CHECK(wl_forward(m, buf, 0, buf) == WL_ERR_ARG && contains(wl_last_error(m), "batch"));
  CHECK(wl_forward(m, buf, -5, buf) == WL_ERR_ARG && contains(wl_last_error(m), "-5"));
  CHECK(wl_backward(m, buf, nullptr, 1, nullptr) == WL_ERR_ARG &&
        contains(wl_last_error(m), "dy is NULL"));
  CHECK(wl_backward(m, buf, buf, 0, nullptr) == WL_ERR_ARG);
  float loss;
  CHECK(wl_loss(m, buf, nullptr, 1, &loss) == WL_ERR_ARG && contains(wl_last_error(m), "labels"));
  CHECK(wl_loss(m, buf, buf, 1, nullptr) == WL_ERR_ARG && contains(wl_last_error(m), "loss"));
  CHECK(wl_train_step(m, buf, buf, 0, &loss) == WL_ERR_ARG);
  CHECK(wl_forward(m, buf, INT64_MAX / 2, buf) == WL_ERR_ARG &&
        contains(wl_last_error(m), "too large"));
  {
    // Class-label validation (label_kind 0 models share this check).
    const int32_t good[3] = {0, 4, 9}, badLab[4] = {0, 3, 10, -1};
    std::string msg;
    CHECK(wlrt::checkClassLabels(good, 3, 10, msg));
    CHECK(!wlrt::checkClassLabels(badLab, 4, 10, msg) &&
          msg == "label 10 at index 2 is outside [0, 10)");
    const int32_t neg[1] = {-1};
    CHECK(!wlrt::checkClassLabels(neg, 1, 10, msg) && contains(msg.c_str(), "-1 at index 0"));
  }
  CHECK(wl_step_count(m) == 0); // a rejected train_step does not step
  CHECK(wl_train_step(nullptr, buf, buf, 1, &loss) == WL_ERR_ARG);
  CHECK(wl_step(nullptr) == WL_ERR_ARG && wl_zero_grad(nullptr) == WL_ERR_ARG);
  CHECK(wl_step_count(nullptr) == -1);
  CHECK(wl_get_param(m, "nope", buf) == WL_ERR_ARG &&
        contains(wl_last_error(m), "unknown parameter 'nope'"));
  CHECK(wl_set_param(m, "nope", buf) == WL_ERR_ARG &&
        contains(wl_last_error(m), "unknown parameter 'nope'"));
  CHECK(wl_get_grad(m, "nope", buf) == WL_ERR_ARG);
  CHECK(wl_get_param(m, nullptr, buf) == WL_ERR_ARG && contains(wl_last_error(m), "name"));
  CHECK(wl_get_param(m, "fc.bias", nullptr) == WL_ERR_ARG && contains(wl_last_error(m), "out"));
  CHECK(wl_set_param(m, "fc.bias", nullptr) == WL_ERR_ARG && contains(wl_last_error(m), "in"));
  CHECK(wl_get_grad(m, "fixed.rot", buf) == WL_ERR_ARG && contains(wl_last_error(m), "frozen"));
  CHECK(wl_get_weight(m, "nope", buf) == WL_ERR_ARG &&
        contains(wl_last_error(m), "unknown layer 'nope'"));
  CHECK(wl_get_weight(nullptr, "fc", buf) == WL_ERR_ARG);
  CHECK(wl_save(m, nullptr) == WL_ERR_ARG && wl_load(m, nullptr) == WL_ERR_ARG);
  CHECK(wl_save(nullptr, "/tmp/x") == WL_ERR_ARG && wl_load(nullptr, "/tmp/x") == WL_ERR_ARG);
  CHECK(wl_layer_spectral_bound(m, "nope") == -1.0 && contains(wl_last_error(m), "unknown layer"));
  CHECK(wl_layer_spectral_bound(nullptr, "fc") == -1.0);
  CHECK(wl_layer_spectral_bound(m, nullptr) == -1.0);
  CHECK(wl_lipschitz_bound(nullptr) == -1.0);
  // Errors are per model and persist across later successes.
  CHECK(std::strcmp(wl_last_error(other), "") == 0);
  CHECK(wl_get_param(m, "fc.bias", buf) == WL_OK);
  CHECK(contains(wl_last_error(m), "unknown parameter") || contains(wl_last_error(m), "layer"));
  wl_destroy(m);
  wl_destroy(other);
}

static void testCheckpoint() {
  std::string dir = tempDir();
  std::string path = dir + "/model.safetensors";
  wl_model *m = wl_create(11);
  CHECK(m);
  if (!m)
    return;
  const float x[3] = {0.1f, -0.2f, 0.3f}, t[2] = {1, -1};
  float loss;
  for (int s = 0; s < 3; ++s)
    CHECK(wl_train_step(m, x, t, 1, &loss) == WL_OK);
  // Special values survive bit-exactly.
  uint32_t bits[4] = {0x7fc01234u /*NaN payload*/, 0x80000000u /*-0*/, 0x00000001u /*denormal*/,
                      0xff800000u /*-inf*/};
  float table[4];
  std::memcpy(table, bits, sizeof bits);
  CHECK(wl_set_param(m, "fixed.table", table) == WL_OK);
  CHECK(wl_save(m, path.c_str()) == WL_OK);
  CHECK(!fileExists(path + ".tmp." + std::to_string(getpid())));

  // Header format.
  std::string file = readAll(path);
  CHECK(file.size() > 8);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(static_cast<unsigned char>(file[size_t(i)])) << (8 * i);
  CHECK(n % 8 == 0 && n + 8 <= file.size());
  wlrt::JsonValue hdr;
  std::string err;
  CHECK(wlrt::parseJson(file.substr(8, n), hdr, err));
  const wlrt::JsonValue *meta = hdr.get("__metadata__");
  CHECK(meta && meta->get("model") && meta->get("model")->text == "fake");
  CHECK(meta && meta->get("format") && meta->get("format")->text == "wl");
  CHECK(hdr.get("fc.weight") && hdr.get("optim.fc.weight.momentum") &&
        hdr.get("optim.fc.bias.momentum") && hdr.get("fixed.rot"));
  const wlrt::JsonValue *st = hdr.get("optim.step");
  CHECK(st && st->get("dtype") && st->get("dtype")->text == "I64" && st->get("shape") &&
        st->get("shape")->items.empty());
  // Data size: 29 floats (params + state, no grads) + 8 bytes of step.
  CHECK(file.size() == 8 + n + 29 * 4 + 8);

  // Round trip into a differently seeded model.
  wl_model *r = wl_create(99);
  CHECK(r);
  if (!r)
    return;
  CHECK(arenaBytes(r) != arenaBytes(m));
  CHECK_MSG(wl_load(r, path.c_str()) == WL_OK, wl_last_error(r));
  CHECK(wl_step_count(r) == 3);
  // Grads are not saved; state and params are. Compare params + state.
  std::vector<char> am = arenaBytes(m), ar = arenaBytes(r);
  auto region = [](const std::vector<char> &v, int from, int to) {
    return std::vector<char>(v.begin() + from * 4, v.begin() + to * 4);
  };
  CHECK(region(am, 0, 6) == region(ar, 0, 6));     // fc.weight
  CHECK(region(am, 12, 20) == region(ar, 12, 20)); // momentum + bias
  CHECK(region(am, 22, 37) == region(ar, 22, 37)); // bias momentum, table, rot
  // Save again from the loaded model: identical bytes.
  std::string path2 = dir + "/again.safetensors";
  CHECK(wl_save(r, path2.c_str()) == WL_OK && readAll(path2) == file);

  // Failures leave the model unchanged.
  wl_model *v = wl_create(5);
  std::vector<char> before = arenaBytes(v);
  auto expectFail = [&](const std::string &content, wl_status want, const char *needle,
                        const char *what) {
    std::string p = dir + "/bad.safetensors";
    writeAll(p, content);
    wl_status stt = wl_load(v, p.c_str());
    CHECK_MSG(stt == want, std::string(what) + ": status " + std::to_string(stt) + ": " +
                               wl_last_error(v));
    CHECK_MSG(contains(wl_last_error(v), needle), std::string(what) + ": " + wl_last_error(v));
    CHECK_MSG(contains(wl_last_error(v), p.c_str()), std::string(what) + ": " + wl_last_error(v));
    CHECK_MSG(arenaBytes(v) == before && wl_step_count(v) == 0, what);
  };
  for (size_t cut : {size_t(0), size_t(4), size_t(8), size_t(20), size_t(8 + n),
                     file.size() - 1})
    expectFail(file.substr(0, cut), WL_ERR_IO, "", ("truncated at " + std::to_string(cut)).c_str());
  auto replace = [&](const std::string &from, const std::string &to) {
    std::string s = file;
    size_t at = s.find(from);
    CHECK_MSG(at != std::string::npos && at < 8 + n, from);
    if (at != std::string::npos)
      s.replace(at, from.size(), to);
    return s;
  };
  expectFail(replace("\"shape\":[2,3]", "\"shape\":[3,2]"), WL_ERR_SHAPE, "shape [3, 2], expected [2, 3]",
             "wrong shape");
  expectFail(replace("\"model\":\"fake\"", "\"model\":\"faky\""), WL_ERR_IO, "'faky'",
             "other model");
  CHECK(contains(wl_last_error(v), "'fake'"));
  expectFail(replace("\"optim.step\"", "\"optim.stap\""), WL_ERR_IO, "unexpected tensor 'optim.stap'",
             "unknown tensor");
  expectFail(replace("\"dtype\":\"I64\"", "\"dtype\":\"F64\""), WL_ERR_SHAPE, "dtype F64",
             "wrong dtype");
  expectFail(replace("{\"__metadata__\"", "[\"__metadata__\""), WL_ERR_IO, "invalid JSON",
             "bad json");
  {
    // Length in the 8-byte prefix larger than the file.
    std::string s = file;
    s[7] = '\x01';
    expectFail(s, WL_ERR_IO, "header length", "huge header length");
  }
  {
    std::string missing = dir + "/does-not-exist.safetensors";
    CHECK(wl_load(v, missing.c_str()) == WL_ERR_IO && contains(wl_last_error(v), "does-not-exist"));
  }

  // Unwritable destinations: the save fails, existing files stay intact, and
  // no temporary file is left behind (works as root too).
  CHECK(wl_save(v, "/nonexistent-dir-wlrt/x.safetensors") == WL_ERR_IO &&
        contains(wl_last_error(v), "/nonexistent-dir-wlrt/x.safetensors"));
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  CHECK(::mkdir(tmp.c_str(), 0755) == 0); // the temp name is taken by a directory
  CHECK(wl_save(v, path.c_str()) == WL_ERR_IO && contains(wl_last_error(v), path.c_str()));
  CHECK(readAll(path) == file);
  ::rmdir(tmp.c_str());
  std::string dirTarget = dir + "/adir";
  CHECK(::mkdir(dirTarget.c_str(), 0755) == 0);
  writeAll(dirTarget + "/keep", "x");
  CHECK(wl_save(v, dirTarget.c_str()) == WL_ERR_IO && contains(wl_last_error(v), "rename"));
  CHECK(!fileExists(dirTarget + ".tmp." + std::to_string(getpid())));
  CHECK(readAll(dirTarget + "/keep") == "x");

  wl_destroy(v);
  wl_destroy(m);
  wl_destroy(r);
  std::system(("rm -rf '" + dir + "'").c_str());
}

/// σ_max by power iteration on WᵀW in double, run to convergence.
static double powerSigma(const std::vector<float> &w, int rows, int cols) {
  std::vector<double> a(size_t(cols * cols), 0.0);
  for (int i = 0; i < cols; ++i)
    for (int j = 0; j < cols; ++j)
      for (int k = 0; k < rows; ++k)
        a[size_t(i * cols + j)] += double(w[size_t(k * cols + i)]) * w[size_t(k * cols + j)];
  std::vector<double> v(static_cast<size_t>(cols)), nv(static_cast<size_t>(cols));
  for (int i = 0; i < cols; ++i)
    v[size_t(i)] = 1.0 + 0.01 * i;
  double lambda = 0;
  for (int it = 0; it < 200000; ++it) {
    double nrm = 0;
    for (int i = 0; i < cols; ++i) {
      double s = 0;
      for (int j = 0; j < cols; ++j)
        s += a[size_t(i * cols + j)] * v[size_t(j)];
      nv[size_t(i)] = s;
      nrm += s * s;
    }
    nrm = std::sqrt(nrm);
    if (nrm == 0)
      return 0;
    double vn = 0;
    for (double x : v)
      vn += x * x;
    double next = nrm / std::sqrt(vn);
    for (int i = 0; i < cols; ++i)
      v[size_t(i)] = nv[size_t(i)] / nrm;
    if (it > 50 && std::fabs(next - lambda) <= 1e-16 * next)
      return std::sqrt(next);
    lambda = next;
  }
  return std::sqrt(lambda);
}

static void testGram() {
  // Random matrices of several shapes: the bound is >= σ_max.
  int shapes[][2] = {{2, 3}, {3, 2}, {1, 5}, {5, 1}, {8, 8}, {20, 7}, {7, 20}, {64, 48}, {300, 37}, {37, 300}};
  uint64_t seed = 1;
  for (auto &s : shapes) {
    int r = s[0], c = s[1];
    std::vector<float> w(size_t(r * c));
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = float(wlrt::standardNormal(seed, 0, i));
    ++seed;
    double sigma = powerSigma(w, r, c);
    double bound = wlrt::gramSpectralBound(w.data(), r, c);
    CHECK_MSG(bound >= sigma, std::to_string(r) + "x" + std::to_string(c) + ": bound " +
                                  std::to_string(bound) + " < sigma " + std::to_string(sigma));
    // Gram iteration overestimates by at most min(r, c)^(1/128).
    CHECK(bound <= sigma * std::pow(double(std::min(r, c)), 1.0 / 128) * (1 + 1e-5));
  }
  // Rank one: exact up to the margin.
  std::vector<float> u = {1, 2, 2}, v = {3, 4};
  std::vector<float> w(6);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      w[size_t(i * 2 + j)] = u[size_t(i)] * v[size_t(j)];
  double b1 = wlrt::gramSpectralBound(w.data(), 3, 2);
  CHECK_MSG(b1 >= 15.0 && b1 <= 15.0 * (1 + 2e-6), std::to_string(b1));
  std::vector<float> zero(12, 0.0f);
  CHECK(wlrt::gramSpectralBound(zero.data(), 3, 4) == 0.0);
  std::vector<float> bad = {1, NAN, 0, 1};
  CHECK(std::isnan(wlrt::gramSpectralBound(bad.data(), 2, 2)));
  CHECK(wlrt::gramRoundingMargin(4096, 4096) < 1e-5);

  // Through the ABI on the fake model's 2x3 layer.
  wl_model *m = wl_create(2);
  CHECK(m);
  if (!m)
    return;
  const float W[6] = {0.8f, -0.3f, 0.1f, 0.2f, 0.4f, -0.5f};
  CHECK(wl_set_param(m, "fc.weight", W) == WL_OK);
  double sigma = powerSigma(std::vector<float>(W, W + 6), 2, 3);
  double lb = wl_layer_spectral_bound(m, "fc");
  CHECK_MSG(lb >= sigma && lb <= sigma * (1 + 1e-3),
            "bound " + std::to_string(lb) + " sigma " + std::to_string(sigma));
  double lip = wl_lipschitz_bound(m); // |-2| * (L_fc + 1)
  CHECK_MSG(std::fabs(lip - 2.0 * (lb + 1.0)) <= 1e-12 * lip, std::to_string(lip));
  float Wn[6] = {1, 0, 0, 0, NAN, 0};
  CHECK(wl_set_param(m, "fc.weight", Wn) == WL_OK);
  CHECK(wl_layer_spectral_bound(m, "fc") == -1.0 && contains(wl_last_error(m), "non-finite"));
  CHECK(wl_lipschitz_bound(m) == -1.0);
  wl_destroy(m);
}

/// wl_lipschitz_bound on graphs other than the fake model's: the model's
/// metadata pointer is swapped for a copy with another "lipschitz" graph (over
/// the same layer "fc").
static void testLipschitzGraph() {
  wl_model *m = wl_create(3);
  CHECK(m);
  if (!m)
    return;
  const float W[6] = {0.8f, -0.3f, 0.1f, 0.2f, 0.4f, -0.5f};
  CHECK(wl_set_param(m, "fc.weight", W) == WL_OK);
  const double L = wl_layer_spectral_bound(m, "fc");
  CHECK(L > 0);
  const wlrt::Metadata *orig = m->md;
  auto graphOf = [&](const std::string &nodes) {
    std::string json = R"({"abi":1,"model":"g","input_size":3,"output_size":2,"label_kind":0,)"
                       R"("arena_size":6,"params":[{"name":"w","shape":[2,3],"offset":0,)"
                       R"("trainable":false,"init":{"kind":"zeros"}}],"layers":[{"name":"fc",)"
                       R"("in":3,"out":2,"structure":"dense","weight":"w"}],"lipschitz":[)" +
                       nodes + "]}";
    wlrt::Metadata g = wlrt::parseMetadata(json.c_str());
    CHECK_MSG(g.ok, g.error);
    return g.lipschitz;
  };
  auto boundOf = [&](const std::string &nodes) {
    wlrt::Metadata md = *orig; // same params and layers ("fc" is layer 0 in both)
    md.lipschitz = graphOf(nodes);
    m->md = &md;
    double b = wl_lipschitz_bound(m);
    m->md = orig;
    return b;
  };
  auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-12 * std::fabs(b); };

  // One residual block, out = x + 0.5·fc(x), then a second one reusing "fc".
  double r1 = boundOf(R"({"op":"input"},{"op":"layer","layer":"fc","arg":0},)"
                      R"({"op":"scale","factor":0.5,"arg":1},{"op":"add","args":[0,2]})");
  CHECK_MSG(near(r1, 1 + 0.5 * L), std::to_string(r1));
  // A diamond: both arguments of an add are the same node; the output is not
  // the widest node.
  double d = boundOf(R"({"op":"input"},{"op":"layer","layer":"fc","arg":0},{"op":"add","args":[1,1]},)"
                     R"({"op":"scale","factor":-3,"arg":0})");
  CHECK_MSG(near(d, 3.0), std::to_string(d));
  // An n-ary add and a zero factor.
  double z = boundOf(R"({"op":"input"},{"op":"layer","layer":"fc","arg":0},{"op":"scale","factor":0,"arg":1},)"
                     R"({"op":"add","args":[0,1,2,1]})");
  CHECK_MSG(near(z, 1 + 2 * L), std::to_string(z));
  // A chain of 200 residual blocks: linear in the array form (a tree would
  // have 2^200 leaves). Each block: h' = h + 0.5·fc(h).
  std::string chain = R"({"op":"input"})";
  int last = 0;
  for (int b = 0; b < 200; ++b) {
    chain += R"(,{"op":"layer","layer":"fc","arg":)" + std::to_string(last) + "}";
    chain += R"(,{"op":"scale","factor":0.5,"arg":)" + std::to_string(last + 1) + "}";
    chain += R"(,{"op":"add","args":[)" + std::to_string(last) + "," + std::to_string(last + 2) + "]}";
    last += 3;
  }
  double c = boundOf(chain);
  double want = 1;
  for (int b = 0; b < 200; ++b)
    want += 0.5 * L * want;
  CHECK_MSG(near(c, want), std::to_string(c) + " vs " + std::to_string(want));
  // A lone input node: the identity.
  CHECK(boundOf(R"({"op":"input"})") == 1.0);
  // Errors inside the graph still fail the whole bound.
  float Wn[6] = {1, 0, 0, 0, NAN, 0};
  CHECK(wl_set_param(m, "fc.weight", Wn) == WL_OK);
  CHECK(boundOf(chain) == -1.0 && contains(wl_last_error(m), "non-finite"));
  CHECK(boundOf(R"({"op":"input"},{"op":"scale","factor":2,"arg":0})") == 2.0); // no layer: fine
  // No graph at all.
  {
    wlrt::Metadata md = *orig;
    md.hasLipschitz = false;
    md.lipschitz.clear();
    m->md = &md;
    CHECK(wl_lipschitz_bound(m) == -1.0 && contains(wl_last_error(m), "no lipschitz graph"));
    m->md = orig;
  }
  wl_destroy(m);
}

int main() {
  testJson();
  testMetadataValidation();
  testStaticQueries();
  testRng();
  testCreate();
  testForwardBackward();
  testErrors();
  testCheckpoint();
  testGram();
  testLipschitzGraph();
  std::printf("wl-runtime-unit: %d passed, %d failed\n", gPassed, gFailed);
  return gFailed == 0 ? 0 : 1;
}
