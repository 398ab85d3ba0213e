//===- CertificateTest.cpp - Spectral and Lipschitz bounds ----------------===//
//
// Gram iteration against power iteration, and wl_lipschitz_bound over
// "lipschitz" graphs other than the fake model's.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "Metadata.h"
#include "TestUtil.h"

#include <algorithm>
#include <cmath>

/// σ_max by power iteration on WᵀW in double, run to convergence.
static double powerSigma(const std::vector<float> &w, int rows, int cols) {
  std::vector<double> a(size_t(cols * cols), 0.0);
  for (int i = 0; i < cols; ++i)
    for (int j = 0; j < cols; ++j)
      for (int k = 0; k < rows; ++k)
        a[size_t(i * cols + j)] +=
            double(w[size_t(k * cols + i)]) * w[size_t(k * cols + j)];
  std::vector<double> v(static_cast<size_t>(cols)),
      nv(static_cast<size_t>(cols));
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

TEST(Certificate, Gram) {
  // Random matrices of several shapes: the bound is >= σ_max.
  int shapes[][2] = {{2, 3},  {3, 2},  {1, 5},   {5, 1},    {8, 8},
                     {20, 7}, {7, 20}, {64, 48}, {300, 37}, {37, 300}};
  uint64_t seed = 1;
  for (auto &s : shapes) {
    int r = s[0], c = s[1];
    std::vector<float> w(size_t(r * c));
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = float(wlrt::standardNormal(seed, 0, i));
    ++seed;
    double sigma = powerSigma(w, r, c);
    double bound = wlrt::gramSpectralBound(w.data(), r, c);
    EXPECT_TRUE(bound >= sigma) << std::to_string(r) + "x" + std::to_string(c) +
                                       ": bound " + std::to_string(bound) +
                                       " < sigma " + std::to_string(sigma);
    // Gram iteration overestimates by at most min(r, c)^(1/128).
    EXPECT_TRUE(bound <= sigma * std::pow(double(std::min(r, c)), 1.0 / 128) *
                             (1 + 1e-5));
  }
  // Rank one: exact up to the margin.
  std::vector<float> u = {1, 2, 2}, v = {3, 4};
  std::vector<float> w(6);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j)
      w[size_t(i * 2 + j)] = u[size_t(i)] * v[size_t(j)];
  double b1 = wlrt::gramSpectralBound(w.data(), 3, 2);
  EXPECT_TRUE(b1 >= 15.0 && b1 <= 15.0 * (1 + 2e-6)) << std::to_string(b1);
  std::vector<float> zero(12, 0.0f);
  EXPECT_TRUE(wlrt::gramSpectralBound(zero.data(), 3, 4) == 0.0);
  std::vector<float> bad = {1, NAN, 0, 1};
  EXPECT_TRUE(std::isnan(wlrt::gramSpectralBound(bad.data(), 2, 2)));
  EXPECT_TRUE(wlrt::gramRoundingMargin(4096, 4096) < 1e-5);

  // Through the ABI on the fake model's 2x3 layer.
  wl_model *m = wl_create(2);
  EXPECT_TRUE(m);
  if (!m)
    return;
  const float W[6] = {0.8f, -0.3f, 0.1f, 0.2f, 0.4f, -0.5f};
  EXPECT_TRUE(wl_set_param(m, "fc.weight", W) == WL_OK);
  double sigma = powerSigma(std::vector<float>(W, W + 6), 2, 3);
  double lb = wl_layer_spectral_bound(m, "fc");
  EXPECT_TRUE(lb >= sigma && lb <= sigma * (1 + 1e-3))
      << "bound " + std::to_string(lb) + " sigma " + std::to_string(sigma);
  double lip = wl_lipschitz_bound(m); // |-2| * (L_fc + 1)
  EXPECT_TRUE(std::fabs(lip - 2.0 * (lb + 1.0)) <= 1e-12 * lip)
      << std::to_string(lip);
  float Wn[6] = {1, 0, 0, 0, NAN, 0};
  EXPECT_TRUE(wl_set_param(m, "fc.weight", Wn) == WL_OK);
  EXPECT_TRUE(wl_layer_spectral_bound(m, "fc") == -1.0 &&
              contains(wl_last_error(m), "non-finite"));
  EXPECT_TRUE(wl_lipschitz_bound(m) == -1.0);
  wl_destroy(m);
}

/// wl_lipschitz_bound on graphs other than the fake model's: the model's
/// metadata pointer is swapped for a copy with another "lipschitz" graph (over
/// the same layer "fc").
TEST(Certificate, LipschitzGraph) {
  wl_model *m = wl_create(3);
  EXPECT_TRUE(m);
  if (!m)
    return;
  const float W[6] = {0.8f, -0.3f, 0.1f, 0.2f, 0.4f, -0.5f};
  EXPECT_TRUE(wl_set_param(m, "fc.weight", W) == WL_OK);
  const double L = wl_layer_spectral_bound(m, "fc");
  EXPECT_TRUE(L > 0);
  const wlrt::Metadata *orig = m->md;
  auto graphOf = [&](const std::string &nodes) {
    std::string json =
        R"({"abi":1,"model":"g","input_size":3,"output_size":2,"label_kind":0,)"
        R"("arena_size":6,"params":[{"name":"w","shape":[2,3],"offset":0,)"
        R"("trainable":false,"init":{"kind":"zeros"}}],"layers":[{"name":"fc",)"
        R"("in":3,"out":2,"structure":"dense","bound":"gram","weight":"w"}],"lipschitz":[)" +
        nodes + "]}";
    wlrt::Metadata g = wlrt::parseMetadata(json.c_str());
    EXPECT_TRUE(g.ok) << g.error;
    return g.lipschitz;
  };
  auto boundOf = [&](const std::string &nodes) {
    wlrt::Metadata md =
        *orig; // same params and layers ("fc" is layer 0 in both)
    md.lipschitz = graphOf(nodes);
    m->md = &md;
    double b = wl_lipschitz_bound(m);
    m->md = orig;
    return b;
  };
  auto near = [](double a, double b) {
    return std::fabs(a - b) <= 1e-12 * std::fabs(b);
  };

  // One residual block, out = x + 0.5·fc(x), then a second one reusing "fc".
  double r1 = boundOf(
      R"({"op":"input"},{"op":"layer","layer":"fc","arg":0},)"
      R"({"op":"scale","factor":0.5,"arg":1},{"op":"add","args":[0,2]})");
  EXPECT_TRUE(near(r1, 1 + 0.5 * L)) << std::to_string(r1);
  // A diamond: both arguments of an add are the same node; the output is not
  // the widest node.
  double d = boundOf(
      R"({"op":"input"},{"op":"layer","layer":"fc","arg":0},{"op":"add","args":[1,1]},)"
      R"({"op":"scale","factor":-3,"arg":0})");
  EXPECT_TRUE(near(d, 3.0)) << std::to_string(d);
  // An n-ary add and a zero factor.
  double z = boundOf(
      R"({"op":"input"},{"op":"layer","layer":"fc","arg":0},{"op":"scale","factor":0,"arg":1},)"
      R"({"op":"add","args":[0,1,2,1]})");
  EXPECT_TRUE(near(z, 1 + 2 * L)) << std::to_string(z);
  // A chain of 200 residual blocks: linear in the array form (a tree would
  // have 2^200 leaves). Each block: h' = h + 0.5·fc(h).
  std::string chain = R"({"op":"input"})";
  int last = 0;
  for (int b = 0; b < 200; ++b) {
    chain +=
        R"(,{"op":"layer","layer":"fc","arg":)" + std::to_string(last) + "}";
    chain += R"(,{"op":"scale","factor":0.5,"arg":)" +
             std::to_string(last + 1) + "}";
    chain += R"(,{"op":"add","args":[)" + std::to_string(last) + "," +
             std::to_string(last + 2) + "]}";
    last += 3;
  }
  double c = boundOf(chain);
  double want = 1;
  for (int b = 0; b < 200; ++b)
    want += 0.5 * L * want;
  EXPECT_TRUE(near(c, want))
      << std::to_string(c) + " vs " + std::to_string(want);
  // A lone input node: the identity.
  EXPECT_TRUE(boundOf(R"({"op":"input"})") == 1.0);
  // Errors inside the graph still fail the whole bound.
  float Wn[6] = {1, 0, 0, 0, NAN, 0};
  EXPECT_TRUE(wl_set_param(m, "fc.weight", Wn) == WL_OK);
  EXPECT_TRUE(boundOf(chain) == -1.0 &&
              contains(wl_last_error(m), "non-finite"));
  EXPECT_TRUE(boundOf(R"({"op":"input"},{"op":"scale","factor":2,"arg":0})") ==
              2.0); // no layer: fine
  // No graph at all.
  {
    wlrt::Metadata md = *orig;
    md.hasLipschitz = false;
    md.lipschitz.clear();
    m->md = &md;
    EXPECT_TRUE(wl_lipschitz_bound(m) == -1.0 &&
                contains(wl_last_error(m), "no lipschitz graph"));
    m->md = orig;
  }
  wl_destroy(m);
}
