//===- Cuda.h - The CUDA driver, for libraries built with --target=cuda
//----===//
//
// The runtime talks to the CUDA driver (libcuda.so.1) through dlopen/dlsym,
// so it builds and links without CUDA and a CPU-target library never loads
// the driver. The driver is initialised once per process, on first use:
// cuInit, device 0, its primary context (made current on each thread that
// calls in). Cuda.cpp also defines MLIR's "mgpu" wrapper functions that
// generated code calls (gpu-to-llvm lowering).
//
// Errors: no function here throws. A failing call records its message
// ("cuLaunchKernel(k) failed: CUDA_ERROR_LAUNCH_FAILED: unspecified launch
// failure") as this thread's pending device error, unless one is pending
// already (the first failure since the last take is kept: later ones are
// usually its consequences). A failure to load the generated GPU module
// (mgpuModuleLoad/JIT, run at dlopen) is also kept process-wide as the
// sticky error: without the module no kernel can ever run.
//
//===----------------------------------------------------------------------===//
#ifndef WLRT_CUDA_H
#define WLRT_CUDA_H

#include <cstddef>
#include <string>

namespace wlrt {

/// Whether CUDA is usable: initialises the driver on first use (the library
/// named by $WL_CUDA_DRIVER, default libcuda.so.1) and makes device 0's
/// primary context current on this thread. Otherwise false, with the reason
/// in `why` (driver missing, cuInit failure, no device, ...).
bool cudaReady(std::string &why);

/// `bytes` of managed memory (cuMemAllocManaged, CU_MEM_ATTACH_GLOBAL),
/// readable and writable by host and device; nullptr (error recorded) when
/// CUDA is unavailable or out of memory. Not zeroed.
void *managedAlloc(size_t bytes);
/// Frees managedAlloc's memory; nullptr is a no-op. Records nothing (it runs
/// from destructors, also at exit after the driver may have shut down).
void managedFree(void *p);

/// Copies `bytes` from `src` to `dst` with cuMemcpy, then synchronises the
/// context. Either side may be host, device or managed memory (unified
/// addressing). `what` names the copy in the error. False (error recorded) on
/// failure.
bool deviceCopy(void *dst, const void *src, size_t bytes, const char *what);

/// Sets `bytes` at `p` (device or managed memory) to zero on the device
/// (cuMemsetD8), without moving managed pages to the host; the caller
/// synchronises with deviceSynchronize. False (error recorded) on failure.
bool deviceZero(void *p, size_t bytes);
/// cuCtxSynchronize; false (error recorded) on failure.
bool deviceSynchronize();

/// Whether `p` points into managed memory (cuPointerGetAttribute
/// CU_POINTER_ATTRIBUTE_IS_MANAGED); false for plain host or device pointers
/// and when CUDA is unavailable. Records nothing.
bool isManaged(const void *p);

/// The device error to report, if any: the sticky one (module load failure)
/// if set, else this thread's pending one. Clears the pending one.
bool takeDeviceError(std::string &msg);
/// Drops this thread's pending error (not the sticky one).
void clearDeviceError();

} // namespace wlrt

#endif // WLRT_CUDA_H
