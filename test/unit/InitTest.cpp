//===- InitTest.cpp - Initialisers: the generator and "from" files --------===//
//
// The counter-based random numbers, and {"kind": "from"} initialisers: the
// fake model's frozen base read from kBaseFile, conversions, and wl_create's
// failures naming the param, file and tensor.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "Metadata.h"
#include "TestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

TEST(Init, Rng) {
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
    EXPECT_TRUE(std::memcmp(s, b, sizeof s) == 0);
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
  EXPECT_TRUE(std::fabs(sum / n) < 0.01);
  EXPECT_TRUE(std::fabs(sq / n - 1.0) < 0.02);
  EXPECT_TRUE(std::fabs(usum / n - 0.5) < 0.005);
  EXPECT_TRUE(umin > 0.0 && umax < 1.0);
  // Pinned values: the generator is part of the documented contract.
  EXPECT_TRUE(wlrt::randomBits(0, 0, 0) ==
              wlrt::mix64(wlrt::mix64(wlrt::kGolden) + wlrt::kGolden));
}

TEST(Init, FromFile) {
  // Metadata: the kind needs non-empty "file" and "tensor" strings.
  {
    const std::string head =
        R"({"abi":1,"model":"t","input_size":2,"output_size":2,"label_kind":0,"arena_size":4,)"
        R"("params":[{"name":"w","shape":[2,2],"offset":0,"trainable":false,"init":)";
    wlrt::Metadata g = wlrt::parseMetadata(
        (head +
         R"({"kind":"from","file":"/x/y.safetensors","tensor":"a.b"}}]})")
            .c_str());
    EXPECT_TRUE(g.ok && g.params[0].init == wlrt::InitKind::From &&
                g.params[0].initFile == "/x/y.safetensors" &&
                g.params[0].initTensor == "a.b")
        << g.error;
    auto rejects = [&](const char *init, const char *needle) {
      wlrt::Metadata m = wlrt::parseMetadata((head + init + "}]}").c_str());
      EXPECT_TRUE(!m.ok && m.error.find(needle) != std::string::npos)
          << m.error + " / want " + needle;
    };
    rejects(R"({"kind":"from","tensor":"a"})",
            "param 'w' init: missing \"file\"");
    rejects(R"({"kind":"from","file":"/f"})",
            "param 'w' init: missing \"tensor\"");
    rejects(R"({"kind":"from","file":3,"tensor":"a"})",
            "\"file\" must be a string");
    rejects(R"({"kind":"from","file":"","tensor":"a"})", "must be non-empty");
    rejects(R"({"kind":"from","file":"/f","tensor":""})", "must be non-empty");
    // "transposed" (sst's V holding W0ᵀ): a boolean, on a matrix only.
    wlrt::Metadata t = wlrt::parseMetadata(
        (head +
         R"({"kind":"from","file":"/x.safetensors","tensor":"a","transposed":true}}]})")
            .c_str());
    EXPECT_TRUE(t.ok && t.params[0].initTransposed) << t.error;
    EXPECT_TRUE(!g.params[0].initTransposed);
    rejects(R"({"kind":"from","file":"/f","tensor":"a","transposed":1})",
            "\"transposed\" must be");
    wlrt::Metadata vec = wlrt::parseMetadata(
        R"({"abi":1,"model":"t","input_size":2,"output_size":2,"label_kind":0,"arena_size":4,)"
        R"("params":[{"name":"w","shape":[4],"offset":0,"trainable":false,"init":)"
        R"({"kind":"from","file":"/f","tensor":"a","transposed":true}}]})");
    EXPECT_TRUE(!vec.ok &&
                vec.error.find("only a matrix is read transposed") !=
                    std::string::npos)
        << vec.error;
    // "step_written" (sst's mask): an optional boolean, false when absent.
    wlrt::Metadata sw = wlrt::parseMetadata(
        R"({"abi":1,"model":"t","input_size":2,"output_size":2,"label_kind":0,"arena_size":4,)"
        R"("params":[{"name":"w","shape":[4],"offset":0,"trainable":false,"step_written":true,)"
        R"("init":{"kind":"zeros"}}]})");
    EXPECT_TRUE(sw.ok && sw.params[0].stepWritten && !g.params[0].stepWritten)
        << sw.error;
  }

  // The fake model reads its base at creation; the effective weight of "ad"
  // is W0 with or without the PiSSA re-split of the project hook.
  wl_model *m = wl_create(4);
  EXPECT_TRUE(m) << wl_last_error(nullptr);
  if (!m)
    return;
  float base[6], wad[6], lb[2];
  EXPECT_TRUE(wl_get_param(m, "ad.weight.base", base) == WL_OK);
  EXPECT_TRUE(wl_get_weight(m, "ad", wad) == WL_OK);
  EXPECT_TRUE(wl_get_param(m, "ad.weight.lora_B", lb) == WL_OK);
  double dev = 0;
  for (int i = 0; i < 6; ++i)
    dev = std::max(dev, std::fabs(double(wad[i]) - kW0[size_t(i)]));
  EXPECT_TRUE(dev <= 3e-6 * 3.0) << std::to_string(dev);
  if (kHasProject) {
    // Re-split: B = u₁√σ₁ ≠ 0, the base is the rank-1 residual (σ₂ u₂ v₂ᵀ).
    EXPECT_TRUE(lb[0] != 0.0f &&
                std::memcmp(base, kW0.data(), sizeof base) != 0);
    const std::vector<double> s0 = jacobiSigma(asDoubles(kW0), 2, 3),
                              sr = jacobiSigma(
                                  asDoubles(std::vector<float>(base, base + 6)),
                                  2, 3);
    EXPECT_TRUE(std::fabs(sr[0] - s0[1]) <= 1e-5 * s0[0] &&
                sr[1] <= 1e-5 * s0[0])
        << sigmaText(s0) + "/ " + sigmaText(sr);
  } else {
    EXPECT_TRUE(std::memcmp(base, kW0.data(), sizeof base) == 0 &&
                lb[0] == 0.0f && lb[1] == 0.0f);
  }
  EXPECT_TRUE(fake_descriptor_errors == 0);
  wl_destroy(m);

  // Conversions (read directly): F64 rounded to nearest, F16 and BF16 exact.
  {
    const std::string p = "conv.safetensors";
    const std::vector<double> f64 = {0.1, -1e300, 1.0 / 3.0, 5e-324};
    const std::vector<uint16_t> f16 = {0x3c00, 0xc100, 0x7bff, 0x0001,
                                       0x03ff, 0x8000, 0x7c00, 0x3555};
    const std::vector<uint16_t> bf16 = {0x3f80, 0xc049, 0x7f7f, 0x0001};
    writeAll(p, safetensorsFile({{"d", "F64", {2, 2}, bytesOf(f64)},
                                 {"h", "F16", {8}, bytesOf(f16)},
                                 {"b", "BF16", {1, 4}, bytesOf(bf16)}}));
    float d[4], h[8], b[4];
    bool ok = true;
    try {
      wlrt::readTensorFile(p, "d", {2, 2}, d);
      wlrt::readTensorFile(p, "h", {8}, h);
      wlrt::readTensorFile(p, "b", {1, 4}, b);
    } catch (const std::exception &e) {
      ok = false;
      std::printf("  conversion: %s\n", e.what());
    }
    EXPECT_TRUE(ok);
    EXPECT_TRUE(d[0] == 0.1f &&
                d[1] == -std::numeric_limits<float>::infinity() &&
                d[2] == float(1.0 / 3.0) && d[3] == 0.0f);
    EXPECT_TRUE(h[0] == 1.0f && h[1] == -2.5f && h[2] == 65504.0f &&
                h[3] == std::ldexp(1.0f, -24) &&
                h[4] == 1023.0f * std::ldexp(1.0f, -24) && h[5] == 0.0f &&
                std::signbit(h[5]) &&
                h[6] == std::numeric_limits<float>::infinity() &&
                h[7] == 0.333251953125f);
    EXPECT_TRUE(b[0] == 1.0f && b[1] == -3.140625f && b[2] == 0x1.fep127f &&
                b[3] == std::ldexp(1.0f, -133));
  }

  // wl_create fails, naming the param, file and tensor and why; the base
  // file is rewritten for each case and restored at the end.
  auto createFails = [&](const std::string &content,
                         std::vector<const char *> needles, const char *what) {
    if (content.empty())
      ::unlink(kBaseFile);
    else
      writeAll(kBaseFile, content);
    wl_model *bad = wl_create(4);
    EXPECT_TRUE(!bad) << what;
    wl_destroy(bad);
    const char *err = wl_last_error(nullptr);
    needles.push_back("wl_create failed: param 'ad.weight.base': cannot read "
                      "tensor 'ad.base' "
                      "from 'wlrt-unit-base.safetensors': ");
    for (const char *n : needles)
      EXPECT_TRUE(contains(err, n))
          << std::string(what) + ": " + err + " / want " + n;
  };
  const std::string w0 = bytesOf(kW0);
  createFails("", {"No such file or directory"}, "missing file");
  createFails(safetensorsFile(
                  {{"a", "F32", {2}, bytesOf(std::vector<float>{1, 2})},
                   {"ad.bias", "F32", {1}, bytesOf(std::vector<float>{1})}}),
              {"no such tensor; the file has 2 tensors: 'a', 'ad.bias'"},
              "missing tensor");
  {
    std::vector<StTensor> many;
    for (int i = 0; i < 10; ++i)
      many.push_back({"t" + std::to_string(i),
                      "F32",
                      {1},
                      bytesOf(std::vector<float>{0})});
    createFails(safetensorsFile(many), {"10 tensors: 't0', 't1'", "'t7', ..."},
                "many tensors");
  }
  createFails(safetensorsFile({{"ad.base", "F32", {3, 2}, w0}}),
              {"shape [3, 2] in the file vs [2, 3] expected"}, "wrong shape");
  createFails(safetensorsFile({{"ad.base", "F32", {6}, w0}}),
              {"shape [6] in the file vs [2, 3]"}, "flat shape");
  createFails(safetensorsFile({{"ad.base", "I32", {2, 3}, w0}}),
              {"unsupported dtype I32 (supported: F32, F64, F16, BF16)"},
              "dtype");
  {
    std::string cut = safetensorsFile({{"ad.base", "F32", {2, 3}, w0}});
    createFails(cut.substr(0, cut.size() - 4),
                {"data_offsets outside the data section"}, "truncated");
    createFails(cut.substr(0, 5), {"too short"}, "short");
    std::string garbage(8, '\0');
    garbage[0] = 16;
    createFails(garbage + "{not json}      ", {"invalid JSON header"},
                "garbage");
  }
  ::unlink(kBaseFile);
  EXPECT_TRUE(::mkdir(kBaseFile, 0755) ==
              0); // a directory where the file should be
  {
    wl_model *bad = wl_create(4);
    EXPECT_TRUE(!bad && contains(wl_last_error(nullptr), "not a regular file"));
    wl_destroy(bad);
  }
  ::rmdir(kBaseFile);
  // F64 base: converted (these values are exact in float).
  writeAll(kBaseFile,
           safetensorsFile(
               {{"ad.base",
                 "F64",
                 {2, 3},
                 bytesOf(std::vector<double>(kW0.begin(), kW0.end()))}}));
  m = wl_create(4);
  EXPECT_TRUE(m) << wl_last_error(nullptr);
  if (m) {
    EXPECT_TRUE(wl_get_weight(m, "ad", wad) == WL_OK);
    double d = 0;
    for (int i = 0; i < 6; ++i)
      d = std::max(d, std::fabs(double(wad[i]) - kW0[size_t(i)]));
    EXPECT_TRUE(d <= 1e-5) << std::to_string(d);
    wl_destroy(m);
  }
  writeBaseFile();
  m = wl_create(4);
  EXPECT_TRUE(m);
  wl_destroy(m);
}
