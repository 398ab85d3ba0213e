//===- TestUtil.h - Shared helpers of the runtime's unit tests ------------===//
//
// The unit tests (GoogleTest) run libwlrt against a fake model: FakeModel.c
// provides wlgen_metadata and the _mlir_ciface_wlgen_* entry points. Main.cpp
// runs them in a fresh temporary directory that holds kBaseFile.
//
// wl-runtime-unit links a fake model that defines _mlir_ciface_wlgen_project;
// wl-runtime-unit-noproject (WL_FAKE_NO_PROJECT) one that does not, like a
// library generated before the hook existed; wl-runtime-unit-cuda
// (WL_FAKE_CUDA) one whose metadata says "target": "cuda", and builds only the
// CUDA tests (CudaTest.cpp; see CMakeLists.txt); wl-runtime-unit-token
// (WL_FAKE_TOKEN) links FakeTokenModel.c instead, a token model, and builds
// only TokenApiTest.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef WLRT_TEST_UNIT_TESTUTIL_H
#define WLRT_TEST_UNIT_TESTUTIL_H

#include "Model.h"
#include "wl/wl.h"
#include "wl/wlgen.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern "C" {
extern int fake_descriptor_errors;
extern int64_t fake_last_t;
extern int fake_step_calls;
extern int fake_project_calls;
extern int fake_project_errors;
extern float fake_project_rot_bound;
}

#if defined(WL_FAKE_TOKEN)
inline constexpr bool kHasProject = false;
inline constexpr const char *kProgram = "wl-runtime-unit-token";
#elif defined(WL_FAKE_NO_PROJECT)
inline constexpr bool kHasProject = false;
inline constexpr const char *kProgram = "wl-runtime-unit-noproject";
#elif defined(WL_FAKE_CUDA)
inline constexpr bool kHasProject = true;
inline constexpr const char *kProgram = "wl-runtime-unit-cuda";
#else
inline constexpr bool kHasProject = true;
inline constexpr const char *kProgram = "wl-runtime-unit";
#endif

/// Reads an int the fake model's project hook updates atomically.
inline int loadInt(const int &x) {
  return __atomic_load_n(&x, __ATOMIC_SEQ_CST);
}

/// The temporary wl_save writes on this thread: <path>.tmp.<pid>.<tid>
/// (Checkpoint.cpp).
std::string tmpSuffix();

bool contains(const char *hay, const char *needle);

/// A copy of the model's whole arena.
std::vector<char> arenaBytes(const wl_model *m);

/// A fresh directory under $TMPDIR (or /tmp); exits on failure.
std::string tempDir();
std::string readAll(const std::string &path);
void writeAll(const std::string &path, const std::string &data);
bool fileExists(const std::string &path);

/// Singular values (descending) of the row-major rows×cols matrix `a`, by
/// one-sided Jacobi (Hestenes) in double on the columns of the tall side.
std::vector<double> jacobiSigma(const std::vector<double> &a, int64_t rows,
                                int64_t cols);
std::vector<double> asDoubles(const std::vector<float> &w);
std::string sigmaText(const std::vector<double> &s);

/// One tensor of a hand-written safetensors file.
struct StTensor {
  std::string name, dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

template <class T> std::string bytesOf(const std::vector<T> &v) {
  return std::string(reinterpret_cast<const char *>(v.data()),
                     v.size() * sizeof(T));
}

/// A safetensors file with these tensors (and {"format": "pt"} metadata).
std::string safetensorsFile(const std::vector<StTensor> &ts);

// The fake model's frozen base "ad.weight.base" comes from this file (a path
// relative to the current directory, which main() makes a temporary one).
inline constexpr const char *kBaseFile = "wlrt-unit-base.safetensors";
extern const std::vector<float> kW0;

/// Writes kBaseFile: tensor "ad.base" = kW0 [2, 3] (and another one).
void writeBaseFile();

/// The failed assertions of the running test so far.
int failedAssertions();

/// Runs `body` in a forked child; its failed assertions are printed there and
/// fail the current test here. The CUDA driver is initialised once per
/// process (std::call_once), so each WL_CUDA_DRIVER scenario needs a fresh
/// process, and resource limits are per process. A child that does not finish
/// `body` (dies, exits) is a failure too.
template <class F> void inChild(const char *name, F &&body) {
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << name << ": pipe failed";
    return;
  }
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    const int before = failedAssertions();
    body();
    std::fflush(stdout);
    const int failed = failedAssertions() - before;
    ssize_t n = ::write(fds[1], &failed, sizeof failed);
    ::_exit(n == ssize_t(sizeof failed) ? 0 : 1);
  }
  ::close(fds[1]);
  int failed = 0;
  ssize_t n = pid > 0 ? ::read(fds[0], &failed, sizeof failed) : -1;
  ::close(fds[0]);
  int status = 0;
  if (pid > 0)
    ::waitpid(pid, &status, 0);
  bool ran = pid > 0 && n == ssize_t(sizeof failed) && WIFEXITED(status) &&
             WEXITSTATUS(status) == 0;
  EXPECT_TRUE(ran) << name << ": the child process did not finish (status "
                   << status << ")";
  EXPECT_EQ(failed, 0) << name
                       << ": failed assertions in the child process (above)";
}

#endif // WLRT_TEST_UNIT_TESTUTIL_H
