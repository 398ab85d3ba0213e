//===- Checkpoint.cpp - wl_save / wl_load in the safetensors format
//--------===//
//
// Layout (https://github.com/huggingface/safetensors): 8-byte little-endian
// header length N, N bytes of JSON header (padded with spaces to a multiple
// of 8), then the raw little-endian tensor data. Tensor names: every param
// under its own name, optimizer state as "optim.<param>.<state>", the step
// count as "optim.step" (I64, shape []). Saving is atomic (temp file, fsync,
// rename); loading validates everything before touching the model.
//
//===----------------------------------------------------------------------===//
#include "Json.h"
#include "Model.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wlrt's checkpoint code assumes a little-endian host"
#endif

using namespace wlrt;

namespace {

/// One tensor of a checkpoint: where its bytes live in the model.
struct Entry {
  std::string name;
  bool isStep = false; ///< "optim.step": I64, shape []
  const std::vector<int64_t> *shape = nullptr;
  int64_t floatOffset = 0; ///< into the arena (F32 entries)
  int64_t bytes = 0;
};

std::vector<Entry> checkpointEntries(const Metadata &md) {
  std::vector<Entry> out;
  for (const ParamInfo &p : md.params) {
    Entry e;
    e.name = p.name;
    e.shape = &p.shape;
    e.floatOffset = p.offset;
    e.bytes = p.numel * int64_t(sizeof(float));
    out.push_back(e);
  }
  for (const ParamInfo &p : md.params)
    for (const StateInfo &s : p.state) {
      Entry e;
      e.name = "optim." + p.name + "." + s.name;
      e.shape =
          &s.shape; // the state's own shape ("shape" in its metadata entry)
      e.floatOffset = s.offset;
      e.bytes = s.numel * int64_t(sizeof(float));
      out.push_back(e);
    }
  Entry step;
  step.name = "optim.step";
  step.isStep = true;
  step.bytes = 8;
  out.push_back(step);
  return out;
}

/// The largest safetensors header accepted (as the reference implementation).
constexpr uint64_t kMaxHeader = uint64_t(100) << 20;

std::string errnoText(int err) { return std::strerror(err); }

std::string shapeText(const std::vector<int64_t> &s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i)
    t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

bool writeAll(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += w;
    n -= size_t(w);
  }
  return true;
}

/// Writes `header` (already padded) then the body to `path` atomically for
/// the entry point `fn`: `path.tmp.<pid>.<tid>` (per thread, so two threads
/// saving to one path never write the same temporary), fsync, rename over
/// `path`, then a
/// best-effort fsync of the directory. body(fd) returns WL_OK, or -1 after a
/// failed write (errno set), or an error status it has already recorded on m;
/// on any failure the temporary is removed and `path` is untouched.
template <class Body>
wl_status atomicWrite(wl_model *m, const char *fn, const char *path,
                      const std::string &header, Body &&body) {
  const std::string f = fn;
  std::string tmp = std::string(path) + ".tmp." +
                    std::to_string(long(::getpid())) + "." +
                    std::to_string(long(::gettid()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    return setError(m, WL_ERR_IO,
                    f + ": cannot create '" + tmp + "' (for '" + path +
                        "'): " + errnoText(err));
  }
  auto fail = [&](const char *what) {
    int err = errno;
    if (fd >= 0)
      ::close(fd);
    ::unlink(tmp.c_str());
    return setError(m, WL_ERR_IO,
                    f + ": " + what + " '" + tmp + "' (for '" + path +
                        "'): " + errnoText(err));
  };
  uint64_t n = header.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<unsigned char>(n >> (8 * i));
  if (!writeAll(fd, reinterpret_cast<const char *>(len), 8) ||
      !writeAll(fd, header.data(), header.size()))
    return fail("cannot write");
  int st;
  try {
    st = body(fd);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw; // the entry point's handler records the message
  }
  if (st == -1)
    return fail("cannot write");
  if (st != WL_OK) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return wl_status(st);
  }
  if (::fsync(fd) != 0)
    return fail("cannot fsync");
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0)
    return fail("cannot close");
  if (::rename(tmp.c_str(), path) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return setError(m, WL_ERR_IO,
                    f + ": cannot rename '" + tmp + "' to '" + path +
                        "': " + errnoText(err));
  }
  // Make the rename durable (best effort: some file systems refuse to fsync
  // a directory; the data itself is already on disk).
  std::string dir = path;
  size_t slash = dir.rfind('/');
  dir = slash == std::string::npos ? "."
                                   : (slash == 0 ? "/" : dir.substr(0, slash));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return WL_OK;
}

/// Appends `,"<name>":{"dtype":"<dtype>","shape":[..],"data_offsets":[b,e]}`.
void appendTensorHeader(std::string &header, const std::string &name,
                        const char *dtype, const std::vector<int64_t> &shape,
                        int64_t begin, int64_t end) {
  header += ',';
  appendJsonString(header, name);
  header += ":{\"dtype\":\"";
  header += dtype;
  header += "\",\"shape\":[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      header += ',';
    header += std::to_string(shape[i]);
  }
  header += "],\"data_offsets\":[" + std::to_string(begin) + "," +
            std::to_string(end) + "]}";
}

/// Pads a safetensors header with spaces to a multiple of 8 bytes.
void padHeader(std::string &header) {
  while (header.size() % 8 != 0)
    header += ' ';
}

wl_status saveImpl(wl_model *m, const char *path) {
  const Metadata &md = *m->md;
  std::vector<Entry> entries = checkpointEntries(md);

  std::string header = "{\"__metadata__\":{\"format\":\"wl\",\"model\":";
  appendJsonString(header, md.model);
  header += ",\"abi\":\"1\"}";
  static const std::vector<int64_t> scalar;
  int64_t pos = 0;
  for (const Entry &e : entries) {
    appendTensorHeader(header, e.name, e.isStep ? "I64" : "F32",
                       e.isStep ? scalar : *e.shape, pos, pos + e.bytes);
    pos += e.bytes;
  }
  header += '}';
  padHeader(header);

  return atomicWrite(m, "wl_save", path, header, [&](int fd) {
    for (const Entry &e : entries) {
      const char *src =
          e.isStep ? reinterpret_cast<const char *>(&m->step)
                   : reinterpret_cast<const char *>(m->arena + e.floatOffset);
      if (!writeAll(fd, src, size_t(e.bytes)))
        return -1;
    }
    return int(WL_OK);
  });
}

/// wl_export_dense: every layer's effective weight "<layer>.weight" [OUT, IN]
/// and its bias "<layer>.bias" [OUT] (when it has one), F32, in layer order,
/// as a plain safetensors file (torch.nn.Linear's state_dict names).
wl_status exportImpl(wl_model *m, const char *path) {
  const char *fn = "wl_export_dense";
  const Metadata &md = *m->md;
  std::string header =
      "{\"__metadata__\":{\"format\":\"pt\",\"source\":\"wl\",\"model\":";
  appendJsonString(header, md.model);
  header += '}';
  int64_t pos = 0, widest = 0;
  std::vector<int> biasIndex(md.layers.size(), -1);
  for (size_t li = 0; li < md.layers.size(); ++li) {
    const LayerInfo &l = md.layers[li];
    const int64_t wbytes = l.out * l.in * int64_t(sizeof(float));
    appendTensorHeader(header, l.name + ".weight", "F32", {l.out, l.in}, pos,
                       pos + wbytes);
    pos += wbytes;
    widest = std::max(widest, l.out * l.in);
    if (l.bias.empty())
      continue;
    const int bi = md.findParam(l.bias);
    const ParamInfo &b = md.params[size_t(bi)];
    if (b.numel != l.out)
      return setError(m, WL_ERR_SHAPE,
                      std::string(fn) + ": layer '" + l.name + "': bias '" +
                          b.name + "' has shape " + shapeText(b.shape) +
                          ", expected [" + std::to_string(l.out) + "]");
    biasIndex[li] = bi;
    appendTensorHeader(header, l.name + ".bias", "F32", {l.out}, pos,
                       pos + l.out * int64_t(sizeof(float)));
    pos += l.out * int64_t(sizeof(float));
  }
  header += '}';
  padHeader(header);

  std::vector<float> w(static_cast<size_t>(widest));
  return atomicWrite(m, fn, path, header, [&](int fd) -> int {
    for (size_t li = 0; li < md.layers.size(); ++li) {
      const LayerInfo &l = md.layers[li];
      if (wl_status st = effectiveWeight(m, int(li), w.data(), fn))
        return st; // message recorded on m
      const int64_t n = l.out * l.in;
      for (int64_t k = 0; k < n; ++k)
        if (!std::isfinite(w[size_t(k)]))
          return setError(m, WL_ERR_NONFINITE,
                          std::string(fn) + ": layer '" + l.name +
                              "' has a non-finite weight at [" +
                              std::to_string(k / l.in) + ", " +
                              std::to_string(k % l.in) +
                              "]; nothing written to '" + path + "'");
      if (!writeAll(fd, reinterpret_cast<const char *>(w.data()),
                    size_t(n) * sizeof(float)))
        return -1;
      if (biasIndex[li] >= 0) {
        const ParamInfo &b = md.params[size_t(biasIndex[li])];
        const float *src = m->arena + b.offset;
        for (int64_t k = 0; k < b.numel; ++k)
          if (!std::isfinite(src[k]))
            return setError(m, WL_ERR_NONFINITE,
                            std::string(fn) + ": layer '" + l.name +
                                "' has a non-finite bias at [" +
                                std::to_string(k) + "]; nothing written to '" +
                                path + "'");
        if (!writeAll(fd, reinterpret_cast<const char *>(src),
                      size_t(b.numel) * sizeof(float)))
          return -1;
      }
    }
    return int(WL_OK);
  });
}

/// Reads the whole file; false with `err` set on failure.
bool readFile(const char *path, std::vector<char> &data, std::string &err) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = "cannot open '" + std::string(path) + "': " + errnoText(errno);
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    err = "cannot stat '" + std::string(path) + "': " + errnoText(errno);
    ::close(fd);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    err = "'" + std::string(path) + "' is not a regular file";
    ::close(fd);
    return false;
  }
  data.resize(size_t(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t r = ::read(fd, data.data() + got, data.size() - got);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      err = "cannot read '" + std::string(path) + "': " + errnoText(errno);
      ::close(fd);
      return false;
    }
    if (r == 0)
      break; // file shrank under us
    got += size_t(r);
  }
  data.resize(got);
  ::close(fd);
  return true;
}

wl_status loadImpl(wl_model *m, const char *path) {
  const Metadata &md = *m->md;
  const std::string where = std::string("wl_load: '") + path + "': ";
  std::vector<char> file;
  std::string err;
  if (!readFile(path, file, err))
    return setError(m, WL_ERR_IO, "wl_load: " + err);
  if (file.size() < 8)
    return setError(m, WL_ERR_IO,
                    where + "file too short (" + std::to_string(file.size()) +
                        " bytes) to be a safetensors file");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(static_cast<unsigned char>(file[size_t(i)])) << (8 * i);
  if (n > file.size() - 8 || n > kMaxHeader)
    return setError(m, WL_ERR_IO,
                    where + "header length " + std::to_string(n) +
                        " exceeds the file size (" +
                        std::to_string(file.size()) +
                        " bytes); truncated or not a safetensors file");
  JsonValue root;
  if (!parseJson(std::string_view(file.data() + 8, size_t(n)), root, err))
    return setError(m, WL_ERR_IO, where + "invalid JSON header " + err);
  if (!root.isObject())
    return setError(m, WL_ERR_IO, where + "the header is not a JSON object");
  const uint64_t dataSize = file.size() - 8 - n;
  const char *data = file.data() + 8 + n;

  const JsonValue *meta = root.get("__metadata__");
  const JsonValue *model = meta ? meta->get("model") : nullptr;
  if (!model || !model->isString())
    return setError(m, WL_ERR_IO,
                    where + "no __metadata__.model (not a wl checkpoint)");
  if (model->text != md.model)
    return setError(m, WL_ERR_IO,
                    where + "checkpoint of model '" + model->text +
                        "', but this library is model '" + md.model + "'");

  std::vector<Entry> entries = checkpointEntries(md);
  std::vector<const char *> src(entries.size(), nullptr);
  std::vector<std::pair<int64_t, int64_t>> range(
      entries.size()); // data_offsets of each entry
  for (const auto &member : root.members) {
    const std::string &name = member.first;
    if (name == "__metadata__")
      continue;
    size_t k = 0;
    while (k < entries.size() && entries[k].name != name)
      ++k;
    if (k == entries.size())
      return setError(m, WL_ERR_IO, where + "unexpected tensor '" + name + "'");
    const Entry &e = entries[k];
    const JsonValue &t = member.second;
    const JsonValue *dtype = t.get("dtype");
    const JsonValue *shape = t.get("shape");
    const JsonValue *offs = t.get("data_offsets");
    if (!dtype || !dtype->isString() || !shape || !shape->isArray() || !offs ||
        !offs->isArray() || offs->items.size() != 2)
      return setError(m, WL_ERR_IO,
                      where + "tensor '" + name +
                          "' needs dtype, shape and data_offsets [begin, end]");
    const char *want = e.isStep ? "I64" : "F32";
    if (dtype->text != want)
      return setError(m, WL_ERR_SHAPE,
                      where + "tensor '" + name + "' has dtype " + dtype->text +
                          ", expected " + want);
    std::vector<int64_t> got;
    for (const JsonValue &d : shape->items) {
      int64_t x;
      if (!d.asInt64(x))
        return setError(m, WL_ERR_IO,
                        where + "tensor '" + name +
                            "' has a non-integer dimension");
      got.push_back(x);
    }
    static const std::vector<int64_t> scalar;
    const std::vector<int64_t> &expect = e.isStep ? scalar : *e.shape;
    if (got != expect)
      return setError(m, WL_ERR_SHAPE,
                      where + "tensor '" + name + "' has shape " +
                          shapeText(got) + ", expected " + shapeText(expect));
    int64_t b, end;
    if (!offs->items[0].asInt64(b) || !offs->items[1].asInt64(end))
      return setError(m, WL_ERR_IO,
                      where + "tensor '" + name +
                          "' has data_offsets that are not 64-bit integers");
    if (b < 0 || end < b)
      return setError(m, WL_ERR_IO,
                      where + "tensor '" + name +
                          "' has invalid data_offsets [" + std::to_string(b) +
                          ", " + std::to_string(end) +
                          "] (need 0 <= begin <= end)");
    if (uint64_t(end) > dataSize)
      return setError(m, WL_ERR_IO,
                      where + "tensor '" + name +
                          "' has data_offsets outside the data section of " +
                          std::to_string(dataSize) +
                          " bytes (truncated file?)");
    if (end - b != e.bytes)
      return setError(
          m, WL_ERR_SHAPE,
          where + "tensor '" + name + "' has " + std::to_string(end - b) +
              " bytes of data, expected " + std::to_string(e.bytes));
    src[k] = data + b;
    range[k] = {b, end};
  }
  // No two tensors may share bytes (safetensors forbids it; a corrupted
  // header could otherwise load one tensor's data into another).
  std::vector<size_t> order;
  for (size_t k = 0; k < entries.size(); ++k)
    if (src[k] && range[k].second > range[k].first)
      order.push_back(k);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return range[a] < range[b]; });
  for (size_t i = 1; i < order.size(); ++i) {
    const size_t a = order[i - 1], b = order[i];
    if (range[b].first < range[a].second)
      return setError(m, WL_ERR_IO,
                      where + "tensors '" + entries[a].name + "' [" +
                          std::to_string(range[a].first) + ", " +
                          std::to_string(range[a].second) + ") and '" +
                          entries[b].name + "' [" +
                          std::to_string(range[b].first) + ", " +
                          std::to_string(range[b].second) +
                          ") have overlapping data_offsets");
  }
  for (size_t k = 0; k < entries.size(); ++k)
    if (!src[k])
      return setError(m, WL_ERR_IO,
                      where + "missing tensor '" + entries[k].name + "'");
  int64_t step = 0;
  for (size_t k = 0; k < entries.size(); ++k)
    if (entries[k].isStep) {
      std::memcpy(&step, src[k], 8);
      if (step < 0)
        return setError(m, WL_ERR_IO,
                        where + "optim.step is negative (" +
                            std::to_string(step) + ")");
    }

  // Everything checked: commit.
  for (size_t k = 0; k < entries.size(); ++k)
    if (!entries[k].isStep)
      std::memcpy(m->arena + entries[k].floatOffset, src[k],
                  size_t(entries[k].bytes));
  m->step = step;
  m->stepOpen = false; // a sharded step in progress is discarded
  return WL_OK;
}

/// pread exactly n bytes at `off`; false with errno set (0 for end of file).
bool preadAll(int fd, char *p, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, off_t(off));
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    if (r == 0) {
      errno = 0;
      return false;
    }
    p += r;
    n -= size_t(r);
    off += uint64_t(r);
  }
  return true;
}

/// IEEE binary16 → binary32 (exact; NaN payloads kept in the high bits).
float halfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else { // subnormal: mant · 2^-24, normal in float
    float f = float(mant) * (1.0f / 16777216.0f);
    std::memcpy(&bits, &f, 4);
    bits |= sign;
  }
  float out;
  std::memcpy(&out, &bits, 4);
  return out;
}

/// Closes the descriptor on every path out of readTensorFile.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

namespace wlrt {

void readTensorFile(const std::string &path, const std::string &tensor,
                    const std::vector<int64_t> &shape, float *out) {
  const std::string where =
      "cannot read tensor '" + tensor + "' from '" + path + "': ";
  auto fail = [&](const std::string &why) {
    throw std::runtime_error(where + why);
  };
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0)
    fail(errnoText(errno));
  struct stat st;
  if (::fstat(f.fd, &st) != 0)
    fail("cannot stat: " + errnoText(errno));
  if (!S_ISREG(st.st_mode))
    fail("not a regular file");
  const uint64_t size = uint64_t(st.st_size);
  auto readErr = [&](const char *what) {
    fail(std::string("cannot read ") + what + ": " +
         (errno ? errnoText(errno) : std::string("unexpected end of file")));
  };
  if (size < 8)
    fail("file too short (" + std::to_string(size) +
         " bytes) to be a safetensors file");
  unsigned char len[8];
  if (!preadAll(f.fd, reinterpret_cast<char *>(len), 8, 0))
    readErr("the header length");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(len[i]) << (8 * i);
  if (n > size - 8 || n > kMaxHeader)
    fail("header length " + std::to_string(n) + " exceeds the file size (" +
         std::to_string(size) + " bytes); truncated or not a safetensors file");
  std::string text(size_t(n), '\0');
  if (n > 0 && !preadAll(f.fd, &text[0], size_t(n), 8))
    readErr("the header");
  JsonValue root;
  std::string err;
  if (!parseJson(text, root, err))
    fail("invalid JSON header " + err);
  if (!root.isObject())
    fail("the header is not a JSON object");
  const JsonValue *t = nullptr;
  size_t count = 0;
  std::string names;
  for (const auto &member : root.members) {
    if (member.first == "__metadata__")
      continue;
    if (member.first == tensor)
      t = &member.second;
    if (count < 8)
      names += (count ? ", '" : "'") + member.first + "'";
    ++count;
  }
  if (!t)
    fail("no such tensor; the file has " + std::to_string(count) +
         (count == 1 ? " tensor" : " tensors") +
         (count ? ": " + names : std::string()) + (count > 8 ? ", ..." : ""));
  const JsonValue *dtype = t->get("dtype");
  const JsonValue *shp = t->get("shape");
  const JsonValue *offs = t->get("data_offsets");
  if (!dtype || !dtype->isString() || !shp || !shp->isArray() || !offs ||
      !offs->isArray() || offs->items.size() != 2)
    fail("the tensor's entry needs dtype, shape and data_offsets [begin, end]");
  size_t width = 0;
  if (dtype->text == "F32")
    width = 4;
  else if (dtype->text == "F64")
    width = 8;
  else if (dtype->text == "F16" || dtype->text == "BF16")
    width = 2;
  else
    fail("unsupported dtype " + dtype->text +
         " (supported: F32, F64, F16, BF16)");
  std::vector<int64_t> got;
  for (const JsonValue &d : shp->items) {
    int64_t x;
    if (!d.asInt64(x) || x < 0)
      fail("the tensor has a dimension that is not a non-negative integer");
    got.push_back(x);
  }
  if (got != shape)
    fail("shape " + shapeText(got) + " in the file vs " + shapeText(shape) +
         " expected");
  int64_t numel = 1;
  for (int64_t d : shape)
    numel *= d;
  const uint64_t dataSize = size - 8 - n;
  int64_t b, e;
  if (!offs->items[0].asInt64(b) || !offs->items[1].asInt64(e) || b < 0 ||
      e < b || uint64_t(e) > dataSize)
    fail("data_offsets outside the data section of " +
         std::to_string(dataSize) + " bytes (truncated file?)");
  if (uint64_t(e - b) != uint64_t(numel) * width)
    fail(std::to_string(e - b) + " bytes of data, expected " +
         std::to_string(uint64_t(numel) * width) + " for " + dtype->text + " " +
         shapeText(shape));
  const uint64_t at = 8 + n + uint64_t(b);
  if (width == 4) {
    if (numel > 0 &&
        !preadAll(f.fd, reinterpret_cast<char *>(out), size_t(numel) * 4, at))
      readErr("the data");
    return;
  }
  std::vector<unsigned char> raw(size_t(numel) * width);
  if (numel > 0 &&
      !preadAll(f.fd, reinterpret_cast<char *>(raw.data()), raw.size(), at))
    readErr("the data");
  for (int64_t i = 0; i < numel; ++i) {
    const unsigned char *q = raw.data() + size_t(i) * width;
    if (width == 8) {
      double d;
      std::memcpy(&d, q, 8);
      out[i] = float(d);
    } else if (dtype->text == "F16") {
      out[i] = halfToFloat(uint16_t(q[0] | (q[1] << 8)));
    } else { // BF16: the high half of a float
      const uint32_t bits = uint32_t(q[0] | (q[1] << 8)) << 16;
      std::memcpy(&out[i], &bits, 4);
    }
  }
}

} // namespace wlrt

namespace {

/// Runs impl(m, path) for the checkpoint entry point `fn`: NULL arguments
/// are WL_ERR_ARG, anything impl throws is WL_ERR_IO naming the file.
wl_status checkpointCall(wl_model *m, const char *path, const char *fn,
                         wl_status (*impl)(wl_model *, const char *)) {
  if (!m)
    return setError(nullptr, WL_ERR_ARG, std::string(fn) + ": model is NULL");
  if (!path)
    return setError(m, WL_ERR_ARG, std::string(fn) + ": path is NULL");
  return catchAll([&] { return impl(m, path); },
                  [&](const std::exception *e) {
                    return setError(m, WL_ERR_IO,
                                    std::string(fn) + ": '" + path + "': " +
                                        (e ? e->what() : "internal error"));
                  });
}

} // namespace

extern "C" {

WL_API wl_status wl_save(wl_model *m, const char *path) {
  return checkpointCall(m, path, "wl_save", saveImpl);
}

WL_API wl_status wl_load(wl_model *m, const char *path) {
  return checkpointCall(m, path, "wl_load", loadImpl);
}

WL_API wl_status wl_export_dense(wl_model *m, const char *path) {
  return checkpointCall(m, path, "wl_export_dense", exportImpl);
}

} // extern "C"
