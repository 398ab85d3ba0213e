//===- TokenApiTest.cpp - The C ABI on the fake token model ---------------===//
//
// wl-runtime-unit-token (FakeTokenModel.c: input_kind 1, T = 4, V = 5,
// per-position labels): the sequence queries, int32 ids through every
// entry point, refused ids and labels (named by example and position, the
// model unchanged and the generated code not called), wl_backward's dx that
// must be NULL, and the embedding in checkpoints and the merged export.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "Metadata.h"
#include "TestUtil.h"

#include <cmath>
#include <cstring>

extern "C" int fake_calls;

namespace {

constexpr int kT = 4, kV = 5, kD = 2, kC = 3;

// E [5, 2] and head [3, 2], exact in float, so the expected values are exact.
const float kE[kV * kD] = {1, 0, 0, 1, 1, 1, -1, 2, 0.5f, -0.5f};
const float kH[kC * kD] = {1, 0, 0, 1, 2, -1};

/// A model with kE and kH; nullptr (after a failure) if it cannot be made.
wl_model *makeModel() {
  wl_model *m = wl_create(3);
  EXPECT_TRUE(m) << wl_last_error(nullptr);
  if (m && (wl_set_param(m, "E.weight", kE) != WL_OK ||
            wl_set_param(m, "head.weight", kH) != WL_OK)) {
    ADD_FAILURE() << wl_last_error(m);
    wl_destroy(m);
    return nullptr;
  }
  return m;
}

/// The model's logits for ids [batch, T], computed here.
std::vector<float> expectedLogits(const int32_t *ids, int batch) {
  std::vector<float> y;
  for (int p = 0; p < batch * kT; ++p)
    for (int c = 0; c < kC; ++c)
      y.push_back(kH[c * kD] * kE[ids[p] * kD] +
                  kH[c * kD + 1] * kE[ids[p] * kD + 1]);
  return y;
}

} // namespace

TEST(Token, Queries) {
  EXPECT_EQ(wl_input_kind(), 1);
  EXPECT_EQ(wl_sequence_length(), kT);
  EXPECT_EQ(wl_label_size(), kT);
  EXPECT_EQ(wl_input_size(), kT);
  EXPECT_EQ(wl_output_size(), kT * kC);
  EXPECT_EQ(wl_label_kind(), 0);
  const wlrt::Metadata &md = wlrt::metadata();
  EXPECT_TRUE(md.ok) << md.error;
  EXPECT_EQ(md.tokenLimit, kV);
  EXPECT_TRUE(md.inputShape == std::vector<int64_t>{kT});
  EXPECT_TRUE((md.outputShape == std::vector<int64_t>{kT, kC}));
  EXPECT_EQ(md.numClasses(), kC);
  EXPECT_TRUE(md.layers.size() == 2 &&
              md.layers[0].kind == wlrt::LayerKind::Embedding &&
              md.layers[1].kind == wlrt::LayerKind::Linear);
  EXPECT_TRUE(!md.inputDomain.present);
}

TEST(Token, ForwardBackwardTrain) {
  wl_model *m = makeModel();
  if (!m)
    return;
  const int32_t ids[2 * kT] = {0, 1, 2, 3, 4, 4, 0, 2};
  float y[2 * kT * kC];
  EXPECT_TRUE(wl_forward(m, ids, 2, y) == WL_OK) << wl_last_error(m);
  std::vector<float> want = expectedLogits(ids, 2);
  EXPECT_TRUE(std::memcmp(y, want.data(), sizeof y) == 0);

  // dy = 1 on class 0 of every position: dE[id] += head[0] = (1, 0) per use,
  // dhead[0] += the sum of the looked-up rows.
  float dy[2 * kT * kC] = {0};
  for (int p = 0; p < 2 * kT; ++p)
    dy[p * kC] = 1;
  EXPECT_TRUE(wl_backward(m, ids, dy, 2, nullptr) == WL_OK) << wl_last_error(m);
  float gE[kV * kD], gH[kC * kD];
  EXPECT_TRUE(wl_get_grad(m, "E.weight", gE) == WL_OK &&
              wl_get_grad(m, "head.weight", gH) == WL_OK);
  const float uses[kV] = {2, 1, 2, 1, 2}; // how often each id occurs
  for (int v = 0; v < kV; ++v)
    EXPECT_TRUE(gE[v * kD] == uses[v] && gE[v * kD + 1] == 0) << v;
  float sum0 = 0, sum1 = 0;
  for (int p = 0; p < 2 * kT; ++p) {
    sum0 += kE[ids[p] * kD];
    sum1 += kE[ids[p] * kD + 1];
  }
  EXPECT_TRUE(gH[0] == sum0 && gH[1] == sum1 && gH[2] == 0 && gH[5] == 0);

  // Per-position labels [batch, T]: the loss of the fake (mean cross entropy
  // over the positions) decreases under training.
  const int32_t labels[2 * kT] = {0, 1, 2, 0, 1, 2, 0, 1};
  float first = 0, last = 0;
  EXPECT_TRUE(wl_loss(m, ids, labels, 2, &first) == WL_OK) << wl_last_error(m);
  EXPECT_TRUE(std::isfinite(first) && first > 0);
  for (int s = 0; s < 50; ++s)
    EXPECT_TRUE(wl_train_step(m, ids, labels, 2, &last) == WL_OK)
        << wl_last_error(m);
  EXPECT_TRUE(wl_loss(m, ids, labels, 2, &last) == WL_OK);
  EXPECT_TRUE(last < 0.5f * first)
      << std::to_string(first) + " -> " + std::to_string(last);
  EXPECT_EQ(wl_step_count(m), 50);
  EXPECT_EQ(fake_descriptor_errors, 0);
  wl_destroy(m);
}

/// Ids outside [0, token_limit) are refused before any generated code runs:
/// WL_ERR_ARG naming the function, example, position and id; the arena
/// (parameters, grads) and the step count stay bit for bit as they were.
TEST(Token, IdRange) {
  wl_model *m = makeModel();
  if (!m)
    return;
  const int32_t good[2 * kT] = {0, 1, 2, 3, 4, 4, 0, 2};
  const int32_t labels[2 * kT] = {0};
  float y[2 * kT * kC], dy[2 * kT * kC] = {0}, loss = -1;
  // One successful training step first, so grads and parameters are nonzero.
  EXPECT_TRUE(wl_train_step(m, good, labels, 2, &loss) == WL_OK);
  const std::vector<char> before = arenaBytes(m);
  const int calls = fake_calls;
  struct Bad {
    int at;
    int32_t id;
    const char *where;
  };
  for (Bad b : {Bad{7, 5, "token id 5 at example 1, position 3"},
                Bad{0, -1, "token id -1 at example 0, position 0"},
                Bad{5, 70, "token id 70 at example 1, position 1"},
                // The bits of a float NaN: an id, never read as a float.
                Bad{2, 0x7fc00000,
                    "token id 2143289344 at example 0, "
                    "position 2"}}) {
    int32_t ids[2 * kT];
    std::memcpy(ids, good, sizeof ids);
    ids[b.at] = b.id;
    const std::string tail = std::string(b.where) + " is outside [0, 5)";
    EXPECT_TRUE(wl_forward(m, ids, 2, y) == WL_ERR_ARG);
    EXPECT_EQ(std::string(wl_last_error(m)), "wl_forward: " + tail);
    EXPECT_TRUE(wl_loss(m, ids, labels, 2, &loss) == WL_ERR_ARG);
    EXPECT_EQ(std::string(wl_last_error(m)), "wl_loss: " + tail);
    EXPECT_TRUE(wl_train_step(m, ids, labels, 2, &loss) == WL_ERR_ARG);
    EXPECT_EQ(std::string(wl_last_error(m)), "wl_train_step: " + tail);
    EXPECT_TRUE(wl_backward(m, ids, dy, 2, nullptr) == WL_ERR_ARG);
    EXPECT_EQ(std::string(wl_last_error(m)), "wl_backward: " + tail);
  }
  EXPECT_TRUE(arenaBytes(m) == before);
  EXPECT_EQ(fake_calls, calls);
  EXPECT_EQ(wl_step_count(m), 1);
  EXPECT_EQ(fake_descriptor_errors, 0);
  wl_destroy(m);
}

/// Token ids have no gradient: wl_backward's dx must be NULL.
TEST(Token, BackwardDxMustBeNull) {
  wl_model *m = makeModel();
  if (!m)
    return;
  const int32_t ids[kT] = {0, 1, 2, 3};
  float dy[kT * kC] = {1}, dx[kT] = {0};
  const std::vector<char> before = arenaBytes(m);
  EXPECT_TRUE(wl_backward(m, ids, dy, 1, dx) == WL_ERR_ARG);
  EXPECT_EQ(std::string(wl_last_error(m)),
            "wl_backward: dx must be NULL for a token model (token ids have "
            "no gradient)");
  EXPECT_TRUE(arenaBytes(m) == before);
  EXPECT_TRUE(wl_backward(m, ids, dy, 1, nullptr) == WL_OK);
  EXPECT_TRUE(arenaBytes(m) != before); // grads accumulated
  wl_destroy(m);
}

/// Per-position class labels: batch·T values, each in [0, classes) with
/// classes = the last dim of output_shape (3), named by example and position.
TEST(Token, LabelRange) {
  wl_model *m = makeModel();
  if (!m)
    return;
  const int32_t ids[2 * kT] = {0, 1, 2, 3, 4, 4, 0, 2};
  int32_t labels[2 * kT] = {0, 1, 2, 0, 1, 2, 0, 1};
  const std::vector<char> before = arenaBytes(m);
  float loss = -1;
  labels[6] = 3; // example 1, position 2: one past the classes
  EXPECT_TRUE(wl_train_step(m, ids, labels, 2, &loss) == WL_ERR_ARG);
  EXPECT_EQ(std::string(wl_last_error(m)),
            "wl_train_step: label 3 at example 1, position 2 is outside [0, "
            "3)");
  labels[6] = 0;
  labels[7] = -2; // the very last label is checked too
  EXPECT_TRUE(wl_loss(m, ids, labels, 2, &loss) == WL_ERR_ARG);
  EXPECT_EQ(std::string(wl_last_error(m)),
            "wl_loss: label -2 at example 1, position 3 is outside [0, 3)");
  EXPECT_TRUE(arenaBytes(m) == before && wl_step_count(m) == 0);
  labels[7] = 2;
  EXPECT_TRUE(wl_loss(m, ids, labels, 2, &loss) == WL_OK) << wl_last_error(m);
  EXPECT_EQ(fake_descriptor_errors, 0);
  wl_destroy(m);
}

/// The embedding is an ordinary parameter in checkpoints, and the merged
/// export writes it as "E.weight" [V, d], nn.Embedding's layout.
TEST(Token, CheckpointAndExport) {
  wl_model *m = makeModel();
  if (!m)
    return;
  const std::string dir = tempDir();
  const std::string ckpt = dir + "/tok.safetensors",
                    dense = dir + "/dense.safetensors";
  EXPECT_TRUE(wl_save(m, ckpt.c_str()) == WL_OK) << wl_last_error(m);
  EXPECT_TRUE(wl_export_dense(m, dense.c_str()) == WL_OK) << wl_last_error(m);
  float e[kV * kD], h[kC * kD], w[kV * kD];
  bool ok = true;
  try {
    wlrt::readTensorFile(ckpt, "E.weight", {kV, kD}, e);
    wlrt::readTensorFile(dense, "E.weight", {kV, kD}, w);
    wlrt::readTensorFile(dense, "head.weight", {kC, kD}, h);
  } catch (const std::exception &ex) {
    ok = false;
    ADD_FAILURE() << ex.what();
  }
  if (ok) {
    EXPECT_TRUE(std::memcmp(e, kE, sizeof e) == 0);
    EXPECT_TRUE(std::memcmp(w, kE, sizeof w) == 0);
    EXPECT_TRUE(std::memcmp(h, kH, sizeof h) == 0);
  }
  EXPECT_TRUE(readAll(dense).find("E.bias") == std::string::npos);
  wl_model *r = wl_create(9);
  EXPECT_TRUE(r && wl_load(r, ckpt.c_str()) == WL_OK);
  if (r) {
    EXPECT_TRUE(arenaBytes(r) == arenaBytes(m));
  }
  wl_destroy(r);
  wl_destroy(m);
  std::system(("rm -rf '" + dir + "'").c_str());
}

/// The _device forms of a CPU library still answer WL_ERR_DEVICE for int32 x.
TEST(Token, DeviceEntryPointsOnCpu) {
  wl_model *m = makeModel();
  if (!m)
    return;
  const int32_t ids[kT] = {0, 1, 2, 3};
  float y[kT * kC];
  EXPECT_TRUE(wl_forward_device(m, ids, 1, y) == WL_ERR_DEVICE);
  wl_destroy(m);
}
