//===- Metadata.h - The model description the generated code provides
//------===//
//
// wlgen_metadata (see wl/wlgen.h) is parsed once, validated, and kept in a
// process-wide immutable Metadata (thread-safe static initialisation).
//
//===----------------------------------------------------------------------===//
#ifndef WLRT_METADATA_H
#define WLRT_METADATA_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wlrt {

enum class InitKind { Zeros, Ones, Normal, Uniform, Orthogonal, From };

struct StateInfo {
  std::string name;           ///< e.g. "momentum", "power_u"
  int64_t offset = 0;         ///< floats into the arena
  std::vector<int64_t> shape; ///< the entry's "shape", else the param's
  int64_t numel = 1;          ///< product of shape
};

struct ParamInfo {
  std::string name;
  std::vector<int64_t> shape;
  int64_t numel = 1;
  int64_t offset = 0;
  bool trainable = false;
  int64_t gradOffset = -1; ///< -1 when not trainable
  InitKind init = InitKind::Zeros;
  double initValue = 0;   ///< std (normal) or a (uniform)
  std::string initFile;   ///< From: the safetensors file ("file")
  std::string initTensor; ///< From: the tensor in it ("tensor")
  std::vector<StateInfo> state;
};

/// How the certificate bounds a layer's spectral norm: the metadata's
/// "bound", chosen by the structure's spec in the compiler (wl.layer's
/// `bound`). Certificate.cpp computes it.
enum class BoundRule {
  Gram,        ///< Gram iteration on the effective weight (any weight)
  Orthonormal, ///< sqrt(1 + ‖WᵀW − I‖_F) on the short side (any weight;
               ///< tight for a nearly orthonormal one)
  MaxAbs,      ///< square; factors: d [n]; the bound is max|d|
  Svd, ///< factors: U [out, r], s [r], V [in, r]; max|s| times U's and V's
       ///< bounds
};

struct LayerInfo {
  std::string name;
  int64_t in = 0, out = 0;
  std::string structure; ///< "dense", ... (for messages only)
  std::string weight;    ///< param name of the weight ("" if none)
  std::string bias;      ///< "" when none
  int weightIndex = -1;  ///< index into params, -1 if none
  /// Structured layers: the params the weight is built from, in LANGUAGE.md's
  /// order (svd: U, s, V), as indices into params.
  std::vector<int> factors;
  BoundRule bound = BoundRule::Gram; ///< "bound": the certificate's rule
  /// Whether `weight` is the [out, in] matrix itself. The compiler lists
  /// "factors" exactly for the layers whose weight is built from them (dense
  /// and orthogonal(polar) have none), so this is the compiler's rule, not a
  /// copy.
  bool hasDenseWeight() const { return factors.empty(); }
};

/// One node of the "lipschitz" graph (SSA order; args index earlier nodes).
struct LipNode {
  enum class Op { Input, Layer, Scale, Add } op = Op::Input;
  int layer = -1;    ///< Layer: index into layers
  double factor = 1; ///< Scale
  std::vector<int64_t>
      args; ///< Layer/Scale: one; Add: one or more; Input: none
};

struct Metadata {
  bool ok = false;
  std::string error; ///< why parsing/validation failed (when !ok)

  int64_t abi = 0;
  std::string model;
  int64_t inputSize = 0, outputSize = 0;
  int32_t labelKind = 0;
  int64_t targetSize = 0;
  int64_t arenaSize = 0;
  /// "target": "cuda": generated code runs kernels through the CUDA driver,
  /// so every buffer it touches is managed memory (Cuda.h). Default "cpu".
  bool cudaTarget = false;
  std::vector<ParamInfo> params;
  std::vector<LayerInfo> layers;
  bool hasLipschitz = false;
  std::vector<LipNode>
      lipschitz; ///< non-empty when hasLipschitz; last = output

  int findParam(const std::string &name) const;
  int findLayer(const std::string &name) const;
};

/// Parses and validates `json` (exposed for tests).
Metadata parseMetadata(const char *json);

/// The model's metadata: parseMetadata(wlgen_metadata), computed once.
const Metadata &metadata();

} // namespace wlrt

#endif // WLRT_METADATA_H
