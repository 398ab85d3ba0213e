//===- TestUtil.cpp - Shared helpers of the runtime's unit tests ----------===//
#include "TestUtil.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

std::string tmpSuffix() {
  return std::to_string(long(::getpid())) + "." +
         std::to_string(long(::gettid()));
}

bool contains(const char *hay, const char *needle) {
  return hay && std::strstr(hay, needle) != nullptr;
}

std::vector<char> arenaBytes(const wl_model *m) {
  const char *p = reinterpret_cast<const char *>(m->arena);
  return std::vector<char>(p, p + m->md->arenaSize * sizeof(float));
}

std::string tempDir() {
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

std::string readAll(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void writeAll(const std::string &path, const std::string &data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), std::streamsize(data.size()));
}

bool fileExists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<double> jacobiSigma(const std::vector<double> &a, int64_t rows,
                                int64_t cols) {
  const bool tall = rows >= cols;
  const int64_t m = tall ? rows : cols, n = tall ? cols : rows;
  std::vector<double> g(size_t(m * n)); // column j of G at g[j*m .. j*m + m)
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      if (tall)
        g[size_t(j * m + i)] = a[size_t(i * cols + j)];
      else
        g[size_t(i * m + j)] = a[size_t(i * cols + j)];
    }
  for (int sweep = 0; sweep < 100; ++sweep) {
    bool rotated = false;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        double *gp = &g[size_t(p * m)], *gq = &g[size_t(q * m)];
        double alpha = 0, beta = 0, gamma = 0;
        for (int64_t r = 0; r < m; ++r) {
          alpha += gp[r] * gp[r];
          beta += gq[r] * gq[r];
          gamma += gp[r] * gq[r];
        }
        if (gamma == 0.0 || std::fabs(gamma) <= 1e-15 * std::sqrt(alpha * beta))
          continue;
        rotated = true;
        double zeta = (beta - alpha) / (2 * gamma);
        double t = (zeta >= 0 ? 1.0 : -1.0) /
                   (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
        double c = 1 / std::sqrt(1 + t * t), sn = c * t;
        for (int64_t r = 0; r < m; ++r) {
          double x = gp[r], y = gq[r];
          gp[r] = c * x - sn * y;
          gq[r] = sn * x + c * y;
        }
      }
    if (!rotated)
      break;
  }
  std::vector<double> sigma(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) {
    double ss = 0;
    for (int64_t r = 0; r < m; ++r)
      ss += g[size_t(j * m + r)] * g[size_t(j * m + r)];
    sigma[size_t(j)] = std::sqrt(ss);
  }
  std::sort(sigma.begin(), sigma.end(),
            [](double x, double y) { return x > y; });
  return sigma;
}

std::vector<double> asDoubles(const std::vector<float> &w) {
  return std::vector<double>(w.begin(), w.end());
}

std::string sigmaText(const std::vector<double> &s) {
  std::string t;
  for (double x : s)
    t += std::to_string(x) + " ";
  return t;
}

std::string safetensorsFile(const std::vector<StTensor> &ts) {
  std::string h = "{\"__metadata__\":{\"format\":\"pt\"}";
  size_t pos = 0;
  for (const StTensor &t : ts) {
    h += ",\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i)
      h += (i ? "," : "") + std::to_string(t.shape[i]);
    h += "],\"data_offsets\":[" + std::to_string(pos) + "," +
         std::to_string(pos + t.bytes.size()) + "]}";
    pos += t.bytes.size();
  }
  h += "}";
  while (h.size() % 8)
    h += ' ';
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[size_t(i)] = char((uint64_t(h.size()) >> (8 * i)) & 0xff);
  out += h;
  for (const StTensor &t : ts)
    out += t.bytes;
  return out;
}

const std::vector<float> kW0 = {3.0f, 1.0f, 0.5f, -1.0f, 2.0f, 0.25f};

void writeBaseFile() {
  writeAll(
      kBaseFile,
      safetensorsFile({{"other", "F32", {2}, bytesOf(std::vector<float>{1, 2})},
                       {"ad.base", "F32", {2, 3}, bytesOf(kW0)}}));
}

int failedAssertions() {
  const testing::TestInfo *test =
      testing::UnitTest::GetInstance()->current_test_info();
  if (!test)
    return 0;
  const testing::TestResult *result = test->result();
  int failed = 0;
  for (int i = 0; i < result->total_part_count(); ++i)
    failed += result->GetTestPartResult(i).failed() ? 1 : 0;
  return failed;
}
