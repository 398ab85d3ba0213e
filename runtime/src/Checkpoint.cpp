//===- Checkpoint.cpp - wl_save / wl_load in the safetensors format --------===//
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

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fcntl.h>
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
  bool isStep = false;          ///< "optim.step": I64, shape []
  const std::vector<int64_t> *shape = nullptr;
  int64_t floatOffset = 0;      ///< into the arena (F32 entries)
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
      e.shape = &s.shape; // the state's own shape ("shape" in its metadata entry)
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

std::string errnoText(int err) { return std::strerror(err); }

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

wl_status saveImpl(wl_model *m, const char *path) {
  const Metadata &md = *m->md;
  std::vector<Entry> entries = checkpointEntries(md);

  std::string header = "{\"__metadata__\":{\"format\":\"wl\",\"model\":";
  appendJsonString(header, md.model);
  header += ",\"abi\":\"1\"}";
  int64_t pos = 0;
  for (const Entry &e : entries) {
    header += ',';
    appendJsonString(header, e.name);
    header += e.isStep ? ":{\"dtype\":\"I64\",\"shape\":[" : ":{\"dtype\":\"F32\",\"shape\":[";
    if (!e.isStep)
      for (size_t i = 0; i < e.shape->size(); ++i) {
        if (i)
          header += ',';
        header += std::to_string((*e.shape)[i]);
      }
    header += "],\"data_offsets\":[" + std::to_string(pos) + "," +
              std::to_string(pos + e.bytes) + "]}";
    pos += e.bytes;
  }
  header += '}';
  while (header.size() % 8 != 0)
    header += ' ';

  std::string tmp = std::string(path) + ".tmp." + std::to_string(long(::getpid()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    return setError(m, WL_ERR_IO,
                    "wl_save: cannot create '" + tmp + "' (for '" + path + "'): " + errnoText(err));
  }
  auto fail = [&](const char *what) {
    int err = errno;
    if (fd >= 0)
      ::close(fd);
    ::unlink(tmp.c_str());
    return setError(m, WL_ERR_IO,
                    std::string("wl_save: ") + what + " '" + tmp + "' (for '" + path +
                        "'): " + errnoText(err));
  };
  uint64_t n = header.size();
  unsigned char len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<unsigned char>(n >> (8 * i));
  if (!writeAll(fd, reinterpret_cast<const char *>(len), 8) ||
      !writeAll(fd, header.data(), header.size()))
    return fail("cannot write");
  for (const Entry &e : entries) {
    const char *src = e.isStep ? reinterpret_cast<const char *>(&m->step)
                               : reinterpret_cast<const char *>(m->arena + e.floatOffset);
    if (!writeAll(fd, src, size_t(e.bytes)))
      return fail("cannot write");
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
                    "wl_save: cannot rename '" + tmp + "' to '" + path + "': " + errnoText(err));
  }
  // Make the rename durable (best effort: some file systems refuse to fsync
  // a directory; the data itself is already on disk).
  std::string dir = path;
  size_t slash = dir.rfind('/');
  dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : dir.substr(0, slash));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return WL_OK;
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

std::string shapeText(const std::vector<int64_t> &s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i)
    t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

wl_status loadImpl(wl_model *m, const char *path) {
  const Metadata &md = *m->md;
  const std::string where = std::string("wl_load: '") + path + "': ";
  std::vector<char> file;
  std::string err;
  if (!readFile(path, file, err))
    return setError(m, WL_ERR_IO, "wl_load: " + err);
  if (file.size() < 8)
    return setError(m, WL_ERR_IO, where + "file too short (" + std::to_string(file.size()) +
                                      " bytes) to be a safetensors file");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(static_cast<unsigned char>(file[size_t(i)])) << (8 * i);
  const uint64_t kMaxHeader = uint64_t(100) << 20;
  if (n > file.size() - 8 || n > kMaxHeader)
    return setError(m, WL_ERR_IO, where + "header length " + std::to_string(n) +
                                      " exceeds the file size (" + std::to_string(file.size()) +
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
    return setError(m, WL_ERR_IO, where + "no __metadata__.model (not a wl checkpoint)");
  if (model->text != md.model)
    return setError(m, WL_ERR_IO, where + "checkpoint of model '" + model->text +
                                      "', but this library is model '" + md.model + "'");

  std::vector<Entry> entries = checkpointEntries(md);
  std::vector<const char *> src(entries.size(), nullptr);
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
      return setError(m, WL_ERR_IO, where + "tensor '" + name +
                                        "' needs dtype, shape and data_offsets [begin, end]");
    const char *want = e.isStep ? "I64" : "F32";
    if (dtype->text != want)
      return setError(m, WL_ERR_SHAPE, where + "tensor '" + name + "' has dtype " +
                                           dtype->text + ", expected " + want);
    std::vector<int64_t> got;
    for (const JsonValue &d : shape->items) {
      int64_t x;
      if (!d.asInt64(x))
        return setError(m, WL_ERR_IO,
                        where + "tensor '" + name + "' has a non-integer dimension");
      got.push_back(x);
    }
    static const std::vector<int64_t> scalar;
    const std::vector<int64_t> &expect = e.isStep ? scalar : *e.shape;
    if (got != expect)
      return setError(m, WL_ERR_SHAPE, where + "tensor '" + name + "' has shape " +
                                           shapeText(got) + ", expected " + shapeText(expect));
    int64_t b, end;
    if (!offs->items[0].asInt64(b) || !offs->items[1].asInt64(end) || b < 0 || end < b ||
        uint64_t(end) > dataSize)
      return setError(m, WL_ERR_IO, where + "tensor '" + name +
                                        "' has data_offsets outside the data section of " +
                                        std::to_string(dataSize) + " bytes (truncated file?)");
    if (end - b != e.bytes)
      return setError(m, WL_ERR_SHAPE, where + "tensor '" + name + "' has " +
                                           std::to_string(end - b) + " bytes of data, expected " +
                                           std::to_string(e.bytes));
    src[k] = data + b;
  }
  for (size_t k = 0; k < entries.size(); ++k)
    if (!src[k])
      return setError(m, WL_ERR_IO, where + "missing tensor '" + entries[k].name + "'");
  int64_t step = 0;
  for (size_t k = 0; k < entries.size(); ++k)
    if (entries[k].isStep) {
      std::memcpy(&step, src[k], 8);
      if (step < 0)
        return setError(m, WL_ERR_IO, where + "optim.step is negative (" +
                                          std::to_string(step) + ")");
    }

  // Everything checked: commit.
  for (size_t k = 0; k < entries.size(); ++k)
    if (!entries[k].isStep)
      std::memcpy(m->arena + entries[k].floatOffset, src[k], size_t(entries[k].bytes));
  m->step = step;
  return WL_OK;
}

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
                                    std::string(fn) + ": '" + path +
                                        "': " + (e ? e->what() : "internal error"));
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

} // extern "C"
