//===- train_fashion.cpp - train any wlc classifier on Fashion-MNIST ------===//
//
// Loads a model library compiled by wlc (the wl.h C ABI, resolved with dlsym so
// one program trains any classifier with 784 inputs and 10 classes), reads
// Fashion-MNIST from /usr/share/datasets/fashion-mnist (IDX, gzip), trains with
// wl_train_step and reports test accuracy after each epoch.
//
//   train_fashion lib<model>.so [--epochs E] [--batch B] [--seed S]
//                 [--limit-steps N] [--log-every N] [--data DIR]
//                 [--save PATH] [--min-accuracy A]
//
// Exit status: 0 on success; 1 on any wl error (with wl_last_error), missing
// data, bad arguments, or test accuracy below --min-accuracy.
//
//===----------------------------------------------------------------------===//

#include "wl/wl.h"

#include <dlfcn.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

/// The wl.h entry points this program uses, resolved from the model library.
struct WLApi {
  void *handle = nullptr;
  decltype(&wl_abi_version) abiVersion = nullptr;
  decltype(&wl_model_name) modelName = nullptr;
  decltype(&wl_input_size) inputSize = nullptr;
  decltype(&wl_output_size) outputSize = nullptr;
  decltype(&wl_label_kind) labelKind = nullptr;
  decltype(&wl_create) create = nullptr;
  decltype(&wl_destroy) destroy = nullptr;
  decltype(&wl_last_error) lastError = nullptr;
  decltype(&wl_forward) forward = nullptr;
  decltype(&wl_train_step) trainStep = nullptr;
  decltype(&wl_save) save = nullptr;
  decltype(&wl_lipschitz_bound) lipschitzBound = nullptr;

  template <typename T> bool bind(T &fn, const char *name) {
    fn = reinterpret_cast<T>(dlsym(handle, name));
    if (!fn)
      std::fprintf(stderr, "error: model library lacks symbol %s\n", name);
    return fn != nullptr;
  }

  bool open(const std::string &path) {
    // dlopen searches the library path for names without '/': make "lib.so"
    // mean ./lib.so.
    std::string p = path.find('/') == std::string::npos ? "./" + path : path;
    handle = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      std::fprintf(stderr, "error: cannot load model library %s: %s\n",
                   path.c_str(), dlerror());
      return false;
    }
    return bind(abiVersion, "wl_abi_version") &&
           bind(modelName, "wl_model_name") &&
           bind(inputSize, "wl_input_size") &&
           bind(outputSize, "wl_output_size") &&
           bind(labelKind, "wl_label_kind") && bind(create, "wl_create") &&
           bind(destroy, "wl_destroy") && bind(lastError, "wl_last_error") &&
           bind(forward, "wl_forward") && bind(trainStep, "wl_train_step") &&
           bind(save, "wl_save") && bind(lipschitzBound, "wl_lipschitz_bound");
  }
};

struct Options {
  std::string library;
  std::string dataDir = "/usr/share/datasets/fashion-mnist";
  int epochs = 1;
  int64_t batch = 128;
  uint64_t seed = 0;
  int64_t limitSteps = -1; // total over all epochs; < 0 means no limit
  std::vector<double> certifyRadii = {0.1, 0.25};
  int64_t logEvery = 100;
  std::string savePath;
  double minAccuracy = -1.0;
};

void usage(const char *argv0) {
  std::fprintf(
      stderr,
      "usage: %s lib<model>.so [--epochs E] [--batch B] [--seed S] "
      "[--limit-steps N]\n"
      "       [--log-every N] [--data DIR] [--save PATH] [--min-accuracy A]\n",
      argv0);
}

bool parseArgs(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *name) -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a value\n", name);
        return nullptr;
      }
      return argv[++i];
    };
    auto number = [&](const char *name, auto &out) -> bool {
      const char *v = value(name);
      if (!v)
        return false;
      char *end = nullptr;
      double d = std::strtod(v, &end);
      if (!end || *end != '\0') {
        std::fprintf(stderr, "error: %s: not a number: %s\n", name, v);
        return false;
      }
      out = static_cast<std::remove_reference_t<decltype(out)>>(d);
      return true;
    };
    if (a == "--epochs") {
      if (!number("--epochs", o.epochs))
        return false;
    } else if (a == "--batch") {
      if (!number("--batch", o.batch))
        return false;
    } else if (a == "--seed") {
      if (!number("--seed", o.seed))
        return false;
    } else if (a == "--limit-steps") {
      if (!number("--limit-steps", o.limitSteps))
        return false;
    } else if (a == "--log-every") {
      if (!number("--log-every", o.logEvery))
        return false;
    } else if (a == "--min-accuracy") {
      if (!number("--min-accuracy", o.minAccuracy))
        return false;
    } else if (a == "--data") {
      const char *v = value("--data");
      if (!v)
        return false;
      o.dataDir = v;
    } else if (a == "--save") {
      const char *v = value("--save");
      if (!v)
        return false;
      o.savePath = v;
    } else if (a == "-h" || a == "--help") {
      return false;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "error: unknown option %s\n", a.c_str());
      return false;
    } else if (o.library.empty()) {
      o.library = a;
    } else {
      std::fprintf(stderr, "error: unexpected argument %s\n", a.c_str());
      return false;
    }
  }
  if (o.library.empty()) {
    std::fprintf(stderr, "error: no model library given\n");
    return false;
  }
  if (o.epochs < 1 || o.batch < 1 || o.logEvery < 1) {
    std::fprintf(stderr,
                 "error: --epochs, --batch and --log-every must be positive\n");
    return false;
  }
  return true;
}

/// Reads a gzip'd IDX file: magic 0x00000800 | (ndims), big-endian dims, u8
/// data.
bool readIdx(const std::string &path, int wantDims, std::vector<uint32_t> &dims,
             std::vector<uint8_t> &data) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) {
    std::fprintf(stderr,
                 "error: cannot open %s\n"
                 "  Fashion-MNIST is missing: install it with `apt-get install "
                 "dataset-fashion-mnist` (or pass --data DIR)\n",
                 path.c_str());
    return false;
  }
  auto readU32 = [&](uint32_t &v) {
    unsigned char b[4];
    if (gzread(f, b, 4) != 4)
      return false;
    v = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) |
        (uint32_t(b[2]) << 8) | b[3];
    return true;
  };
  uint32_t magic = 0;
  bool ok = readU32(magic);
  if (!ok || magic != (0x0800u | uint32_t(wantDims))) {
    std::fprintf(stderr, "error: %s: bad IDX magic 0x%08x (want 0x%08x)\n",
                 path.c_str(), magic, 0x0800u | uint32_t(wantDims));
    gzclose(f);
    return false;
  }
  dims.assign(wantDims, 0);
  size_t total = 1;
  for (int d = 0; d < wantDims; ++d) {
    if (!readU32(dims[d])) {
      std::fprintf(stderr, "error: %s: truncated IDX header\n", path.c_str());
      gzclose(f);
      return false;
    }
    total *= dims[d];
  }
  data.resize(total);
  size_t got = 0;
  while (got < total) {
    unsigned chunk = unsigned(std::min<size_t>(total - got, 1u << 30));
    int n = gzread(f, data.data() + got, chunk);
    if (n <= 0)
      break;
    got += size_t(n);
  }
  gzclose(f);
  if (got != total) {
    std::fprintf(stderr, "error: %s: truncated data (%zu of %zu bytes)\n",
                 path.c_str(), got, total);
    return false;
  }
  return true;
}

struct Split {
  int64_t n = 0;
  std::vector<float> images; // [n, 784], normalised
  std::vector<int32_t> labels;
};

bool loadSplit(const std::string &dir, const char *prefix, Split &s) {
  std::vector<uint32_t> idims, ldims;
  std::vector<uint8_t> img, lab;
  std::string base = dir + "/" + prefix;
  if (!readIdx(base + "-images-idx3-ubyte.gz", 3, idims, img) ||
      !readIdx(base + "-labels-idx1-ubyte.gz", 1, ldims, lab))
    return false;
  if (idims[1] != 28 || idims[2] != 28 || idims[0] != ldims[0]) {
    std::fprintf(
        stderr, "error: %s: unexpected sizes (%u images of %ux%u, %u labels)\n",
        base.c_str(), idims[0], idims[1], idims[2], ldims[0]);
    return false;
  }
  s.n = idims[0];
  // Pixels to [0, 1], then the usual Fashion-MNIST mean/std normalisation.
  const float mean = 0.2860f, stdev = 0.3530f;
  s.images.resize(img.size());
  for (size_t i = 0; i < img.size(); ++i)
    s.images[i] = (img[i] / 255.0f - mean) / stdev;
  s.labels.resize(lab.size());
  for (size_t i = 0; i < lab.size(); ++i) {
    if (lab[i] > 9) {
      std::fprintf(stderr, "error: %s: label %u out of range\n", base.c_str(),
                   lab[i]);
      return false;
    }
    s.labels[i] = lab[i];
  }
  return true;
}

int fail(const WLApi &api, wl_model *m, const char *what, wl_status st) {
  const char *msg = api.lastError(m);
  std::fprintf(stderr, "error: %s failed (status %d): %s\n", what, int(st),
               msg ? msg : "(no message)");
  api.destroy(m);
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parseArgs(argc, argv, o)) {
    usage(argv[0]);
    return 1;
  }
  WLApi api;
  if (!api.open(o.library))
    return 1;
  if (api.abiVersion() != 1) {
    std::fprintf(stderr, "error: %s: ABI version %u, this program speaks 1\n",
                 o.library.c_str(), api.abiVersion());
    return 1;
  }
  const int64_t in = api.inputSize(), out = api.outputSize();
  if (in != 784 || out != 10 || api.labelKind() != 0) {
    std::fprintf(stderr,
                 "error: model %s has input %lld, output %lld, label kind %d; "
                 "this program needs a "
                 "classifier with 784 inputs, 10 outputs and i32 labels\n",
                 api.modelName(), (long long)in, (long long)out,
                 int(api.labelKind()));
    return 1;
  }

  Split train, test;
  if (!loadSplit(o.dataDir, "train", train) ||
      !loadSplit(o.dataDir, "t10k", test))
    return 1;
  std::printf(
      "model %s: %lld train / %lld test examples, batch %lld, seed %llu\n",
      api.modelName(), (long long)train.n, (long long)test.n,
      (long long)o.batch, (unsigned long long)o.seed);

  wl_model *m = api.create(o.seed);
  if (!m) {
    std::fprintf(stderr, "error: wl_create returned NULL\n");
    return 1;
  }

  const int64_t B = o.batch;
  const int64_t stepsPerEpoch = train.n / B; // drop the last partial batch
  std::vector<int64_t> order(train.n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(o.seed);
  std::vector<float> xb(B * in);
  std::vector<int32_t> yb(B);
  std::vector<float> logits;
  std::vector<double> margins; // of the last evaluation
  int64_t totalSteps = 0;
  double accuracy = 0.0;
  bool limited = false;

  for (int epoch = 1; epoch <= o.epochs && !limited; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    auto t0 = std::chrono::steady_clock::now();
    double lossSum = 0.0;
    int64_t lossCount = 0, examples = 0;
    for (int64_t s = 0; s < stepsPerEpoch; ++s) {
      if (o.limitSteps >= 0 && totalSteps >= o.limitSteps) {
        limited = true;
        break;
      }
      for (int64_t b = 0; b < B; ++b) {
        int64_t i = order[s * B + b];
        std::memcpy(&xb[b * in], &train.images[i * in], sizeof(float) * in);
        yb[b] = train.labels[i];
      }
      float loss = 0.0f;
      wl_status st = api.trainStep(m, xb.data(), yb.data(), B, &loss);
      if (st != WL_OK)
        return fail(api, m, "wl_train_step", st);
      ++totalSteps;
      examples += B;
      lossSum += loss;
      ++lossCount;
      if ((s + 1) % o.logEvery == 0 || s + 1 == stepsPerEpoch) {
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                .count();
        std::printf("epoch %d/%d  step %lld/%lld  loss %.4f  %.0f ex/s\n",
                    epoch, o.epochs, (long long)(s + 1),
                    (long long)stepsPerEpoch, lossSum / lossCount,
                    secs > 0 ? examples / secs : 0.0);
        std::fflush(stdout);
        lossSum = 0.0;
        lossCount = 0;
      }
    }

    // Test accuracy with wl_forward, in chunks of up to 1000 examples.
    const int64_t chunk = 1000;
    logits.resize(chunk * out);
    int64_t correct = 0;
    margins.assign(test.n, -1.0);
    for (int64_t i = 0; i < test.n; i += chunk) {
      int64_t n = std::min(chunk, test.n - i);
      wl_status st = api.forward(m, &test.images[i * in], n, logits.data());
      if (st != WL_OK)
        return fail(api, m, "wl_forward", st);
      for (int64_t r = 0; r < n; ++r) {
        const float *z = &logits[r * out];
        int64_t best = std::max_element(z, z + out) - z;
        correct += best == test.labels[i + r];
        // Margin z_y − max_{j≠y} z_j (negative when misclassified).
        int32_t y = test.labels[i + r];
        float other = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < out; ++j)
          if (j != y)
            other = std::max(other, z[j]);
        margins[i + r] = double(z[y]) - double(other);
      }
    }
    accuracy = double(correct) / double(test.n);
    std::printf("epoch %d/%d  steps %lld  test accuracy: %.4f\n", epoch,
                o.epochs, (long long)totalSteps, accuracy);
    std::fflush(stdout);
  }
  std::printf("test accuracy: %.4f\n", accuracy);

  // Certified robustness (Tsuzuku et al. 2018): with an L-Lipschitz logit map
  // (sound bound of the library), an example is certified at l2 radius r
  // when margin / (sqrt(2) L) > r.
  double lipschitz = api.lipschitzBound(m);
  if (lipschitz < 0)
    return fail(api, m, "wl_lipschitz_bound", WL_ERR_ARG);
  std::printf("lipschitz bound: %.4f\n", lipschitz);
  for (double radius : o.certifyRadii) {
    int64_t certified = 0;
    for (double margin : margins)
      certified += margin > std::sqrt(2.0) * lipschitz * radius;
    std::printf("certified accuracy @ l2 radius %.2f: %.4f\n", radius,
                double(certified) / double(test.n));
  }

  if (!o.savePath.empty()) {
    wl_status st = api.save(m, o.savePath.c_str());
    if (st != WL_OK)
      return fail(api, m, "wl_save", st);
    std::printf("saved %s\n", o.savePath.c_str());
  }
  api.destroy(m);
  if (o.minAccuracy >= 0 && accuracy < o.minAccuracy) {
    std::fprintf(stderr,
                 "error: test accuracy %.4f below --min-accuracy %.4f\n",
                 accuracy, o.minAccuracy);
    return 1;
  }
  return 0;
}
