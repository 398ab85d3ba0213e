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

namespace {

/// A model of its own metadata and arena (no generated code: every layer is
/// dense, so the certificate reads the weights from the arena).
struct GraphModel {
  wlrt::Metadata md;
  std::vector<float> arena;
  wl_model m;

  /// `params`: name -> (shape, values); `layers` and `nodes`: JSON text.
  GraphModel(
      const std::string &header,
      const std::vector<std::pair<
          std::string, std::pair<std::vector<int64_t>, std::vector<float>>>>
          &params,
      const std::string &layers, const std::string &nodes) {
    std::string ps;
    int64_t offset = 0;
    for (const auto &[name, p] : params) {
      ps += std::string(ps.empty() ? "" : ",") + R"({"name":")" + name +
            R"(","shape":[)";
      for (size_t i = 0; i < p.first.size(); ++i)
        ps += (i ? "," : "") + std::to_string(p.first[i]);
      ps += R"(],"offset":)" + std::to_string(offset) +
            R"(,"trainable":false,"init":{"kind":"zeros"}})";
      arena.insert(arena.end(), p.second.begin(), p.second.end());
      offset += int64_t(p.second.size());
    }
    std::string json = R"({"abi":1,"model":"g","label_kind":0,)" + header +
                       R"(,"arena_size":)" + std::to_string(offset) +
                       R"(,"params":[)" + ps + R"(],"layers":[)" + layers +
                       R"(],"lipschitz":[)" + nodes + "]}";
    md = wlrt::parseMetadata(json.c_str());
    EXPECT_TRUE(md.ok) << md.error;
  }
  double bound() {
    m.md = &md;
    m.arena = arena.data();
    return wl_lipschitz_bound(&m);
  }
};

std::string layerJson(const std::string &name, int in, int out,
                      const std::string &bias = "",
                      const std::string &kind = "linear") {
  return R"({"name":")" + name + R"(","in":)" + std::to_string(in) +
         R"(,"out":)" + std::to_string(out) +
         R"(,"structure":"dense","bound":"gram","kind":")" + kind +
         R"(","weight":")" + name + R"(.weight","bias":")" + bias + "\"}";
}

bool close(double got, double want, double rel = 1e-5) {
  return got >= want && got <= want * (1 + rel);
}

} // namespace

/// A token model's attention block against the rules computed here from
/// exactly known norms (diagonal weights): embedding rows, positions,
/// per-head slices of q/k/v layers with biases, the residual, rms_norm,
/// sigmoid's magnitude, mean_pool (ALGORITHMS.md, "Certificates of sequence
/// models").
TEST(Certificate, SequenceGraph) {
  const std::string header =
      R"("input_size":3,"output_size":2,"input_kind":1,"token_limit":4,)"
      R"("input_shape":[3],"sequence_length":3)";
  // E rows: norms 5, 1, 2, 1. P rows: norms 0.5, 1.5, 1, 9 (row 3 unused: T =
  // 3).
  std::vector<float> E = {3, 4, 1, 0, 0, 2, 0.6f, 0.8f};
  std::vector<float> P = {0.5f, 0, 0, 1.5f, 1, 0, 9, 0};
  std::vector<float> Wq = {2, 0, 0, 0.5f}, bq = {0.1f, -0.2f};
  std::vector<float> Wk = {1, 0, 0, 3}, Wv = {0.25f, 0, 0, 1};
  std::string layers = layerJson("E", 2, 4, "", "embedding") + "," +
                       layerJson("P", 2, 4, "", "embedding") + "," +
                       layerJson("q", 2, 2, "q.bias") + "," +
                       layerJson("k", 2, 2) + "," + layerJson("v", 2, 2);
  std::string block =
      R"({"op":"input","norm":"row","length":3},)"
      R"({"op":"embedding","layer":"E","arg":0},)"
      R"({"op":"positions","length":3},)"
      R"({"op":"embedding","layer":"P","arg":2},)"
      R"({"op":"add","args":[1,3]},)"
      R"({"op":"layer","layer":"q","arg":4},)"
      R"({"op":"layer","layer":"k","arg":4},)"
      R"({"op":"layer","layer":"v","arg":4},)"
      R"({"op":"attention","args":[5,6,7],"heads":2,"scale":0.5},)"
      R"({"op":"add","args":[4,8]})";
  auto model = [&](const std::string &tail) {
    return GraphModel(header,
                      {{"E.weight", {{4, 2}, E}},
                       {"P.weight", {{4, 2}, P}},
                       {"q.weight", {{2, 2}, Wq}},
                       {"q.bias", {{2}, bq}},
                       {"k.weight", {{2, 2}, Wk}},
                       {"v.weight", {{2, 2}, Wv}}},
                      layers, block + tail);
  };
  // x = E(ids) + P(positions): M = 5 + 1.5, L = 1.
  const double mx = 6.5, lx = 1.0, s = 0.5;
  // Per head h, the slices of q, k, v are rows h of the diagonal weights.
  const double wq[2] = {2, 0.5}, bqh[2] = {0.1, 0.2}, wk[2] = {1, 3},
               wv[2] = {0.25, 1};
  double l2 = 0, mv2 = 0;
  for (int h = 0; h < 2; ++h) {
    double mq = wq[h] * mx + bqh[h], lq = wq[h] * lx;
    double mk = wk[h] * mx, lk = wk[h] * lx;
    double mv = wv[h] * mx, lv = wv[h] * lx;
    double lh = lv + s * (lq * mk + mq * lk) * mv;
    l2 += lh * lh;
    mv2 += mv * mv;
  }
  const double attL = std::sqrt(l2), attM = std::sqrt(mv2);
  {
    GraphModel g = model("");
    double b = g.bound();
    EXPECT_TRUE(close(b, lx + attL)) << b << " vs " << lx + attL;
  }
  // rms_norm (eps 0.25: L times 2, M = √2), sigmoid (1/4; M = min(M/4 +
  // √2/2, √2)), then mean_pool and a second attention over v = the sigmoid:
  // its magnitude must be the sigmoid's, not M/4.
  {
    GraphModel g = model(
        R"(,{"op":"row_norm","kind":"rms","eps":0.25,"width":2,"arg":9},)"
        R"({"op":"activation","factor":0.25,"magnitude":"sigmoid","width":2,"arg":10},)"
        R"({"op":"attention","args":[11,11,11],"heads":1,"scale":2},)"
        R"({"op":"mean_pool","arg":12})");
    double l10 = 2 * (lx + attL), m10 = std::sqrt(2.0);
    double l11 = 0.25 * l10,
           m11 = std::min(m10 / 4 + std::sqrt(2.0) / 2, std::sqrt(2.0));
    double want = l11 + 2 * (l11 * m11 + m11 * l11) * m11;
    double b = g.bound();
    EXPECT_TRUE(close(b, want)) << b << " vs " << want;
  }
  // Flattening [3, 2] into one vector: √3; magnitudes ride along: an
  // attention on the flattened residual uses M = √3·(M_x + M_att).
  {
    GraphModel g =
        model(R"(,{"op":"flatten","length":3,"arg":9},)"
              R"({"op":"attention","args":[10,10,10],"heads":1,"scale":1})");
    double l = std::sqrt(3.0) * (lx + attL), m = std::sqrt(3.0) * (mx + attM);
    double want = l + (l * m + m * l) * m;
    double b = g.bound();
    EXPECT_TRUE(close(b, want)) << b << " vs " << want;
  }
  // Attention with keys and queries independent of the input (positions
  // only): the scores are constant, so L = √H·L_v (heads may attend to
  // different positions).
  {
    GraphModel g =
        model(R"(,{"op":"attention","args":[3,3,1],"heads":2,"scale":3})");
    double b = g.bound();
    EXPECT_TRUE(close(b, std::sqrt(2.0))) << b;
  }
  // An activation without a magnitude rule before attention: +inf, with
  // the reason; not an error.
  {
    GraphModel g = model(
        R"(,{"op":"activation","factor":1,"magnitude":"none","width":2,"arg":9},)"
        R"({"op":"attention","args":[10,10,10],"heads":1,"scale":1})");
    g.m.lastError.clear();
    double b = g.bound();
    EXPECT_TRUE(std::isinf(b) && b > 0) << b;
    EXPECT_TRUE(
        contains(g.m.lastError.c_str(), "no finite magnitude bound") &&
        contains(g.m.lastError.c_str(), "activation without a magnitude"))
        << g.m.lastError;
  }
  // A NaN in the bias of a head: an error, not a bound.
  {
    GraphModel g = model("");
    g.arena[20] = NAN; // q.bias[0]: after E, P, q.weight
    EXPECT_TRUE(g.bound() == -1.0 &&
                contains(g.m.lastError.c_str(), "non-finite"))
        << g.m.lastError;
  }
}

/// A float sequence input: its declared row domain is the magnitude (times
/// 1 + 1e-6); without one, attention on it is +inf with the reason.
TEST(Certificate, SequenceInputDomain) {
  std::vector<float> W = {1, 0, 0, 0.5f}; // σ = 1, and Gram is exact
  auto model = [&](const std::string &domain, const std::string &nodes) {
    return GraphModel(R"("input_size":6,"output_size":6,"input_shape":[3,2],)"
                      R"("sequence_length":3)" +
                          domain,
                      {{"fc.weight", {{2, 2}, W}}}, layerJson("fc", 2, 2),
                      nodes);
  };
  const std::string att =
      R"({"op":"input","norm":"row","length":3},)"
      R"({"op":"attention","args":[0,0,0],"heads":1,"scale":0.5})";
  {
    GraphModel g =
        model(R"(,"input_domain":{"norm":"row","bound":2,"row_size":2})", att);
    double m = 2 * (1 + 1e-6), want = 1 + 0.5 * (2 * m) * m;
    double b = g.bound();
    EXPECT_TRUE(close(b, want, 1e-12)) << b << " vs " << want;
  }
  {
    GraphModel g = model("", att);
    double b = g.bound();
    EXPECT_TRUE(std::isinf(b) && b > 0) << b;
    EXPECT_TRUE(contains(g.m.lastError.c_str(), "no declared domain") &&
                contains(g.m.lastError.c_str(), "node 1"))
        << g.m.lastError;
  }
  // Without attention no magnitude is needed: an undeclared input is fine.
  {
    GraphModel g = model("", R"({"op":"input","norm":"row","length":3},)"
                             R"({"op":"layer","layer":"fc","arg":0},)"
                             R"({"op":"flatten","length":3,"arg":1})");
    double b = g.bound();
    EXPECT_TRUE(close(b, std::sqrt(3.0))) << b;
  }
  // The same domain seen from an l2-measured input: M = c·√(rows).
  {
    GraphModel g = model(
        R"(,"input_domain":{"norm":"row","bound":2,"row_size":2})",
        R"({"op":"input"},{"op":"attention","args":[0,0,0],"heads":1,"scale":1})");
    double m = 2 * (1 + 1e-6) * std::sqrt(3.0), want = 1 + 2 * m * m;
    double b = g.bound();
    EXPECT_TRUE(close(b, want, 1e-12)) << b << " vs " << want;
  }
}

/// Malformed sequence nodes are invalid metadata.
TEST(Certificate, SequenceNodesInvalid) {
  auto parse = [](const std::string &nodes) {
    std::string json =
        R"({"abi":1,"model":"g","input_size":2,"output_size":2,"label_kind":0,)"
        R"("arena_size":8,"params":[{"name":"E.weight","shape":[4,2],"offset":0,)"
        R"("trainable":false,"init":{"kind":"zeros"}}],"layers":[{"name":"E",)"
        R"("in":2,"out":4,"structure":"dense","bound":"gram","kind":"embedding",)"
        R"("weight":"E.weight"}],"lipschitz":[)" +
        nodes + "]}";
    return wlrt::parseMetadata(json.c_str());
  };
  EXPECT_TRUE(parse(R"({"op":"positions","length":2},)"
                    R"({"op":"embedding","layer":"E","arg":0})")
                  .ok);
  struct Case {
    const char *nodes, *error;
  } cases[] = {
      {R"({"op":"input"},{"op":"embedding","layer":"E","arg":0})",
       "reads the token input or positions"},
      {R"({"op":"input"},{"op":"layer","layer":"E","arg":0})",
       "is an embedding"},
      {R"({"op":"input"},{"op":"attention","args":[0,0],"heads":1,"scale":1})",
       "[q, k, v]"},
      {R"({"op":"input"},{"op":"attention","args":[0,0,0],"heads":0,"scale":1})",
       "\"heads\" must be >= 1"},
      {R"({"op":"input"},{"op":"activation","factor":1,"magnitude":"big","width":2,"arg":0})",
       "\"magnitude\""},
      {R"({"op":"input"},{"op":"row_norm","kind":"rms","eps":0,"width":2,"arg":0})",
       "\"eps\" must be > 0"},
      {R"({"op":"input"},{"op":"flatten","length":0,"arg":0})",
       "\"length\" must be >= 1"},
      {R"({"op":"input","norm":"row","length":3})", "does not divide"},
  };
  for (const Case &c : cases) {
    wlrt::Metadata md = parse(c.nodes);
    EXPECT_TRUE(!md.ok && contains(md.error.c_str(), c.error))
        << c.nodes << ": " << md.error;
  }
}
