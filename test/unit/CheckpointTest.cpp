//===- CheckpointTest.cpp - wl_save, wl_load, wl_export_dense -------------===//
//
// The safetensors checkpoint format, round trips, every refusal of wl_load
// (the model unchanged), failing saves (the previous file intact, no temporary
// left) and the dense export.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "Json.h"
#include "TestUtil.h"

#include <cmath>
#include <csignal>
#include <cstring>
#include <sys/resource.h>
#include <sys/stat.h>

/// The checkpoint `file` (header of `n` bytes) with `from` replaced by `to` in
/// its JSON header, re-padded to a multiple of 8 and its length rewritten.
static std::string withReplacedHeader(const std::string &file, uint64_t n,
                                      const std::string &from,
                                      const std::string &to) {
  std::string h = file.substr(8, n);
  size_t at = h.find(from);
  EXPECT_TRUE(at != std::string::npos) << from;
  if (at != std::string::npos)
    h.replace(at, from.size(), to);
  while (!h.empty() && h.back() == ' ')
    h.pop_back();
  while (h.size() % 8 != 0)
    h += ' ';
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[size_t(i)] = char((uint64_t(h.size()) >> (8 * i)) & 0xff);
  return out + h + file.substr(8 + n);
}

TEST(Checkpoint, SaveLoad) {
  std::string dir = tempDir();
  std::string path = dir + "/model.safetensors";
  wl_model *m = wl_create(11);
  EXPECT_TRUE(m);
  if (!m)
    return;
  const float x[3] = {0.1f, -0.2f, 0.3f}, t[2] = {1, -1};
  float loss;
  for (int s = 0; s < 3; ++s)
    EXPECT_TRUE(wl_train_step(m, x, t, 1, &loss) == WL_OK);
  // Special values survive bit-exactly.
  uint32_t bits[4] = {0x7fc01234u /*NaN payload*/, 0x80000000u /*-0*/,
                      0x00000001u /*denormal*/, 0xff800000u /*-inf*/};
  float table[4];
  std::memcpy(table, bits, sizeof bits);
  EXPECT_TRUE(wl_set_param(m, "fixed.table", table) == WL_OK);
  // The [2]-shaped "power_u" state (arena 37..38): distinctive values.
  m->arena[37] = 0.25f;
  m->arena[38] = -3.5f;
  EXPECT_TRUE(wl_save(m, path.c_str()) == WL_OK);
  EXPECT_TRUE(!fileExists(path + ".tmp." + tmpSuffix()));

  // Header format.
  std::string file = readAll(path);
  EXPECT_TRUE(file.size() > 8);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(static_cast<unsigned char>(file[size_t(i)])) << (8 * i);
  EXPECT_TRUE(n % 8 == 0 && n + 8 <= file.size());
  wlrt::JsonValue hdr;
  std::string err;
  EXPECT_TRUE(wlrt::parseJson(file.substr(8, n), hdr, err));
  const wlrt::JsonValue *meta = hdr.get("__metadata__");
  EXPECT_TRUE(meta && meta->get("model") && meta->get("model")->text == "fake");
  EXPECT_TRUE(meta && meta->get("format") && meta->get("format")->text == "wl");
  EXPECT_TRUE(hdr.get("fc.weight") && hdr.get("optim.fc.weight.momentum") &&
              hdr.get("optim.fc.bias.momentum") && hdr.get("fixed.rot"));
  // A state tensor with its own shape is saved with that shape.
  auto shapeOf = [&](const char *name) {
    std::vector<int64_t> dims;
    const wlrt::JsonValue *t = hdr.get(name);
    const wlrt::JsonValue *sh = t ? t->get("shape") : nullptr;
    if (sh)
      for (const wlrt::JsonValue &d : sh->items) {
        int64_t x = -1;
        d.asInt64(x);
        dims.push_back(x);
      }
    return dims;
  };
  EXPECT_TRUE(shapeOf("optim.fc.weight.power_u") == std::vector<int64_t>{2});
  EXPECT_TRUE(shapeOf("optim.fc.weight.momentum") ==
              (std::vector<int64_t>{2, 3}));
  const wlrt::JsonValue *st = hdr.get("optim.step");
  EXPECT_TRUE(st && st->get("dtype") && st->get("dtype")->text == "I64" &&
              st->get("shape") && st->get("shape")->items.empty());
  // Data size: 42 floats (params + state, no grads) + 8 bytes of step.
  EXPECT_TRUE(file.size() == 8 + n + 42 * 4 + 8);

  // Round trip into a differently seeded model.
  wl_model *r = wl_create(99);
  EXPECT_TRUE(r);
  if (!r)
    return;
  EXPECT_TRUE(arenaBytes(r) != arenaBytes(m));
  EXPECT_TRUE(wl_load(r, path.c_str()) == WL_OK) << wl_last_error(r);
  EXPECT_TRUE(wl_step_count(r) == 3);
  // Grads are not saved; state and params are. Compare params + state.
  std::vector<char> am = arenaBytes(m), ar = arenaBytes(r);
  auto region = [](const std::vector<char> &v, int from, int to) {
    return std::vector<char>(v.begin() + from * 4, v.begin() + to * 4);
  };
  EXPECT_TRUE(region(am, 0, 6) == region(ar, 0, 6));     // fc.weight
  EXPECT_TRUE(region(am, 12, 20) == region(ar, 12, 20)); // momentum + bias
  EXPECT_TRUE(region(am, 22, 39) ==
              region(ar, 22, 39)); // bias momentum, table, rot, power_u
  EXPECT_TRUE(region(am, 39, 48) ==
              region(ar, 39, 48)); // ad.weight.base, lora_A
  EXPECT_TRUE(region(am, 51, 53) == region(ar, 51, 53)); // lora_B
  EXPECT_TRUE(r->arena[37] == 0.25f && r->arena[38] == -3.5f);
  // Save again from the loaded model: identical bytes.
  std::string path2 = dir + "/again.safetensors";
  EXPECT_TRUE(wl_save(r, path2.c_str()) == WL_OK && readAll(path2) == file);

  // Failures leave the model unchanged.
  wl_model *v = wl_create(5);
  std::vector<char> before = arenaBytes(v);
  auto expectFail = [&](const std::string &content, wl_status want,
                        const char *needle, const char *what) {
    std::string p = dir + "/bad.safetensors";
    writeAll(p, content);
    wl_status stt = wl_load(v, p.c_str());
    EXPECT_TRUE(stt == want) << std::string(what) + ": status " +
                                    std::to_string(stt) + ": " +
                                    wl_last_error(v);
    EXPECT_TRUE(contains(wl_last_error(v), needle))
        << std::string(what) + ": " + wl_last_error(v);
    EXPECT_TRUE(contains(wl_last_error(v), p.c_str()))
        << std::string(what) + ": " + wl_last_error(v);
    EXPECT_TRUE(arenaBytes(v) == before && wl_step_count(v) == 0) << what;
  };
  for (size_t cut : {size_t(0), size_t(4), size_t(8), size_t(20), size_t(8 + n),
                     file.size() - 1})
    expectFail(file.substr(0, cut), WL_ERR_IO, "",
               ("truncated at " + std::to_string(cut)).c_str());
  auto replace = [&](const std::string &from, const std::string &to) {
    std::string s = file;
    size_t at = s.find(from);
    EXPECT_TRUE(at != std::string::npos && at < 8 + n) << from;
    if (at != std::string::npos)
      s.replace(at, from.size(), to);
    return s;
  };
  expectFail(replace("\"shape\":[2,3]", "\"shape\":[3,2]"), WL_ERR_SHAPE,
             "shape [3, 2], expected [2, 3]", "wrong shape");
  // A state tensor must have its own shape: not the param's, not another
  // shape of the same size. (The header grows: re-pad it, rewrite its length.)
  auto replaceHeader = [&](const std::string &from, const std::string &to) {
    return withReplacedHeader(file, n, from, to);
  };
  const std::string pu =
      "\"optim.fc.weight.power_u\":{\"dtype\":\"F32\",\"shape\":";
  {
    // Sanity: the re-padded, unchanged header still loads.
    std::string p = dir + "/repadded.safetensors";
    writeAll(p, replaceHeader(pu + "[2]", pu + "[2]  "));
    EXPECT_TRUE(wl_load(r, p.c_str()) == WL_OK) << wl_last_error(r);
  }
  expectFail(replaceHeader(pu + "[2]", pu + "[2,3]"), WL_ERR_SHAPE,
             "tensor 'optim.fc.weight.power_u' has shape [2, 3], expected [2]",
             "state with the param's shape");
  expectFail(replaceHeader(pu + "[2]", pu + "[1,2]"), WL_ERR_SHAPE,
             "has shape [1, 2], expected [2]", "state with a reshaped shape");
  expectFail(replace("\"model\":\"fake\"", "\"model\":\"faky\""), WL_ERR_IO,
             "'faky'", "other model");
  EXPECT_TRUE(contains(wl_last_error(v), "'fake'"));
  expectFail(replace("\"optim.step\"", "\"optim.stap\""), WL_ERR_IO,
             "unexpected tensor 'optim.stap'", "unknown tensor");
  expectFail(replace("\"dtype\":\"I64\"", "\"dtype\":\"F64\""), WL_ERR_SHAPE,
             "dtype F64", "wrong dtype");
  expectFail(replace("{\"__metadata__\"", "[\"__metadata__\""), WL_ERR_IO,
             "invalid JSON", "bad json");
  {
    // Length in the 8-byte prefix larger than the file.
    std::string s = file;
    s[7] = '\x01';
    expectFail(s, WL_ERR_IO, "header length", "huge header length");
  }
  {
    std::string missing = dir + "/does-not-exist.safetensors";
    EXPECT_TRUE(wl_load(v, missing.c_str()) == WL_ERR_IO &&
                contains(wl_last_error(v), "does-not-exist"));
  }

  // Unwritable destinations: the save fails, existing files stay intact, and
  // no temporary file is left behind (works as root too).
  EXPECT_TRUE(
      wl_save(v, "/nonexistent-dir-wlrt/x.safetensors") == WL_ERR_IO &&
      contains(wl_last_error(v), "/nonexistent-dir-wlrt/x.safetensors"));
  std::string tmp = path + ".tmp." + tmpSuffix();
  EXPECT_TRUE(::mkdir(tmp.c_str(), 0755) ==
              0); // the temp name is taken by a directory
  EXPECT_TRUE(wl_save(v, path.c_str()) == WL_ERR_IO &&
              contains(wl_last_error(v), path.c_str()));
  EXPECT_TRUE(readAll(path) == file);
  ::rmdir(tmp.c_str());
  std::string dirTarget = dir + "/adir";
  EXPECT_TRUE(::mkdir(dirTarget.c_str(), 0755) == 0);
  writeAll(dirTarget + "/keep", "x");
  EXPECT_TRUE(wl_save(v, dirTarget.c_str()) == WL_ERR_IO &&
              contains(wl_last_error(v), "rename"));
  EXPECT_TRUE(!fileExists(dirTarget + ".tmp." + tmpSuffix()));
  EXPECT_TRUE(readAll(dirTarget + "/keep") == "x");

  wl_destroy(v);
  wl_destroy(m);
  wl_destroy(r);
  std::system(("rm -rf '" + dir + "'").c_str());
}

/// wl_load's data_offsets checks: overlapping or aliased tensors, reversed or
/// negative ranges and non-integers are refused with a message naming the
/// tensors; the model is unchanged.
TEST(Checkpoint, DataOffsets) {
  std::string dir = tempDir();
  std::string path = dir + "/good.safetensors";
  wl_model *m = wl_create(3), *v = wl_create(4);
  EXPECT_TRUE(m && v);
  if (!m || !v)
    return;
  EXPECT_TRUE(wl_save(m, path.c_str()) == WL_OK);
  const std::string file = readAll(path);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(static_cast<unsigned char>(file[size_t(i)])) << (8 * i);
  // Replaces `from` in the header (re-padded, length rewritten).
  auto withHeader = [&](const std::string &from, const std::string &to) {
    return withReplacedHeader(file, n, from, to);
  };
  const std::vector<char> before = arenaBytes(v);
  auto expectFail = [&](const std::string &content, const char *needle,
                        const char *what) {
    std::string p = dir + "/bad.safetensors";
    writeAll(p, content);
    wl_status st = wl_load(v, p.c_str());
    EXPECT_TRUE(st == WL_ERR_IO)
        << std::string(what) + ": status " + std::to_string(st);
    EXPECT_TRUE(contains(wl_last_error(v), needle))
        << std::string(what) + ": " + wl_last_error(v);
    EXPECT_TRUE(arenaBytes(v) == before && wl_step_count(v) == 0) << what;
  };
  // fc.weight [0, 24), fc.bias [24, 32), fixed.table [32, 48) in the fake
  // model.
  const std::string bias =
      "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";
  EXPECT_TRUE(file.find(bias + "[24,32]") < 8 + n) << file.substr(8, n);
  expectFail(withHeader(bias + "[24,32]", bias + "[20,28]"),
             "tensors 'fc.weight' [0, 24) and 'fc.bias' [20, 28) have "
             "overlapping data_offsets",
             "overlapping");
  expectFail(withHeader(bias + "[24,32]", bias + "[32,40]"),
             "tensors 'fc.bias' [32, 40) and 'fixed.table' [32, 48) have "
             "overlapping data_offsets",
             "aliasing");
  expectFail(withHeader(bias + "[24,32]", bias + "[32,24]"),
             "tensor 'fc.bias' has invalid data_offsets [32, 24] (need 0 <= "
             "begin <= end)",
             "reversed");
  expectFail(withHeader(bias + "[24,32]", bias + "[-8,0]"),
             "tensor 'fc.bias' has invalid data_offsets [-8, 0]", "negative");
  expectFail(withHeader(bias + "[24,32]", bias + "[24.0,32]"),
             "tensor 'fc.bias' has data_offsets that are not 64-bit integers",
             "non-integer");
  expectFail(withHeader(bias + "[24,32]",
                        bias + "[9223372036854775808,9223372036854775816]"),
             "tensor 'fc.bias' has data_offsets that are not 64-bit integers",
             "past int64");
  // Control: the untouched (re-padded) header still loads, and touching ranges
  // are fine.
  {
    std::string p = dir + "/same.safetensors";
    writeAll(p, withHeader(bias + "[24,32]", bias + "[24,32]  "));
    EXPECT_TRUE(wl_load(v, p.c_str()) == WL_OK) << wl_last_error(v);
    EXPECT_TRUE(arenaBytes(v) != before);
  }
  wl_destroy(m);
  wl_destroy(v);
  std::system(("rm -rf '" + dir + "'").c_str());
}

/// wl_save past RLIMIT_FSIZE (write() fails with EFBIG, as on a full disk):
/// WL_ERR_IO naming the temporary and the reason, the previous checkpoint
/// byte-identical, no temporary left. In a forked child (the limit is
/// per process).
TEST(Checkpoint, SaveFileSizeLimit) {
  std::string dir = tempDir();
  std::string path = dir + "/ckpt.safetensors";
  wl_model *m = wl_create(5);
  EXPECT_TRUE(m);
  if (!m)
    return;
  EXPECT_TRUE(wl_save(m, path.c_str()) == WL_OK);
  const std::string old = readAll(path);
  const float x[3] = {0.1f, -0.2f, 0.3f}, t[2] = {1, -1};
  float loss;
  EXPECT_TRUE(wl_train_step(m, x, t, 1, &loss) ==
              WL_OK); // the state differs from the file's
  for (rlim_t limit :
       {rlim_t(0), rlim_t(4), rlim_t(40), rlim_t(old.size() - 1)}) {
    inChild("save past RLIMIT_FSIZE", [&] {
      std::signal(SIGXFSZ, SIG_IGN);
      struct rlimit saved;
      ::getrlimit(RLIMIT_FSIZE, &saved);
      struct rlimit lim = {limit, saved.rlim_max};
      EXPECT_TRUE(::setrlimit(RLIMIT_FSIZE, &lim) == 0);
      wl_status st = wl_save(m, path.c_str());
      ::setrlimit(RLIMIT_FSIZE, &saved); // before anything prints to a file
      const std::string tmp = path + ".tmp." + tmpSuffix();
      EXPECT_TRUE(st == WL_ERR_IO)
          << std::to_string(limit) + ": " + wl_last_error(m);
      EXPECT_TRUE(
          contains(wl_last_error(m), ("wl_save: cannot write '" + tmp +
                                      "' (for '" + path + "'): File too large")
                                         .c_str()))
          << wl_last_error(m);
      EXPECT_TRUE(!fileExists(tmp));
    });
    EXPECT_TRUE(readAll(path) == old) << "limit " + std::to_string(limit);
  }
  // Control: without the limit the same save replaces the file.
  EXPECT_TRUE(wl_save(m, path.c_str()) == WL_OK && readAll(path) != old &&
              readAll(path).size() == old.size());
  wl_destroy(m);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST(Checkpoint, ExportDense) {
  std::string dir = tempDir();
  std::string path = dir + "/dense.safetensors";
  wl_model *m = wl_create(21);
  EXPECT_TRUE(m);
  if (!m)
    return;
  const float W[6] = {1, -2, 3, 0.5f, 0.25f, -0.125f}, bias[2] = {0.75f, -1.5f};
  EXPECT_TRUE(wl_set_param(m, "fc.weight", W) == WL_OK &&
              wl_set_param(m, "fc.bias", bias) == WL_OK);
  EXPECT_TRUE(wl_export_dense(m, path.c_str()) == WL_OK) << wl_last_error(m);
  EXPECT_TRUE(!fileExists(path + ".tmp." + tmpSuffix()));
  const std::string file = readAll(path);

  // Read back with the runtime's reader: bit for bit what wl_get_weight and
  // wl_get_param give.
  float fw[6], fb[2], aw[6], gw[6], ga[6];
  bool ok = true;
  try {
    wlrt::readTensorFile(path, "fc.weight", {2, 3}, fw);
    wlrt::readTensorFile(path, "fc.bias", {2}, fb);
    wlrt::readTensorFile(path, "ad.weight", {2, 3}, aw);
  } catch (const std::exception &e) {
    ok = false;
    std::printf("  export read back: %s\n", e.what());
  }
  EXPECT_TRUE(ok);
  EXPECT_TRUE(wl_get_weight(m, "fc", gw) == WL_OK &&
              wl_get_weight(m, "ad", ga) == WL_OK);
  EXPECT_TRUE(std::memcmp(fw, gw, sizeof fw) == 0 &&
              std::memcmp(fw, W, sizeof fw) == 0);
  EXPECT_TRUE(std::memcmp(fb, bias, sizeof fb) == 0);
  EXPECT_TRUE(std::memcmp(aw, ga, sizeof aw) == 0);
  // The format: a plain safetensors file, tensors exactly these, contiguous
  // data.
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(static_cast<unsigned char>(file[size_t(i)])) << (8 * i);
  EXPECT_TRUE(n % 8 == 0 && 8 + n + (6 + 2 + 6) * 4 == file.size());
  wlrt::JsonValue hdr;
  std::string err;
  EXPECT_TRUE(wlrt::parseJson(file.substr(8, n), hdr, err));
  std::vector<std::string> names;
  int64_t expectBegin = 0;
  for (const auto &mem : hdr.members) {
    names.push_back(mem.first);
    if (mem.first == "__metadata__") {
      EXPECT_TRUE(mem.second.get("format") &&
                  mem.second.get("format")->text == "pt");
      continue;
    }
    const wlrt::JsonValue *offs = mem.second.get("data_offsets");
    int64_t b = -1, e = -1;
    EXPECT_TRUE(offs && offs->items.size() == 2 && offs->items[0].asInt64(b) &&
                offs->items[1].asInt64(e));
    EXPECT_TRUE(b == expectBegin && mem.second.get("dtype")->text == "F32");
    expectBegin = e;
  }
  EXPECT_TRUE(expectBegin == int64_t(file.size() - 8 - n));
  EXPECT_TRUE((names == std::vector<std::string>{"__metadata__", "fc.weight",
                                                 "fc.bias", "ad.weight"}));

  // Errors: NULL arguments, unwritable paths, non-finite weights; the
  // previous file stays as it was and no temporary is left behind.
  EXPECT_TRUE(
      wl_export_dense(nullptr, path.c_str()) == WL_ERR_ARG &&
      contains(wl_last_error(nullptr), "wl_export_dense: model is NULL"));
  EXPECT_TRUE(wl_export_dense(m, nullptr) == WL_ERR_ARG &&
              contains(wl_last_error(m), "wl_export_dense: path is NULL"));
  EXPECT_TRUE(
      wl_export_dense(m, "/nonexistent-dir-wlrt/d.safetensors") == WL_ERR_IO &&
      contains(wl_last_error(m), "wl_export_dense: cannot create") &&
      contains(wl_last_error(m), "/nonexistent-dir-wlrt/d.safetensors"));
  std::string tmp = path + ".tmp." + tmpSuffix();
  EXPECT_TRUE(::mkdir(tmp.c_str(), 0755) == 0);
  EXPECT_TRUE(wl_export_dense(m, path.c_str()) == WL_ERR_IO &&
              contains(wl_last_error(m), path.c_str()));
  ::rmdir(tmp.c_str());
  EXPECT_TRUE(readAll(path) == file);
  EXPECT_TRUE(wl_export_dense(m, dir.c_str()) == WL_ERR_IO &&
              contains(wl_last_error(m), "rename"));
  const float Wn[6] = {1, 0, 0, 0, NAN, 0};
  EXPECT_TRUE(wl_set_param(m, "fc.weight", Wn) == WL_OK);
  EXPECT_TRUE(wl_export_dense(m, path.c_str()) == WL_ERR_NONFINITE &&
              contains(wl_last_error(m),
                       "layer 'fc' has a non-finite weight at [1, 1]"));
  EXPECT_TRUE(readAll(path) == file && !fileExists(tmp));
  EXPECT_TRUE(wl_set_param(m, "fc.weight", W) == WL_OK);
  const float bn[2] = {0, INFINITY};
  EXPECT_TRUE(wl_set_param(m, "fc.bias", bn) == WL_OK);
  EXPECT_TRUE(wl_export_dense(m, path.c_str()) == WL_ERR_NONFINITE &&
              contains(wl_last_error(m), "non-finite bias"));
  EXPECT_TRUE(readAll(path) == file && !fileExists(tmp));
  EXPECT_TRUE(fake_descriptor_errors == 0);
  wl_destroy(m);
  std::system(("rm -rf '" + dir + "'").c_str());
}
