//===- FuzzLoad.cpp - libFuzzer target: wl_load on arbitrary bytes
//---------===//
//
// The input bytes are a checkpoint file of the fake model "fuzz"
// (FuzzModel.c). Each input is written to a memfd (no disk; its path is
// /proc/self/fd/N, a regular file to the runtime) and
//   1. wl_load runs on a model reset to the same initial state every time;
//      when it fails, the model (arena and step) must be unchanged and the
//      status WL_ERR_IO or WL_ERR_SHAPE with a message; when it succeeds, the
//      model must round-trip: wl_save, wl_load into a second model, wl_save
//      again gives the same bytes;
//   2. the `from` initialiser's reader (wlrt::readTensorFile) reads two of
//      its tensors into buffers of exactly the expected size.
// Anything else (crash, leak, ASan/UBSan report, timeout) is a bug too.
//
// WL_FUZZ_LOAD_SEEDS=DIR wl-fuzz-load writes a seed corpus into DIR (which
// must exist) and exits: checkpoints wl_save wrote, one wl_export_dense wrote,
// one with F64/F16/BF16 tensors for the `from` reader, and truncated copies.
//
//===----------------------------------------------------------------------===//
#include "Init.h"
#include "Model.h"
#include "wl/wl.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

int inputFd = -1;
std::string inputPath;     // /proc/self/fd/<inputFd>
std::string saveBase;      // where round trips write: tmpfs when there is one
wl_model *model = nullptr; // what wl_load runs on
wl_model *check = nullptr; // the round trip's second model
std::vector<float> initialArena;

[[noreturn]] void bug(const std::string &what) {
  std::fprintf(stderr, "wl-fuzz-load: BUG: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

[[noreturn]] void setupFailed(const std::string &what) {
  std::fprintf(stderr, "wl-fuzz-load: setup failed: %s\n", what.c_str());
  std::exit(2);
}

bool readAll(const std::string &path, std::string &out) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return false;
  out.clear();
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), f)) > 0)
    out.append(buffer, n);
  std::fclose(f);
  return true;
}

void writeInput(const uint8_t *data, size_t size) {
  if (::ftruncate(inputFd, 0) != 0 || ::ftruncate(inputFd, off_t(size)) != 0)
    setupFailed(std::string("ftruncate: ") + std::strerror(errno));
  size_t done = 0;
  while (done < size) {
    ssize_t w = ::pwrite(inputFd, data + done, size - done, off_t(done));
    if (w < 0) {
      if (errno == EINTR)
        continue;
      setupFailed(std::string("pwrite: ") + std::strerror(errno));
    }
    done += size_t(w);
  }
}

/// A fresh private directory under saveBase for one round trip, removed with
/// its files when the round trip ends (a crash or timeout may leave one).
struct ScratchDir {
  std::string path;
  ScratchDir() {
    std::string templ = saveBase + "/wl-fuzz-load.XXXXXX";
    if (!::mkdtemp(&templ[0]))
      setupFailed("mkdtemp " + templ + ": " + std::strerror(errno));
    path = templ;
  }
  ~ScratchDir() {
    ::unlink((path + "/a.safetensors").c_str());
    ::unlink((path + "/b.safetensors").c_str());
    ::rmdir(path.c_str());
  }
};

void roundTrip() {
  ScratchDir dir;
  const std::string a = dir.path + "/a.safetensors",
                    b = dir.path + "/b.safetensors";
  if (wl_save(model, a.c_str()) != WL_OK)
    bug(std::string("wl_save after a successful wl_load failed: ") +
        wl_last_error(model));
  if (wl_load(check, a.c_str()) != WL_OK)
    bug(std::string("wl_load of what wl_save wrote failed: ") +
        wl_last_error(check));
  if (wl_save(check, b.c_str()) != WL_OK)
    bug(std::string("wl_save of the reloaded model failed: ") +
        wl_last_error(check));
  std::string sa, sb;
  if (!readAll(a, sa) || !readAll(b, sb))
    setupFailed("cannot read back the saved checkpoints in " + dir.path);
  if (sa != sb)
    bug("save -> load -> save does not give the same checkpoint");
  // Grads are not in checkpoints, but both models' are zero.
  if (std::memcmp(model->arena, check->arena,
                  initialArena.size() * sizeof(float)) != 0 ||
      model->step != check->step)
    bug("the reloaded model differs from the loaded one");
}

void readTensors() {
  struct {
    const char *name;
    std::vector<int64_t> shape;
  } wanted[] = {{"fc.weight", {2, 3}}, {"fixed.table", {4}}};
  for (const auto &w : wanted) {
    int64_t numel = 1;
    for (int64_t d : w.shape)
      numel *= d;
    std::vector<float> out(
        static_cast<size_t>(numel)); // exact size: ASan sees any overrun
    try {
      wlrt::readTensorFile(inputPath, w.name, w.shape, out.data());
    } catch (const std::exception &) {
      // A reported failure is the expected outcome for most inputs.
    }
  }
}

void writeFile(const std::string &path, const std::string &bytes) {
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() ||
      std::fclose(f) != 0)
    setupFailed("cannot write " + path);
}

/// A safetensors file of model "fuzz" holding `tensors` (name, dtype, shape,
/// raw bytes) in order.
struct RawTensor {
  std::string name, dtype, shape, bytes;
};
std::string safetensors(const std::vector<RawTensor> &tensors) {
  std::string header =
                  "{\"__metadata__\":{\"format\":\"wl\",\"model\":\"fuzz\"}",
              data;
  for (const RawTensor &t : tensors) {
    header += ",\"" + t.name + "\":{\"dtype\":\"" + t.dtype +
              "\",\"shape\":" + t.shape + ",\"data_offsets\":[" +
              std::to_string(data.size()) + "," +
              std::to_string(data.size() + t.bytes.size()) + "]}";
    data += t.bytes;
  }
  header += "}";
  while (header.size() % 8)
    header += ' ';
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i)
    out[size_t(i)] = char((uint64_t(header.size()) >> (8 * i)) & 0xff);
  return out + header + data;
}

template <class T> std::string bytesOf(std::vector<T> values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(T));
}

void writeSeeds(const std::string &dir) {
  std::string valid;
  const std::string first = dir + "/seed-valid-0";
  if (wl_save(model, first.c_str()) != WL_OK || !readAll(first, valid))
    setupFailed(std::string("wl_save: ") + wl_last_error(model));
  check->step = 3;
  if (wl_save(check, (dir + "/seed-valid-1").c_str()) != WL_OK)
    setupFailed(std::string("wl_save: ") + wl_last_error(check));
  if (wl_export_dense(model, (dir + "/seed-export-dense").c_str()) != WL_OK)
    setupFailed(std::string("wl_export_dense: ") + wl_last_error(model));
  // For the `from` reader: every dtype it converts.
  writeFile(dir + "/seed-dtypes",
            safetensors({{"fc.weight", "F64", "[2,3]",
                          bytesOf<double>({1, -2, 3.5, 0, 1e-3, 7})},
                         {"fixed.table", "BF16", "[4]",
                          bytesOf<uint16_t>({0x3f80, 0xc000, 0x7f80, 0x0001})},
                         {"fc.bias", "F16", "[2]",
                          bytesOf<uint16_t>({0x3c00, 0x0001})}}));
  // Truncated copies of the first checkpoint.
  uint64_t headerLength = 0;
  for (int i = 0; i < 8; ++i)
    headerLength |= uint64_t(static_cast<unsigned char>(valid[size_t(i)]))
                    << (8 * i);
  const size_t cuts[] = {0,
                         5,
                         8,
                         8 + size_t(headerLength) / 2,
                         8 + size_t(headerLength),
                         valid.size() - 1};
  for (size_t cut : cuts)
    writeFile(dir + "/seed-truncated-" + std::to_string(cut),
              valid.substr(0, cut));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  inputFd = ::memfd_create("wl-fuzz-load-input", MFD_CLOEXEC);
  if (inputFd < 0)
    setupFailed(std::string("memfd_create: ") + std::strerror(errno));
  inputPath = "/proc/self/fd/" + std::to_string(inputFd);
  std::string base = "/dev/shm";
  struct stat st;
  if (::stat(base.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      ::access(base.c_str(), W_OK) != 0) {
    const char *tmp = std::getenv("TMPDIR");
    base = tmp && *tmp ? tmp : "/tmp";
  }
  saveBase = base;
  model = wl_create(0);
  check = wl_create(1);
  if (!model || !check)
    setupFailed(std::string("wl_create: ") + wl_last_error(nullptr));
  if (model->md->arenaSize != 34)
    setupFailed("FuzzModel.c and FuzzLoad.cpp disagree on the arena size");
  initialArena.assign(model->arena, model->arena + model->md->arenaSize);
  std::atexit([] {
    wl_destroy(model);
    wl_destroy(check);
  });
  if (const char *seeds = std::getenv("WL_FUZZ_LOAD_SEEDS")) {
    writeSeeds(seeds);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  writeInput(data, size);

  // The same starting point for every input, so a finding reproduces alone.
  const size_t floats = initialArena.size();
  std::memcpy(model->arena, initialArena.data(), floats * sizeof(float));
  model->step = 7;
  const std::vector<float> before(model->arena, model->arena + floats);

  wl_status status = wl_load(model, inputPath.c_str());
  if (status == WL_OK) {
    roundTrip();
  } else {
    if (status != WL_ERR_IO && status != WL_ERR_SHAPE)
      bug("wl_load failed with status " + std::to_string(int(status)) +
          " (expected WL_ERR_IO or WL_ERR_SHAPE): " + wl_last_error(model));
    const char *message = wl_last_error(model);
    if (!message || !*message)
      bug("wl_load failed without a message");
    if (std::memcmp(before.data(), model->arena, floats * sizeof(float)) != 0 ||
        model->step != 7)
      bug(std::string("a failed wl_load changed the model: ") + message);
  }
  readTensors();
  return 0;
}
