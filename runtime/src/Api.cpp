//===- Api.cpp - The C ABI of wl.h: queries, lifecycle, training calls -----===//
//
// Every exported function catches all exceptions: none escapes into C.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "Model.h"
#include "wl/wlgen.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <new>
#include <string>
#include <utility>

namespace wlrt {

std::string &threadError() {
  thread_local std::string err;
  return err;
}

wl_status setError(wl_model *m, wl_status st, const std::string &msg) {
  try {
    if (m)
      m->lastError = msg;
    else
      threadError() = msg;
  } catch (...) {
    // Out of memory while recording the message: keep the status.
  }
  return st;
}

wl_status setCaughtError(wl_model *m, const char *context, const std::exception *e) {
  return setError(m, WL_ERR_ARG,
                  std::string(context) + ": " + (e ? e->what() : "unknown internal error"));
}

float *allocArena(int64_t floats) {
  if (floats < 0 || uint64_t(floats) > (SIZE_MAX - 64) / sizeof(float))
    return nullptr;
  size_t bytes = std::max<size_t>(64, (size_t(floats) * sizeof(float) + 63) & ~size_t(63));
  void *p = nullptr;
  if (posix_memalign(&p, 64, bytes) != 0)
    return nullptr;
  std::memset(p, 0, bytes);
  return static_cast<float *>(p);
}

void freeArena(float *p) { std::free(p); }

bool checkClassLabels(const int32_t *labels, int64_t batch, int64_t classes, std::string &msg) {
  for (int64_t b = 0; b < batch; ++b)
    if (labels[b] < 0 || labels[b] >= classes) {
      msg = "label " + std::to_string(labels[b]) + " at index " + std::to_string(b) +
            " is outside [0, " + std::to_string(classes) + ")";
      return false;
    }
  return true;
}

} // namespace wlrt

using namespace wlrt;

// The projection entry point is optional: libraries generated before it
// existed (and test models) do not define it. A weak *hidden* reference
// resolves to null at static link time when model.o lacks the definition, so
// the .so never looks it up dynamically (in some other loaded object).
extern "C" __attribute__((weak, visibility("hidden"))) void
_mlir_ciface_wlgen_project(wlgen_memref1d *arena);

namespace {

const Metadata *okMetadata() {
  const Metadata &md = metadata();
  return md.ok ? &md : nullptr;
}

const ParamInfo *paramAt(int32_t i) {
  const Metadata *md = okMetadata();
  if (!md || i < 0 || size_t(i) >= md->params.size())
    return nullptr;
  return &md->params[size_t(i)];
}

const LayerInfo *layerAt(int32_t i) {
  const Metadata *md = okMetadata();
  if (!md || i < 0 || size_t(i) >= md->layers.size())
    return nullptr;
  return &md->layers[size_t(i)];
}

wl_status nullArg(wl_model *m, const char *fn, const char *arg) {
  return setError(m, WL_ERR_ARG, std::string(fn) + ": " + arg + " is NULL");
}

/// The first NULL among `args` (name, pointer), in order, as fn's error;
/// WL_OK when there is none.
wl_status nonNull(wl_model *m, const char *fn,
                  std::initializer_list<std::pair<const char *, const void *>> args) {
  for (const auto &a : args)
    if (!a.second)
      return nullArg(m, fn, a.first);
  return WL_OK;
}

/// For the metadata queries, which report failure only by `fallback`:
/// get(*find()), or `fallback` when find() finds nothing or anything throws
/// (metadata() parses on first use).
template <class R, class Find, class Get> R query(R fallback, Find &&find, Get &&get) {
  return catchAll(
      [&]() -> R {
        const auto *item = find();
        return item ? R(get(*item)) : fallback;
      },
      [&](const std::exception *) { return fallback; });
}

/// Runs body() for the entry point `fn` on model m. A NULL m, and anything
/// body throws, become WL_ERR_ARG with a message on m (or the thread).
template <class F> wl_status modelCall(wl_model *m, const char *fn, F &&body) {
  if (!m)
    return nullArg(nullptr, fn, "model");
  return catchAll(std::forward<F>(body), [&](const std::exception *e) {
    if (dynamic_cast<const std::bad_alloc *>(e))
      return setError(m, WL_ERR_ARG, std::string(fn) + ": out of memory");
    return setCaughtError(m, fn, e);
  });
}

wl_status checkBatch(wl_model *m, const char *fn, int64_t batch) {
  if (batch <= 0)
    return setError(m, WL_ERR_ARG,
                    std::string(fn) + ": batch must be positive (got " + std::to_string(batch) + ")");
  const Metadata &md = *m->md;
  int64_t widest = std::max({md.inputSize, md.outputSize, md.targetSize, int64_t(1)});
  if (batch > INT64_MAX / int64_t(sizeof(float)) / widest)
    return setError(m, WL_ERR_ARG,
                    std::string(fn) + ": batch too large (got " + std::to_string(batch) + ")");
  return WL_OK;
}

wlgen_memref1d arenaRef(wl_model *m) {
  wlgen_memref1d r;
  r.allocated = m->arena;
  r.aligned = m->arena;
  r.offset = 0;
  r.sizes[0] = m->md->arenaSize;
  r.strides[0] = 1;
  return r;
}

wlgen_memref2d matrixRef(const void *p, int64_t rows, int64_t cols) {
  wlgen_memref2d r;
  r.allocated = const_cast<void *>(p);
  r.aligned = const_cast<void *>(p);
  r.offset = 0;
  r.sizes[0] = rows;
  r.sizes[1] = cols;
  r.strides[0] = cols;
  r.strides[1] = 1;
  return r;
}

/// Validates labels and builds their descriptor (1-D i32 or 2-D f32).
struct LabelRef {
  wlgen_memref1d classes;
  wlgen_memref2d targets;
  void *ptr() { return metadata().labelKind == 0 ? static_cast<void *>(&classes)
                                                 : static_cast<void *>(&targets); }
};

wl_status makeLabels(wl_model *m, const char *fn, const void *labels, int64_t batch,
                     LabelRef &ref) {
  const Metadata &md = *m->md;
  if (md.labelKind == 0) {
    std::string msg;
    if (!checkClassLabels(static_cast<const int32_t *>(labels), batch, md.outputSize, msg))
      return setError(m, WL_ERR_ARG, std::string(fn) + ": " + msg);
    ref.classes.allocated = const_cast<void *>(labels);
    ref.classes.aligned = const_cast<void *>(labels);
    ref.classes.offset = 0;
    ref.classes.sizes[0] = batch;
    ref.classes.strides[0] = 1;
  } else {
    ref.targets = matrixRef(labels, batch, md.targetSize);
  }
  return WL_OK;
}

void zeroGrads(wl_model *m) {
  for (const ParamInfo &p : m->md->params)
    if (p.gradOffset >= 0)
      std::memset(m->arena + p.gradOffset, 0, size_t(p.numel) * sizeof(float));
}

/// Zeroes every optimizer/constraint state tensor (each of its own numel).
void zeroState(wl_model *m) {
  for (const ParamInfo &p : m->md->params)
    for (const StateInfo &st : p.state)
      std::memset(m->arena + st.offset, 0, size_t(st.numel) * sizeof(float));
}

/// wl_loss and wl_train_step: checks the arguments, then runs
/// run(arena, x, labels), which sets *loss.
template <class F>
wl_status lossCall(wl_model *m, const char *fn, const float *x, const void *labels, int64_t batch,
                   float *loss, F &&run) {
  return modelCall(m, fn, [&] {
    if (wl_status st = nonNull(m, fn, {{"x", x}, {"labels", labels}, {"loss", loss}}))
      return st;
    if (wl_status st = checkBatch(m, fn, batch))
      return st;
    LabelRef lr;
    if (wl_status st = makeLabels(m, fn, labels, batch, lr))
      return st;
    wlgen_memref1d a = arenaRef(m);
    wlgen_memref2d xr = matrixRef(x, batch, m->md->inputSize);
    run(&a, &xr, lr.ptr());
    return WL_OK;
  });
}

/// Finds parameter `name`; records an error naming it when unknown.
const ParamInfo *lookupParam(wl_model *m, const char *fn, const char *name) {
  int i = m->md->findParam(name);
  if (i < 0) {
    setError(m, WL_ERR_ARG, std::string(fn) + ": unknown parameter '" + name + "'");
    return nullptr;
  }
  return &m->md->params[size_t(i)];
}

/// The by-name parameter calls: checks `name` and the buffer `buf` (argument
/// `bufArg`), finds the parameter, then returns body(param).
template <class F>
wl_status paramCall(wl_model *m, const char *fn, const char *name, const void *buf,
                    const char *bufArg, F &&body) {
  return modelCall(m, fn, [&] {
    if (wl_status st = nonNull(m, fn, {{"name", name}, {bufArg, buf}}))
      return st;
    const ParamInfo *p = lookupParam(m, fn, name);
    return p ? body(*p) : WL_ERR_ARG;
  });
}

} // namespace

extern "C" {

WL_API uint32_t wl_abi_version(void) { return 1; }

WL_API const char *wl_model_name(void) {
  return query<const char *>(nullptr, okMetadata,
                             [](const Metadata &md) { return md.model.c_str(); });
}

WL_API int64_t wl_input_size(void) {
  return query<int64_t>(-1, okMetadata, [](const Metadata &md) { return md.inputSize; });
}

WL_API int64_t wl_output_size(void) {
  return query<int64_t>(-1, okMetadata, [](const Metadata &md) { return md.outputSize; });
}

WL_API int32_t wl_label_kind(void) {
  return query<int32_t>(-1, okMetadata, [](const Metadata &md) { return md.labelKind; });
}

WL_API int32_t wl_num_params(void) {
  return query<int32_t>(-1, okMetadata, [](const Metadata &md) { return md.params.size(); });
}

WL_API const char *wl_param_name(int32_t i) {
  return query<const char *>(
      nullptr, [i] { return paramAt(i); }, [](const ParamInfo &p) { return p.name.c_str(); });
}

WL_API int32_t wl_param_rank(int32_t i) {
  return query<int32_t>(
      -1, [i] { return paramAt(i); }, [](const ParamInfo &p) { return p.shape.size(); });
}

WL_API int64_t wl_param_dim(int32_t i, int32_t axis) {
  return query<int64_t>(
      -1, [i] { return paramAt(i); },
      [axis](const ParamInfo &p) {
        return axis >= 0 && size_t(axis) < p.shape.size() ? p.shape[size_t(axis)] : -1;
      });
}

WL_API int32_t wl_param_trainable(int32_t i) {
  return query<int32_t>(
      0, [i] { return paramAt(i); }, [](const ParamInfo &p) { return p.trainable ? 1 : 0; });
}

WL_API int32_t wl_num_layers(void) {
  return query<int32_t>(-1, okMetadata, [](const Metadata &md) { return md.layers.size(); });
}

WL_API const char *wl_layer_name(int32_t i) {
  return query<const char *>(
      nullptr, [i] { return layerAt(i); }, [](const LayerInfo &l) { return l.name.c_str(); });
}

WL_API int64_t wl_layer_in_size(int32_t i) {
  return query<int64_t>(
      -1, [i] { return layerAt(i); }, [](const LayerInfo &l) { return l.in; });
}

WL_API int64_t wl_layer_out_size(int32_t i) {
  return query<int64_t>(
      -1, [i] { return layerAt(i); }, [](const LayerInfo &l) { return l.out; });
}

WL_API wl_model *wl_create(uint64_t seed) {
  wl_model *m = nullptr;
  return catchAll(
      [&]() -> wl_model * {
        const Metadata &md = metadata();
        if (!md.ok) {
          setError(nullptr, WL_ERR_ARG, "wl_create failed: " + md.error);
          return nullptr;
        }
        m = new (std::nothrow) wl_model();
        if (!m) {
          setError(nullptr, WL_ERR_ARG, "wl_create failed: out of memory");
          return nullptr;
        }
        m->md = &md;
        m->arena = allocArena(md.arenaSize);
        if (!m->arena) {
          delete m;
          m = nullptr; // the handler below must not free it again
          setError(nullptr, WL_ERR_ARG,
                   "wl_create failed: cannot allocate the arena of " +
                       std::to_string(md.arenaSize) + " floats");
          return nullptr;
        }
        for (size_t i = 0; i < md.params.size(); ++i)
          initParam(md.params[i], seed, uint64_t(i), m->arena + md.params[i].offset);
        // The arena is allocated zeroed; grads and state are zeroed again
        // explicitly (cheap) so the contract does not rest on the allocator.
        zeroGrads(m);
        zeroState(m);
        // Project constrained params onto their sets and initialise
        // constraint state (power-iteration vectors), when generated.
        if (_mlir_ciface_wlgen_project) {
          wlgen_memref1d a = arenaRef(m);
          _mlir_ciface_wlgen_project(&a);
        }
        return m;
      },
      [&](const std::exception *e) -> wl_model * {
        if (m) {
          freeArena(m->arena);
          delete m;
        }
        setCaughtError(nullptr, "wl_create failed", e);
        return nullptr;
      });
}

WL_API void wl_destroy(wl_model *m) {
  if (!m)
    return;
  freeArena(m->arena);
  delete m;
}

WL_API const char *wl_last_error(const wl_model *m) {
  return m ? m->lastError.c_str() : threadError().c_str();
}

WL_API int64_t wl_step_count(const wl_model *m) { return m ? m->step : -1; }

WL_API wl_status wl_forward(wl_model *m, const float *x, int64_t batch, float *y) {
  const char *fn = "wl_forward";
  return modelCall(m, fn, [&] {
    if (wl_status st = nonNull(m, fn, {{"x", x}, {"y", y}}))
      return st;
    if (wl_status st = checkBatch(m, fn, batch))
      return st;
    wlgen_memref1d a = arenaRef(m);
    wlgen_memref2d xr = matrixRef(x, batch, m->md->inputSize);
    wlgen_memref2d yr = matrixRef(y, batch, m->md->outputSize);
    _mlir_ciface_wlgen_forward(&a, &xr, &yr);
    return WL_OK;
  });
}

WL_API wl_status wl_backward(wl_model *m, const float *x, const float *dy, int64_t batch,
                             float *dx) {
  const char *fn = "wl_backward";
  return modelCall(m, fn, [&] {
    if (wl_status st = nonNull(m, fn, {{"x", x}, {"dy", dy}}))
      return st;
    if (wl_status st = checkBatch(m, fn, batch))
      return st;
    float *dxp = dx;
    if (!dxp) {
      m->scratch.resize(size_t(batch * m->md->inputSize));
      dxp = m->scratch.data();
    }
    wlgen_memref1d a = arenaRef(m);
    wlgen_memref2d xr = matrixRef(x, batch, m->md->inputSize);
    wlgen_memref2d dyr = matrixRef(dy, batch, m->md->outputSize);
    wlgen_memref2d dxr = matrixRef(dxp, batch, m->md->inputSize);
    _mlir_ciface_wlgen_backward(&a, &xr, &dyr, &dxr);
    return WL_OK;
  });
}

WL_API wl_status wl_zero_grad(wl_model *m) {
  return modelCall(m, "wl_zero_grad", [&] {
    zeroGrads(m);
    return WL_OK;
  });
}

WL_API wl_status wl_step(wl_model *m) {
  return modelCall(m, "wl_step", [&] {
    wlgen_memref1d a = arenaRef(m);
    _mlir_ciface_wlgen_step(&a, ++m->step);
    return WL_OK;
  });
}

WL_API wl_status wl_loss(wl_model *m, const float *x, const void *labels, int64_t batch,
                         float *loss) {
  return lossCall(m, "wl_loss", x, labels, batch, loss,
                  [&](wlgen_memref1d *a, wlgen_memref2d *xr, void *lr) {
                    *loss = _mlir_ciface_wlgen_loss(a, xr, lr);
                  });
}

WL_API wl_status wl_train_step(wl_model *m, const float *x, const void *labels, int64_t batch,
                               float *loss) {
  return lossCall(m, "wl_train_step", x, labels, batch, loss,
                  [&](wlgen_memref1d *a, wlgen_memref2d *xr, void *lr) {
                    zeroGrads(m);
                    *loss = _mlir_ciface_wlgen_loss_backward(a, xr, lr);
                    _mlir_ciface_wlgen_step(a, ++m->step);
                  });
}

WL_API wl_status wl_get_param(wl_model *m, const char *name, float *out) {
  return paramCall(m, "wl_get_param", name, out, "out", [&](const ParamInfo &p) {
    std::memcpy(out, m->arena + p.offset, size_t(p.numel) * sizeof(float));
    return WL_OK;
  });
}

WL_API wl_status wl_set_param(wl_model *m, const char *name, const float *in) {
  return paramCall(m, "wl_set_param", name, in, "in", [&](const ParamInfo &p) {
    std::memmove(m->arena + p.offset, in, size_t(p.numel) * sizeof(float));
    return WL_OK;
  });
}

WL_API wl_status wl_get_grad(wl_model *m, const char *name, float *out) {
  const char *fn = "wl_get_grad";
  return paramCall(m, fn, name, out, "out", [&](const ParamInfo &p) {
    if (p.gradOffset < 0)
      return setError(m, WL_ERR_ARG,
                      std::string(fn) + ": parameter '" + name + "' is frozen and has no gradient");
    std::memcpy(out, m->arena + p.gradOffset, size_t(p.numel) * sizeof(float));
    return WL_OK;
  });
}

WL_API wl_status wl_get_weight(wl_model *m, const char *layer, float *out) {
  const char *fn = "wl_get_weight";
  return modelCall(m, fn, [&] {
    if (wl_status st = nonNull(m, fn, {{"layer", layer}, {"out", out}}))
      return st;
    int li = m->md->findLayer(layer);
    if (li < 0)
      return setError(m, WL_ERR_ARG, std::string(fn) + ": unknown layer '" + layer + "'");
    return effectiveWeight(m, li, out, fn);
  });
}

} // extern "C"
