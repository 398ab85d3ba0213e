//===- Init.h - Deterministic parameter initialisation
//---------------------===//
//
// Counter-based generator (runtime/README.md, "Random numbers"): the value of
// element i of parameter p depends only on (seed, p, i) and the init kind.
//
//===----------------------------------------------------------------------===//
#ifndef WLRT_INIT_H
#define WLRT_INIT_H

#include "Metadata.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wlrt {

/// SplitMix64's output function (Steele, Lea, Flood 2014).
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

/// 64 random bits: draw `counter` of parameter `param`'s stream under `seed`.
inline uint64_t randomBits(uint64_t seed, uint64_t param, uint64_t counter) {
  uint64_t key = mix64(seed + kGolden * (param + 1));
  return mix64(key + kGolden * (counter + 1));
}

/// Uniform in the open interval (0, 1), 53-bit resolution.
inline double uniform01(uint64_t bits) {
  return (double(bits >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/// Standard normal for element `i` (Box–Muller, cosine branch, draws 2i, 2i+1).
double standardNormal(uint64_t seed, uint64_t param, uint64_t i);

/// Writes parameter `paramIndex`'s initial value into `out` (numel floats).
/// Throws std::bad_alloc on allocation failure (orthogonal init needs scratch).
/// Throws std::runtime_error naming the param, file and tensor when a "from"
/// init cannot be read.
void initParam(const ParamInfo &p, uint64_t seed, uint64_t paramIndex,
               float *out);

/// Reads tensor `tensor` of the safetensors file `path` (Checkpoint.cpp) into
/// `out` (row-major, numel floats): F32 as is, F64 rounded to nearest, F16 and
/// BF16 exactly. Its shape must equal `shape`. Reads only the header and that
/// tensor's bytes. Throws std::runtime_error("cannot read tensor 'T' from
/// 'PATH': <why>") on any failure (missing file or tensor, listing up to 8
/// names the file has; shape "[a, b] in the file vs [c, d] expected"; an
/// unsupported dtype; a malformed or truncated file), std::bad_alloc.
void readTensorFile(const std::string &path, const std::string &tensor,
                    const std::vector<int64_t> &shape, float *out);

} // namespace wlrt

#endif // WLRT_INIT_H
