//===- Cuda.cpp - The CUDA driver through dlopen, and MLIR's mgpu* ABI
//------===//
//
// No CUDA header is included (the runtime builds without the toolkit): the
// few driver types, constants and prototypes are declared below, checked
// against CUDA 13's cuda.h. Entry points are looked up under the names the
// driver exports for this API version (cuda.h #defines some to "_v2").
//
// Process-wide state (the driver, the context, the sticky error, kernel
// names) is allocated once and never destroyed: generated code's global
// destructor (mgpuModuleUnload) and managedFree may run at exit, after
// ordinary statics are gone. Thread-local state is trivially destructible
// for the same reason.
//
//===----------------------------------------------------------------------===//
#include "Cuda.h"

#include "wl/wlgen.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <initializer_list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace {

// ---- The driver API subset (values from cuda.h, CUDA 13) --------------------
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr unsigned CU_MEM_ATTACH_GLOBAL = 0x1;
constexpr int CU_POINTER_ATTRIBUTE_IS_MANAGED = 8;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr int CU_JIT_OPTIMIZATION_LEVEL = 7;
constexpr CUresult CUDA_ERROR_STUB_LIBRARY = 34;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
constexpr CUresult CUDA_ERROR_NO_BINARY_FOR_GPU = 209;
constexpr CUresult CUDA_ERROR_INVALID_PTX = 218;
constexpr CUresult CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222;

struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetName)(char *, int, CUdevice);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned, int *,
                                 void **);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuStreamCreate)(CUstream *, unsigned);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuStreamDestroy)(CUstream);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpy)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
  CUresult (*cuPointerGetAttribute)(void *, int, CUdeviceptr);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
};

/// The result of the one-time initialisation.
struct State {
  std::once_flag once;
  bool ok = false;
  std::string why;        ///< why CUDA is unusable (when !ok)
  std::string driverPath; ///< the library dlopen'ed
  Driver d{};
  CUcontext ctx = nullptr;
  std::string deviceName; ///< device 0, e.g. "NVIDIA H100 80GB HBM3"
  int ccMajor = 0, ccMinor = 0;
};

State &state() {
  static State *s = new State; // never destroyed (see the file comment)
  return *s;
}

/// Names of the kernels mgpuModuleGetFunction returned, for error messages.
struct Names {
  std::mutex mutex;
  std::unordered_map<CUfunction, std::string> of;
};

Names &names() {
  static Names *n = new Names;
  return *n;
}

// ---- Errors
// ------------------------------------------------------------------
struct Sticky {
  std::mutex mutex;
  bool set = false;
  std::string msg;
};

Sticky &sticky() {
  static Sticky *s = new Sticky;
  return *s;
}

// This thread's pending error: a fixed buffer, so nothing is destroyed at
// thread or process exit (mgpuModuleUnload may still record at exit).
constexpr size_t kMaxMessage = 1024;
thread_local char tPending[kMaxMessage];
thread_local bool tHasPending = false;
thread_local bool tContextCurrent = false;
thread_local const char *tLastKernel =
    nullptr; ///< owned by names(); for sync errors

void recordPending(const std::string &msg) {
  if (tHasPending)
    return; // keep the first: later failures usually follow from it
  size_t n = std::min(msg.size(), kMaxMessage - 1);
  std::memcpy(tPending, msg.data(), n);
  tPending[n] = '\0';
  tHasPending = true;
}

void recordSticky(const std::string &msg) {
  Sticky &s = sticky();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.set) {
    s.msg = msg;
    s.set = true;
  }
}

/// Runs `body`, recording instead of letting an exception (bad_alloc while
/// building a message) out of the C entry points.
template <class F> void noThrow(F &&body) {
  try {
    body();
  } catch (...) {
    recordPending("out of memory in the CUDA runtime wrapper");
  }
}

/// "CUDA_ERROR_X: description", from the driver when it can name the code
/// (the stub library cannot: a few codes are named here).
std::string errorText(CUresult r) {
  const State &s = state();
  const char *name = nullptr, *text = nullptr;
  if (s.d.cuGetErrorName && s.d.cuGetErrorName(r, &name) != CUDA_SUCCESS)
    name = nullptr;
  if (s.d.cuGetErrorString && s.d.cuGetErrorString(r, &text) != CUDA_SUCCESS)
    text = nullptr;
  if (!name) {
    if (r == CUDA_ERROR_STUB_LIBRARY) {
      name = "CUDA_ERROR_STUB_LIBRARY";
      text = "the CUDA driver library is a stub (no NVIDIA driver installed)";
    } else if (r == CUDA_ERROR_NO_DEVICE) {
      name = "CUDA_ERROR_NO_DEVICE";
      text = "no CUDA-capable device is detected";
    }
  }
  std::string out = name ? name : "CUDA error " + std::to_string(r);
  if (text)
    out += std::string(": ") + text;
  return out;
}

std::string failed(const std::string &call, CUresult r) {
  return call + " failed: " + errorText(r);
}

// ---- Initialisation
// ------------------------------------------------------------
template <class Fn>
bool resolve(void *lib, const char *symbol, Fn &fn, std::string &why) {
  fn = reinterpret_cast<Fn>(dlsym(lib, symbol));
  if (!fn)
    why = "the CUDA driver '" + state().driverPath + "' has no " + symbol;
  return fn != nullptr;
}

bool initialise(State &s) {
  const char *env = std::getenv("WL_CUDA_DRIVER");
  s.driverPath = env && *env ? env : "libcuda.so.1";
  dlerror();
  void *lib = dlopen(s.driverPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *err = dlerror();
    s.why = "cannot load the CUDA driver '" + s.driverPath +
            "': " + (err ? err : "dlopen failed");
    return false;
  }
  Driver &d = s.d;
  if (!resolve(lib, "cuGetErrorName", d.cuGetErrorName, s.why) ||
      !resolve(lib, "cuGetErrorString", d.cuGetErrorString, s.why) ||
      !resolve(lib, "cuInit", d.cuInit, s.why) ||
      !resolve(lib, "cuDeviceGetCount", d.cuDeviceGetCount, s.why) ||
      !resolve(lib, "cuDeviceGet", d.cuDeviceGet, s.why) ||
      !resolve(lib, "cuDeviceGetName", d.cuDeviceGetName, s.why) ||
      !resolve(lib, "cuDeviceGetAttribute", d.cuDeviceGetAttribute, s.why) ||
      !resolve(lib, "cuDevicePrimaryCtxRetain", d.cuDevicePrimaryCtxRetain,
               s.why) ||
      !resolve(lib, "cuCtxSetCurrent", d.cuCtxSetCurrent, s.why) ||
      !resolve(lib, "cuCtxSynchronize", d.cuCtxSynchronize, s.why) ||
      !resolve(lib, "cuModuleLoadData", d.cuModuleLoadData, s.why) ||
      !resolve(lib, "cuModuleLoadDataEx", d.cuModuleLoadDataEx, s.why) ||
      !resolve(lib, "cuModuleUnload", d.cuModuleUnload, s.why) ||
      !resolve(lib, "cuModuleGetFunction", d.cuModuleGetFunction, s.why) ||
      !resolve(lib, "cuLaunchKernel", d.cuLaunchKernel, s.why) ||
      !resolve(lib, "cuStreamCreate", d.cuStreamCreate, s.why) ||
      !resolve(lib, "cuStreamSynchronize", d.cuStreamSynchronize, s.why) ||
      !resolve(lib, "cuStreamDestroy_v2", d.cuStreamDestroy, s.why) ||
      !resolve(lib, "cuMemAllocManaged", d.cuMemAllocManaged, s.why) ||
      !resolve(lib, "cuMemFree_v2", d.cuMemFree, s.why) ||
      !resolve(lib, "cuMemcpy", d.cuMemcpy, s.why) ||
      !resolve(lib, "cuMemsetD8_v2", d.cuMemsetD8, s.why) ||
      !resolve(lib, "cuPointerGetAttribute", d.cuPointerGetAttribute, s.why))
    return false;
  // The driver stays loaded for the life of the process (never dlclose'd).
  if (CUresult e = d.cuInit(0)) {
    s.why = failed("cuInit", e);
    return false;
  }
  int count = 0;
  if (CUresult e = d.cuDeviceGetCount(&count)) {
    s.why = failed("cuDeviceGetCount", e);
    return false;
  }
  if (count < 1) {
    s.why = "no CUDA device found";
    return false;
  }
  CUdevice dev = 0;
  if (CUresult e = d.cuDeviceGet(&dev, 0)) {
    s.why = failed("cuDeviceGet(0)", e);
    return false;
  }
  char name[256] = {};
  if (d.cuDeviceGetName(name, int(sizeof name) - 1, dev) == CUDA_SUCCESS)
    s.deviceName = name;
  else
    s.deviceName = "device 0";
  if (CUresult e = d.cuDeviceGetAttribute(
          &s.ccMajor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)) {
    s.why = failed("cuDeviceGetAttribute(compute capability)", e);
    return false;
  }
  if (CUresult e = d.cuDeviceGetAttribute(
          &s.ccMinor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev)) {
    s.why = failed("cuDeviceGetAttribute(compute capability)", e);
    return false;
  }
  if (CUresult e = d.cuDevicePrimaryCtxRetain(&s.ctx, dev)) {
    s.why = failed("cuDevicePrimaryCtxRetain(" + s.deviceName + ")", e);
    return false;
  }
  return true;
}

/// Initialises once, then makes the primary context current on this thread.
/// False with the reason in `why` when CUDA is unusable.
bool enter(std::string &why) {
  State &s = state();
  std::call_once(s.once, [&s] {
    try {
      s.ok = initialise(s);
    } catch (...) { // bad_alloc building a message
      s.ok = false;
      s.why = "out of memory while initialising CUDA";
    }
  });
  if (!s.ok) {
    why = s.why;
    return false;
  }
  if (!tContextCurrent) {
    if (CUresult e = s.d.cuCtxSetCurrent(s.ctx)) {
      why = failed("cuCtxSetCurrent", e);
      return false;
    }
    tContextCurrent = true;
  }
  return true;
}

/// enter() for the mgpu* functions: on failure records "<fn>: CUDA is not
/// available: <why>" and returns false.
/// Module loads record the sticky error instead (`stickyError`).
bool enterOrRecord(const char *fn, bool stickyError = false) {
  std::string why;
  if (enter(why))
    return true;
  std::string msg = std::string(fn) + ": CUDA is not available: " + why;
  if (stickyError)
    recordSticky(msg);
  else
    recordPending(msg);
  return false;
}

/// A module load failure, with the GPU and its compute capability: the usual
/// cause is code built for another architecture (or a driver too old for
/// the PTX).
std::string moduleLoadError(const char *call, CUresult r) {
  const State &s = state();
  std::string msg = failed(call, r) + " (GPU: " + s.deviceName + ", sm_" +
                    std::to_string(s.ccMajor) + std::to_string(s.ccMinor);
  if (r == CUDA_ERROR_NO_BINARY_FOR_GPU)
    msg += "; the library's GPU code was compiled for a different compute "
           "capability";
  else if (r == CUDA_ERROR_INVALID_PTX ||
           r == CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
    msg += "; the library's PTX is not supported by this driver or GPU";
  return msg + ")";
}

/// The result of a module load: the module, or nullptr with the sticky
/// error recorded (with the JIT's error log, if any).
void *loaded(CUmodule module, const char *call, CUresult r,
             const char *log = "") {
  if (r == CUDA_SUCCESS)
    return module;
  std::string msg = moduleLoadError(call, r);
  if (*log)
    msg += ": " + std::string(log);
  recordSticky(msg);
  return nullptr;
}

/// The name mgpuModuleGetFunction gave `f` (stable: map nodes never move or
/// go away), or nullptr.
const char *kernelName(CUfunction f) {
  Names &n = names();
  std::lock_guard<std::mutex> lock(n.mutex);
  auto it = n.of.find(f);
  return it != n.of.end() ? it->second.c_str() : nullptr;
}

} // namespace

namespace wlrt {

bool cudaReady(std::string &why) {
  try {
    return enter(why);
  } catch (...) {
    return false;
  }
}

void *managedAlloc(size_t bytes) {
  void *result = nullptr;
  noThrow([&] {
    if (!enterOrRecord("cuMemAllocManaged"))
      return;
    CUdeviceptr p = 0;
    if (CUresult e = state().d.cuMemAllocManaged(&p, std::max<size_t>(bytes, 1),
                                                 CU_MEM_ATTACH_GLOBAL)) {
      recordPending(
          failed("cuMemAllocManaged(" + std::to_string(bytes) + " bytes)", e));
      return;
    }
    result = reinterpret_cast<void *>(static_cast<uintptr_t>(p));
  });
  return result;
}

void managedFree(void *p) {
  try {
    std::string why;
    if (!p || !enter(why))
      return;
    // A failure (the driver already shut down at exit) leaves nothing to do.
    state().d.cuMemFree(
        static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(p)));
  } catch (...) { // bad_alloc copying `why`: nothing to free then
  }
}

bool deviceCopy(void *dst, const void *src, size_t bytes, const char *what) {
  bool ok = false;
  noThrow([&] {
    if (bytes == 0) {
      ok = true;
      return;
    }
    if (!enterOrRecord("cuMemcpy"))
      return;
    const Driver &d = state().d;
    CUresult e = d.cuMemcpy(
        static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(dst)),
        static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(src)), bytes);
    if (e == CUDA_SUCCESS)
      e = d.cuCtxSynchronize(); // device-to-device copies may still be in
                                // flight
    if (e != CUDA_SUCCESS) {
      recordPending(failed(std::string("cuMemcpy(") + what + ", " +
                               std::to_string(bytes) + " bytes)",
                           e));
      return;
    }
    ok = true;
  });
  return ok;
}

bool deviceZero(void *p, size_t bytes) {
  bool ok = false;
  noThrow([&] {
    if (bytes == 0) {
      ok = true;
      return;
    }
    if (!enterOrRecord("cuMemsetD8"))
      return;
    if (CUresult e = state().d.cuMemsetD8(
            static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(p)), 0,
            bytes)) {
      recordPending(
          failed("cuMemsetD8(" + std::to_string(bytes) + " bytes)", e));
      return;
    }
    ok = true;
  });
  return ok;
}

bool deviceSynchronize() {
  bool ok = false;
  noThrow([&] {
    if (!enterOrRecord("cuCtxSynchronize"))
      return;
    if (CUresult e = state().d.cuCtxSynchronize()) {
      recordPending(failed("cuCtxSynchronize", e));
      return;
    }
    ok = true;
  });
  return ok;
}

bool isManaged(const void *p) {
  try {
    std::string why;
    if (!p || !enter(why))
      return false;
  } catch (...) {
    return false;
  }
  unsigned int managed = 0; // the driver writes a boolean
  CUresult e = state().d.cuPointerGetAttribute(
      &managed, CU_POINTER_ATTRIBUTE_IS_MANAGED,
      static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(p)));
  return e == CUDA_SUCCESS &&
         managed != 0; // not a CUDA pointer: CUDA_ERROR_INVALID_VALUE
}

bool takeDeviceError(std::string &msg) {
  bool found = tHasPending;
  tHasPending = false;
  try {
    Sticky &s = sticky();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.set) {
      found = true;
      msg = s.msg;
    } else if (found) {
      msg = tPending;
    }
  } catch (...) {
    msg.clear(); // out of memory copying the message: still report the failure
  }
  return found;
}

void clearDeviceError() { tHasPending = false; }

} // namespace wlrt

// ---- MLIR's CUDA runtime-wrapper ABI (gpu-to-llvm)
// ------------------------------ Called by generated code; hidden like every
// wlrt routine. None throws or aborts: failures are recorded (see Cuda.h) and
// the entry point that called the generated code reports them.
extern "C" {

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size; // cuModuleLoadData recognises cubin, fatbin and PTX by content
  void *result = nullptr;
  noThrow([&] {
    if (!enterOrRecord("mgpuModuleLoad", /*stickyError=*/true))
      return;
    CUmodule module = nullptr;
    CUresult e = state().d.cuModuleLoadData(&module, data);
    result = loaded(module, "cuModuleLoadData", e);
  });
  return result;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  void *result = nullptr;
  noThrow([&] {
    if (!enterOrRecord("mgpuModuleLoadJIT", /*stickyError=*/true))
      return;
    CUmodule module = nullptr;
    // The JIT's error log goes into the message; scalar option values travel
    // in the pointers themselves (cuda.h).
    char log[1024] = {};
    int options[3] = {CU_JIT_ERROR_LOG_BUFFER,
                      CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                      CU_JIT_OPTIMIZATION_LEVEL};
    void *values[3] = {log, reinterpret_cast<void *>(uintptr_t(sizeof log)),
                       reinterpret_cast<void *>(uintptr_t(unsigned(optLevel)))};
    unsigned count =
        optLevel >= 0 && optLevel <= 4 ? 3 : 2; // else the driver's default
    CUresult e =
        state().d.cuModuleLoadDataEx(&module, data, count, options, values);
    log[sizeof log - 1] = '\0';
    result = loaded(module, "cuModuleLoadDataEx (PTX JIT)", e, log);
  });
  return result;
}

void mgpuModuleUnload(void *module) {
  std::string why;
  if (!module || !enter(why))
    return;
  // At exit the driver may already be shut down; nothing to report then.
  state().d.cuModuleUnload(static_cast<CUmodule>(module));
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  void *result = nullptr;
  noThrow([&] {
    std::string fn =
        std::string("mgpuModuleGetFunction(") + (name ? name : "") + ")";
    if (!enterOrRecord(fn.c_str()))
      return;
    if (!module || !name) {
      recordPending(fn + ": the library's GPU code is not loaded");
      return;
    }
    CUfunction f = nullptr;
    if (CUresult e = state().d.cuModuleGetFunction(
            &f, static_cast<CUmodule>(module), name)) {
      recordPending(
          failed(std::string("cuModuleGetFunction(") + name + ")", e));
      return;
    }
    Names &n = names();
    std::lock_guard<std::mutex> lock(n.mutex);
    n.of.emplace(f, name);
    result = f;
  });
  return result;
}

void *mgpuStreamCreate(void) {
  void *result = nullptr;
  noThrow([&] {
    if (!enterOrRecord("mgpuStreamCreate"))
      return;
    CUstream stream = nullptr;
    // Flags 0: the stream also orders against the legacy default stream,
    // which cuMemcpy/cuMemsetD8 use.
    if (CUresult e = state().d.cuStreamCreate(&stream, 0)) {
      recordPending(failed("cuStreamCreate", e));
      return;
    }
    result = stream;
  });
  return result;
}

void mgpuStreamSynchronize(void *stream) {
  noThrow([&] {
    if (!enterOrRecord("mgpuStreamSynchronize"))
      return;
    // Asynchronous kernel faults surface here: name the last kernel launched.
    if (CUresult e =
            state().d.cuStreamSynchronize(static_cast<CUstream>(stream)))
      recordPending(failed(std::string("cuStreamSynchronize (after kernel ") +
                               (tLastKernel ? tLastKernel : "none") + ")",
                           e));
  });
}

void mgpuStreamDestroy(void *stream) {
  noThrow([&] {
    if (!stream || !enterOrRecord("mgpuStreamDestroy"))
      return;
    if (CUresult e = state().d.cuStreamDestroy(static_cast<CUstream>(stream)))
      recordPending(failed("cuStreamDestroy", e));
  });
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount; // the driver knows the kernel's parameter layout
  noThrow([&] {
    if (!enterOrRecord("mgpuLaunchKernel"))
      return;
    if (!function) {
      recordPending(
          "mgpuLaunchKernel: no kernel (the library's GPU code is not loaded)");
      return;
    }
    auto f = static_cast<CUfunction>(function);
    const char *kernel = kernelName(f);
    std::string name = kernel ? kernel : "unknown kernel";
    bool bad = smem < 0;
    for (intptr_t v : {gridX, gridY, gridZ, blockX, blockY, blockZ})
      bad = bad || v < 1 || uint64_t(v) > UINT32_MAX;
    if (bad) {
      recordPending("mgpuLaunchKernel(" + name +
                    "): invalid launch configuration: grid (" +
                    std::to_string(gridX) + ", " + std::to_string(gridY) +
                    ", " + std::to_string(gridZ) + "), block (" +
                    std::to_string(blockX) + ", " + std::to_string(blockY) +
                    ", " + std::to_string(blockZ) + "), " +
                    std::to_string(smem) + " bytes of shared memory");
      return;
    }
    tLastKernel = kernel;
    if (CUresult e = state().d.cuLaunchKernel(
            f, unsigned(gridX), unsigned(gridY), unsigned(gridZ),
            unsigned(blockX), unsigned(blockY), unsigned(blockZ),
            unsigned(smem), static_cast<CUstream>(stream), params, extra))
      recordPending(failed("cuLaunchKernel(" + name + ")", e));
  });
}

} // extern "C"
