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
  /// Frozen but rewritten by the step (sst's `sampled`): the step guard
  /// restores it with the trainable tensors ("step_written").
  bool stepWritten = false;
  int64_t gradOffset = -1; ///< -1 when not trainable
  InitKind init = InitKind::Zeros;
  double initValue = 0;   ///< std (normal) or a (uniform)
  std::string initFile;   ///< From: the safetensors file ("file")
  std::string initTensor; ///< From: the tensor in it ("tensor")
  bool initTransposed = false; ///< From: the file holds the transpose
  std::vector<StateInfo> state;
};

/// One entry of "step_tensors": the generated step's k-th piece (wlgen_step_tensor
/// with k), which updates one trainable parameter and writes nothing but it and
/// its state (the compiler checks this).
struct StepTensorInfo {
  int32_t param = -1; ///< index into Metadata::params
  double flops = 0;   ///< the compiler's estimate, for balancing shards
};

/// How the certificate bounds a layer's spectral norm: the metadata's
/// "bound", chosen by the structure's spec in the compiler (wl.layer's
/// `bound`). Certificate.cpp computes it.
enum class BoundRule {
  Gram,        ///< Gram iteration on the effective weight (any weight)
  Orthonormal, ///< sqrt(1 + ‖WᵀW − I‖_F) on the short side (any weight;
               ///< tight for a nearly orthonormal one)
  MaxAbs,      ///< square; factors: d [n]; the bound is max|d|
  Svd,      ///< factors: U [out, r], s [r], V [in, r]; max|s| times U's and V's
            ///< bounds
  BlockMax, ///< factors: blocks [b, out/b, in/b]; the largest block's bound
  Kronecker, ///< factors: A [k, m1, n1], B [k, m2, n2]; Σ bound(A_i)bound(B_i)
  Monarch,   ///< factors: R [b, c, c], L [c, b, b]; max bound(L_j)·max
             ///< bound(R_i)
};

/// A layer's "kind": a linear map (the default) or an embedding table E
/// [V, d] (in = d, out = V: nn.Embedding's layout, also wl_get_weight's).
enum class LayerKind { Linear, Embedding };

struct LayerInfo {
  std::string name;
  LayerKind kind = LayerKind::Linear;
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
/// Certificate.cpp propagates a magnitude bound M and a Lipschitz bound L
/// through it (ALGORITHMS.md, "Certificates of sequence models"); wlgen.h
/// lists the JSON of each op.
struct LipNode {
  enum class Op {
    Input,      ///< the model input (length: T when measured per position)
    Positions,  ///< the ids 0..T-1 (length = T): independent of the input
    Embedding,  ///< layer: a table read by an Input or Positions node
    Layer,      ///< layer: W x + b
    Scale,      ///< factor
    Activation, ///< factor (Lipschitz), magnitude, width
    Add,        ///< args: one or more
    Attention,  ///< args: q, k, v; heads, factor (the score scale)
    MeanPool,   ///< the mean over positions
    RowNorm,    ///< eps (factor = 1/√eps), width
    Flatten,    ///< merges blocks of `length` positions into one l2 vector
  } op = Op::Input;
  /// How an activation bounds its output's magnitude from its input's.
  enum class Magnitude {
    Keep,    ///< |φ(z)| ≤ |z|: M unchanged
    Sigmoid, ///< M ≤ min(M/4 + √width/2, √width)
    None,    ///< no rule: M = +inf
  } magnitude = Magnitude::None;
  int layer = -1;     ///< Layer, Embedding: index into layers
  double factor = 1;  ///< Scale, Activation, RowNorm; Attention: its scale
  int64_t length = 0; ///< Input (0: one l2 vector), Positions, Flatten
  int64_t heads = 0;  ///< Attention
  int64_t width = 0;  ///< Activation, RowNorm: the length of one row
  std::string kind;   ///< RowNorm: "rms" | "layer" (for messages)
  std::vector<int64_t> args; ///< Layer/Scale/...: one; Add: one or more;
                             ///< Attention: three; Input, Positions: none
};

/// "input_domain": every row of rowSize consecutive floats of an example has
/// l2 norm <= bound·(1 + 1e-6) (`with norm_bound(c, norm = row)`).
struct InputDomain {
  bool present = false;
  double bound = 0;
  int64_t rowSize = 0;
};

struct Metadata {
  bool ok = false;
  std::string error; ///< why parsing/validation failed (when !ok)

  int64_t abi = 0;
  std::string model;
  int64_t inputSize = 0, outputSize = 0;
  int32_t labelKind = 0;
  int64_t targetSize = 0;
  /// Sequence models (all optional in the JSON; the defaults are an ordinary
  /// model's meaning). inputKind 1: x is int32 token ids [batch, T].
  int32_t inputKind = 0;
  std::vector<int64_t> inputShape;  ///< per example; product = inputSize
  std::vector<int64_t> outputShape; ///< per example; product = outputSize
  int64_t sequenceLength = 0;       ///< T of a sequence input, else 0
  /// Labels per example: class labels 1 or T, targets targetSize.
  int64_t labelSize = 1;
  int64_t tokenLimit = 0; ///< inputKind 1: every id is in [0, tokenLimit)
  InputDomain inputDomain;
  int64_t arenaSize = 0;
  /// "target": "cuda": generated code runs kernels through the CUDA driver,
  /// so every buffer it touches is managed memory (Cuda.h). Default "cpu".
  bool cudaTarget = false;
  std::vector<ParamInfo> params;
  std::vector<LayerInfo> layers;
  /// The pieces of a sharded step, in the order of wlgen_step (optional: empty
  /// for a library without them).
  std::vector<StepTensorInfo> stepTensors;
  /// No piece reads what another writes ("step_tensors_independent"), so
  /// wl_step may run them side by side (optional: false).
  bool stepTensorsIndependent = false;
  bool hasLipschitz = false;
  std::vector<LipNode>
      lipschitz; ///< non-empty when hasLipschitz; last = output

  /// The number of classes of class labels: the last dim of outputShape.
  int64_t numClasses() const { return outputShape.back(); }

  int findParam(const std::string &name) const;
  int findLayer(const std::string &name) const;
};

/// Parses and validates `json` (exposed for tests).
Metadata parseMetadata(const char *json);

/// The model's metadata: parseMetadata(wlgen_metadata), computed once.
const Metadata &metadata();

} // namespace wlrt

#endif // WLRT_METADATA_H
