//===- Init.cpp - Deterministic parameter initialisation
//-------------------===//
#include "Init.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace wlrt {

double standardNormal(uint64_t seed, uint64_t param, uint64_t i) {
  double u1 = uniform01(randomBits(seed, param, 2 * i));
  double u2 = uniform01(randomBits(seed, param, 2 * i + 1));
  const double twoPi = 6.283185307179586476925286766559;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(twoPi * u2);
}

namespace {

/// Orthonormalises the `count` vectors of length `len` in `v` (vector k at
/// v + k*stride... stored contiguously as rows here) by modified Gram–Schmidt
/// with one re-orthogonalisation pass ("twice is enough"). count <= len.
void orthonormaliseRows(std::vector<double> &v, int64_t count, int64_t len) {
  for (int64_t k = 0; k < count; ++k) {
    double *row = v.data() + k * len;
    for (int pass = 0; pass < 2; ++pass) {
      for (int64_t j = 0; j < k; ++j) {
        const double *q = v.data() + j * len;
        double dot = 0;
        for (int64_t e = 0; e < len; ++e)
          dot += q[e] * row[e];
        for (int64_t e = 0; e < len; ++e)
          row[e] -= dot * q[e];
      }
    }
    double nrm = 0;
    for (int64_t e = 0; e < len; ++e)
      nrm += row[e] * row[e];
    nrm = std::sqrt(nrm);
    if (!(nrm > 1e-300)) {
      // Numerically dependent draw (probability ~0): fall back to the first
      // unit vector orthogonal to the previous rows.
      for (int64_t c = 0; c < len; ++c) {
        for (int64_t e = 0; e < len; ++e)
          row[e] = e == c ? 1.0 : 0.0;
        for (int64_t j = 0; j < k; ++j) {
          const double *q = v.data() + j * len;
          double dot = q[c];
          for (int64_t e = 0; e < len; ++e)
            row[e] -= dot * q[e];
        }
        nrm = 0;
        for (int64_t e = 0; e < len; ++e)
          nrm += row[e] * row[e];
        nrm = std::sqrt(nrm);
        if (nrm > 1e-6)
          break;
      }
    }
    for (int64_t e = 0; e < len; ++e)
      row[e] /= nrm;
  }
}

} // namespace

void initParam(const ParamInfo &p, uint64_t seed, uint64_t paramIndex,
               float *out) {
  const int64_t n = p.numel;
  switch (p.init) {
  case InitKind::Zeros:
    for (int64_t i = 0; i < n; ++i)
      out[i] = 0.0f;
    return;
  case InitKind::Ones:
    for (int64_t i = 0; i < n; ++i)
      out[i] = 1.0f;
    return;
  case InitKind::Normal:
    for (int64_t i = 0; i < n; ++i)
      out[i] =
          float(p.initValue * standardNormal(seed, paramIndex, uint64_t(i)));
    return;
  case InitKind::Uniform:
    for (int64_t i = 0; i < n; ++i)
      out[i] = float(
          p.initValue *
          (2.0 * uniform01(randomBits(seed, paramIndex, uint64_t(i))) - 1.0));
    return;
  case InitKind::From:
    // The tensor from a safetensors file; the seed plays no part. Failures
    // throw, so wl_create returns NULL with this message.
    try {
      if (p.initTransposed) {
        // The file holds the [n, m] transpose of this [m, n] matrix.
        const int64_t rows = p.shape[0], cols = p.shape[1];
        std::vector<float> file(static_cast<size_t>(n));
        readTensorFile(p.initFile, p.initTensor, {cols, rows}, file.data());
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c)
            out[r * cols + c] = file[size_t(c * rows + r)];
      } else {
        readTensorFile(p.initFile, p.initTensor, p.shape, out);
      }
    } catch (const std::runtime_error &e) {
      throw std::runtime_error("param '" + p.name + "': " + e.what());
    }
    return;
  case InitKind::Orthogonal: {
    // View as [rows, cols] with rows = shape[0] (1 for a scalar/vector of rank
    // 0/1 is treated as a single row). Orthonormal rows when rows <= cols, else
    // orthonormal columns, from a standard normal matrix in row-major order.
    int64_t rows = p.shape.size() >= 2 ? p.shape[0] : 1;
    int64_t cols = n / rows;
    bool byRows = rows <= cols;
    int64_t count = byRows ? rows : cols, len = byRows ? cols : rows;
    std::vector<double> v(size_t(count * len));
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        double z = standardNormal(seed, paramIndex, uint64_t(r * cols + c));
        if (byRows)
          v[size_t(r * cols + c)] = z;
        else
          v[size_t(c * rows + r)] = z;
      }
    orthonormaliseRows(v, count, len);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        out[r * cols + c] =
            float(byRows ? v[size_t(r * cols + c)] : v[size_t(c * rows + r)]);
    return;
  }
  }
}

} // namespace wlrt
