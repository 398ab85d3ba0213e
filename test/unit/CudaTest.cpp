//===- CudaTest.cpp - The CUDA side (wl-runtime-unit-cuda only) -----------===//
//
// src/Cuda.cpp and the "target": "cuda" paths against the fake model with
// cuda metadata (WL_FAKE_CUDA): driver missing, not a driver, the toolkit's
// stub (each in its own process), and end to end where a GPU answers.
//
//===----------------------------------------------------------------------===//
#include "Cuda.h"
#include "Metadata.h"
#include "TestUtil.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#ifndef WL_FAKE_CUDA
#error "CudaTest.cpp runs against the cuda fake model (WL_FAKE_CUDA)"
#endif

extern "C" void *_mlir_memref_to_llvm_alloc(size_t bytes);
extern "C" void _mlir_memref_to_llvm_free(void *payload);

static const char *const kGpuNeeded =
    "wl_create failed: this library was compiled with --target=cuda and needs "
    "an NVIDIA GPU: ";

/// Without a usable driver: every entry into CUDA fails cleanly, records
/// why, and a cuda-target model cannot be created. `needle` is expected in
/// the reason.
static void cudaUnavailable(const std::string &needle) {
  std::string why;
  EXPECT_TRUE(!wlrt::cudaReady(why));
  EXPECT_TRUE(contains(why.c_str(), needle.c_str()))
      << why + " / want " + needle;
  std::string again;
  EXPECT_TRUE(!wlrt::cudaReady(again) && again == why); // initialised once

  // The mgpu* wrappers record and return; nothing is pending afterwards.
  std::string msg;
  EXPECT_TRUE(!wlrt::takeDeviceError(msg));
  mgpuLaunchKernel(nullptr, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_TRUE(wlrt::takeDeviceError(msg) &&
              contains(msg.c_str(), "mgpuLaunchKernel") &&
              contains(msg.c_str(), why.c_str()));
  EXPECT_TRUE(!wlrt::takeDeviceError(msg)); // taken
  EXPECT_TRUE(mgpuStreamCreate() == nullptr);
  mgpuStreamSynchronize(nullptr);
  mgpuStreamDestroy(nullptr);
  EXPECT_TRUE(wlrt::takeDeviceError(msg) &&
              contains(msg.c_str(), "mgpuStreamCreate")); // the first
  EXPECT_TRUE(mgpuModuleGetFunction(nullptr, "wlgen_forward_kernel") ==
              nullptr);
  EXPECT_TRUE(wlrt::takeDeviceError(msg) &&
              contains(msg.c_str(), "wlgen_forward_kernel"));
  EXPECT_TRUE(wlrt::managedAlloc(64) == nullptr);
  EXPECT_TRUE(wlrt::takeDeviceError(msg) && contains(msg.c_str(), why.c_str()));
  wlrt::managedFree(nullptr);
  float a = 1, b = 2;
  EXPECT_TRUE(!wlrt::isManaged(&a));
  EXPECT_TRUE(!wlrt::deviceCopy(&a, &b, sizeof a, "test") && a == 1);
  EXPECT_TRUE(wlrt::deviceCopy(&a, &b, 0, "empty")); // nothing to copy
  EXPECT_TRUE(!wlrt::deviceZero(&a, sizeof a) && a == 1);
  EXPECT_TRUE(!wlrt::deviceSynchronize());
  // The generated code's temporaries are managed memory in a cuda library.
  EXPECT_TRUE(_mlir_memref_to_llvm_alloc(100) == nullptr);
  _mlir_memref_to_llvm_free(nullptr);
  wlrt::clearDeviceError();
  EXPECT_TRUE(!wlrt::takeDeviceError(msg));

  EXPECT_TRUE(wl_create(1) == nullptr);
  EXPECT_TRUE(std::string(wl_last_error(nullptr)) == kGpuNeeded + why)
      << wl_last_error(nullptr);
  // The metadata queries need no GPU.
  EXPECT_TRUE(wl_model_name() && std::strcmp(wl_model_name(), "fake") == 0 &&
              wl_input_size() == 3);

  // A module load (at dlopen of a real library) fails for good: the sticky
  // error is reported by every later take.
  static const char junk[] = "not a cubin";
  EXPECT_TRUE(mgpuModuleLoad(const_cast<char *>(junk), sizeof junk) == nullptr);
  EXPECT_TRUE(wlrt::takeDeviceError(msg) &&
              contains(msg.c_str(), "mgpuModuleLoad") &&
              contains(msg.c_str(), why.c_str()));
  std::string sticky;
  EXPECT_TRUE(wlrt::takeDeviceError(sticky) && sticky == msg);
  EXPECT_TRUE(mgpuModuleLoadJIT(const_cast<char *>(junk), 2) == nullptr);
  EXPECT_TRUE(wlrt::takeDeviceError(sticky) &&
              sticky == msg); // the first load's
  mgpuModuleUnload(nullptr);
  EXPECT_TRUE(wl_create(1) == nullptr &&
              contains(wl_last_error(nullptr), kGpuNeeded));
}

/// The driver scenarios, each in its own process.
TEST(Cuda, Driver) {
  EXPECT_TRUE(wlrt::metadata().cudaTarget);
  inChild("missing driver", [] {
    ::setenv("WL_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
    cudaUnavailable(
        "cannot load the CUDA driver '/nonexistent/libcuda.so.1': ");
    std::string why;
    EXPECT_TRUE(!wlrt::cudaReady(why) && contains(why.c_str(), "No such file"));
  });
  inChild("not a CUDA driver", [] {
    ::setenv("WL_CUDA_DRIVER", "libm.so.6", 1);
    cudaUnavailable("the CUDA driver 'libm.so.6' has no cuGetErrorName");
  });
  const char *stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  if (::access(stub, R_OK) == 0) {
    inChild("stub driver", [stub] {
      ::setenv("WL_CUDA_DRIVER", stub, 1);
      cudaUnavailable("cuInit failed: CUDA_ERROR_STUB_LIBRARY");
    });
  } else {
    std::printf("note: %s not found, stub driver scenario skipped\n", stub);
  }
}

/// With the system's driver: on a machine without a GPU only the refusal;
/// with one, the cuda fake model end to end (its loops run on the host, on
/// the managed memory the runtime stages), host and device entry points.
TEST(Cuda, Model) {
  inChild("system driver", [] {
    ::unsetenv("WL_CUDA_DRIVER");
    std::string why;
    if (!wlrt::cudaReady(why)) {
      std::printf("note: no usable GPU (%s); GPU scenario skipped\n",
                  why.c_str());
      EXPECT_TRUE(wl_create(1) == nullptr &&
                  std::string(wl_last_error(nullptr)) == kGpuNeeded + why);
      return;
    }
    wl_model *m = wl_create(1);
    EXPECT_TRUE(m) << wl_last_error(nullptr);
    if (!m)
      return;
    EXPECT_TRUE(wlrt::isManaged(m->arena));
    const float W[6] = {1, 2, 3, -1, 0.5f, 0.25f}, bias[2] = {0.5f, -0.5f};
    EXPECT_TRUE(wl_set_param(m, "fc.weight", W) == WL_OK &&
                wl_set_param(m, "fc.bias", bias) == WL_OK);
    const float x[6] = {1, 0, 0, 0.5f, 1, 2}, expectY[4] = {1.5f, -1.5f, 9, 0};
    float y[4] = {0};
    EXPECT_TRUE(wl_forward(m, x, 2, y) == WL_OK) << wl_last_error(m);
    EXPECT_TRUE(std::memcmp(y, expectY, sizeof y) == 0);
    // Device pointers: managed ones are used in place; others (here host
    // memory, which cuMemcpy also takes) are staged.
    auto *dx = static_cast<float *>(wlrt::managedAlloc(sizeof x));
    auto *dy = static_cast<float *>(wlrt::managedAlloc(sizeof y));
    EXPECT_TRUE(dx && dy && wlrt::isManaged(dx) && !wlrt::isManaged(x));
    if (dx && dy) {
      std::memcpy(dx, x, sizeof x);
      EXPECT_TRUE(wl_forward_device(m, dx, 2, dy) == WL_OK) << wl_last_error(m);
      EXPECT_TRUE(std::memcmp(dy, expectY, sizeof y) == 0);
      float y2[4] = {0};
      EXPECT_TRUE(wl_forward_device(m, x, 2, y2) == WL_OK) << wl_last_error(m);
      EXPECT_TRUE(std::memcmp(y2, expectY, sizeof y2) == 0);
      const float g[4] = {1, 0, 0, 1};
      float gx[6] = {0};
      EXPECT_TRUE(wl_zero_grad(m) == WL_OK);
      EXPECT_TRUE(wl_backward_device(m, dx, g, 2, gx) == WL_OK)
          << wl_last_error(m);
      EXPECT_TRUE(gx[0] == 1 && gx[1] == 2 && gx[2] == 3 && gx[3] == -1 &&
                  gx[5] == 0.25f);
      EXPECT_TRUE(wl_backward(m, x, g, 2, nullptr) == WL_OK);
      float grad[6];
      EXPECT_TRUE(wl_get_grad(m, "fc.weight", grad) == WL_OK && grad[0] == 2 &&
                  grad[5] == 4);
      EXPECT_TRUE(wl_zero_grad(m) == WL_OK);
      EXPECT_TRUE(wl_get_grad(m, "fc.weight", grad) == WL_OK && grad[0] == 0 &&
                  grad[5] == 0);
      const float t[4] = {1.5f, -1.5f, 0, 0};
      float lossHost = -1, lossDev = -2;
      EXPECT_TRUE(wl_loss(m, x, t, 2, &lossHost) == WL_OK);
      EXPECT_TRUE(wl_loss_device(m, dx, t, 2, &lossDev) == WL_OK &&
                  lossDev == lossHost);
      EXPECT_TRUE(wl_train_step(m, x, t, 2, &lossHost) == WL_OK);
      EXPECT_TRUE(wl_train_step_device(m, dx, t, 2, &lossDev) == WL_OK &&
                  lossDev < lossHost);
      EXPECT_TRUE(wl_step_count(m) == 2);
    }
    wlrt::managedFree(dx);
    wlrt::managedFree(dy);
    float ad[6];
    EXPECT_TRUE(wl_get_weight(m, "ad", ad) == WL_OK) << wl_last_error(m);
    EXPECT_TRUE(std::fabs(ad[0] - kW0[0]) < 1e-5f &&
                std::fabs(ad[5] - kW0[5]) < 1e-5f);
    EXPECT_TRUE(wl_save(m, "cuda.safetensors") == WL_OK &&
                wl_load(m, "cuda.safetensors") == WL_OK);
    EXPECT_TRUE(fake_descriptor_errors == 0);
    wl_destroy(m);
    // Temporaries: managed, reused by size.
    void *t1 = _mlir_memref_to_llvm_alloc(100);
    EXPECT_TRUE(t1 && wlrt::isManaged(t1) &&
                reinterpret_cast<uintptr_t>(t1) % 64 == 0);
    _mlir_memref_to_llvm_free(t1);
    void *t2 = _mlir_memref_to_llvm_alloc(200);
    EXPECT_TRUE(t2 == t1);
    _mlir_memref_to_llvm_free(t2);
    std::string msg;
    EXPECT_TRUE(!wlrt::takeDeviceError(msg)) << msg;
  });
}
