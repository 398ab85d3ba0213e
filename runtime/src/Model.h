//===- Model.h - The runtime's wl_model and shared helpers
//-----------------===//
#ifndef WLRT_MODEL_H
#define WLRT_MODEL_H

#include "Metadata.h"
#include "Parallel.h"
#include "wl/wl.h"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace wlrt {
/// Managed memory (Cuda.h) of a cuda-target model, grown on demand by
/// growBuffer and reused across calls; freed by wl_destroy.
struct ManagedBuffer {
  void *ptr = nullptr;
  size_t bytes = 0;
};

/// A region of the arena a step may write, and where it starts in the step
/// guard's snapshot (Api.cpp's stepRegions).
struct StepRegion {
  int64_t offset, numel, saved;
};
} // namespace wlrt

/// One model instance: the arena (parameters, grads, optimizer state), the
/// step count, the last error message, and scratch for wl_backward's dx.
/// A wl_model is not safe for concurrent use; distinct models are independent.
struct wl_model {
  const wlrt::Metadata *md = nullptr;
  float *arena =
      nullptr; ///< md->arenaSize floats, 64-byte aligned (managed for cuda)
  int64_t step = 0;      ///< optimizer steps taken so far
  uint64_t seed = 0;     ///< wl_create's seed (sst's sampling draws from it)
  std::string lastError; ///< "" until a call fails
  std::vector<float> scratch;
  /// The trainable parameters and all state tensors as they were before the
  /// running step: put back when the step leaves a non-finite value.
  std::vector<float> stepSnapshot;
  /// The snapshot's layout: every region a step may write (Api.cpp).
  std::vector<wlrt::StepRegion> stepRegions;
  /// Whether steps are all or nothing (the snapshot and the finiteness check);
  /// off when WL_STEP_GUARD=0 was set at wl_create (it costs one copy of the
  /// parameters and state per step).
  bool guardSteps = true;
  /// A sharded step between wl_step_tensors and wl_step_finish: the snapshot
  /// is taken, and stepTensorDone[k] says whether piece k already ran.
  bool stepOpen = false;
  std::vector<bool> stepTensorDone;
  /// How wl_step runs the pieces (Api.cpp's runPlannedStep), planned for
  /// stepPlanThreads threads (0: not yet); off (the whole wlgen_step) when
  /// WL_STEP_LANES=0 was set at wl_create.
  bool stepLanes = true;
  int stepPlanThreads = 0;
  wlrt::PiecePlan stepPlan;
  /// Milliseconds LLVM's OpenMP runtime (libomp) lets its idle workers spin
  /// after a parallel region, applied on the calling thread at every entry
  /// point (wlrt::applyOmpBlocktime): WL_OMP_BLOCKTIME at wl_create, default
  /// 1; -1 when KMP_BLOCKTIME is set (libomp's own setting stays).
  int ompBlocktime = 1;
  /// cuda-target libraries: generated code only gets managed memory, so the
  /// callers' buffers are staged here (inputs copied in, outputs copied back).
  wlrt::ManagedBuffer stageX, stageDy, stageLabels, stageY, stageDx,
      stageWeight;
};

namespace wlrt {

/// Records `msg` as m's last error (or the thread-local one when m is NULL)
/// and returns `st`.
wl_status setError(wl_model *m, wl_status st, const std::string &msg);

/// The thread-local error used for NULL models and failed wl_create.
std::string &threadError();

/// Runs `body`; if it throws, returns `onThrow(e)` instead, where `e` is the
/// std::exception thrown or nullptr for anything else. The one place the
/// runtime stops exceptions: every C entry point that can throw runs through
/// it, since none may cross the C ABI.
template <class F, class H>
auto catchAll(F &&body, H &&onThrow) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception &e) {
    return onThrow(&e);
  } catch (...) {
    return onThrow(nullptr);
  }
}

/// Records the exception `e` caught by catchAll as m's WL_ERR_ARG error:
/// "<context>: <what>", or "<context>: unknown internal error" when `e` is
/// nullptr. Returns WL_ERR_ARG.
wl_status setCaughtError(wl_model *m, const char *context,
                         const std::exception *e);

/// Allocates `floats` zeroed floats, 64-byte aligned (at least 64 bytes):
/// managed memory when `managed` (cuda-target libraries), else host memory;
/// nullptr on failure. Free with freeArena(p, managed).
float *allocArena(int64_t floats, bool managed);
void freeArena(float *p, bool managed);

/// A failure of the GPU path (CUDA driver, kernels, managed memory): entry
/// points report it as WL_ERR_DEVICE, "<fn>: <what>".
struct DeviceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// `b` grown to at least `bytes` of managed memory (contents not kept);
/// throws DeviceError when CUDA cannot allocate it.
void *growBuffer(ManagedBuffer &b, size_t bytes);

/// For a cuda-target model: throws DeviceError with the device error raised
/// on this thread since the last check (or the sticky module-load error),
/// if any. A no-op for CPU models.
void checkDevice(const wl_model *m);

/// True when every class label of the [batch, perExample] int32 array lies
/// in [0, classes); otherwise false with a message naming the first bad value
/// and where it is: its index (perExample 1) or its example and position.
bool checkClassLabels(const int32_t *labels, int64_t batch, int64_t classes,
                      std::string &msg, int64_t perExample = 1);

/// Sound upper bound of sigma_max of the row-major [rows, cols] matrix `w`
/// by Gram iteration (ALGORITHMS.md), T iterations, in double, inflated by
/// 1 + gramRoundingMargin(min(rows, cols), max(rows, cols)). Returns NaN if
/// `w` has a non-finite entry. Throws std::bad_alloc.
double gramSpectralBound(const float *w, int64_t rows, int64_t cols,
                         int iterations = 6);
/// The relative inflation applied by gramSpectralBound for a matrix whose
/// short side is n and long side is m (see Certificate.cpp for the analysis).
double gramRoundingMargin(int64_t n, int64_t m);

/// The effective weight [out, in] of layer `layer` into `out`; WL_OK or an
/// error recorded on m.
wl_status effectiveWeight(wl_model *m, int layer, float *out, const char *fn);

/// A creation-time routine called from wlgen_project (a re-split of a
/// frozen base) that cannot do its job records why; wl_create then fails
/// with "wl_create failed: <why>" instead of returning a model.
void failCreation(const std::string &why);
/// This thread's recorded creation failure ("" if none); clears it.
std::string takeCreationFailure();

/// WL_OMP_BLOCKTIME's milliseconds (default 1), or -1 when KMP_BLOCKTIME is
/// set; false with a message when WL_OMP_BLOCKTIME is not an integer in
/// [0, 1000000].
bool chooseOmpBlocktime(int &ms, std::string &why);
/// Sets libomp's block time for parallel regions this thread forks to
/// m->ompBlocktime (no-op for -1 or where libomp is not loaded).
void applyOmpBlocktime(const wl_model *m);

/// The seed of the model whose generated code runs on this thread (set by
/// wl_create and each step), for routines that draw at step time: sst's
/// sampling is a function of (seed, layer, round), so it is reproducible.
uint64_t &activeSeed();

} // namespace wlrt

#endif // WLRT_MODEL_H
