"""Reading and writing safetensors files with numpy only (no `safetensors` module).

Format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
length N, N bytes of a JSON object {"name": {"dtype": "F32", "shape": [..],
"data_offsets": [begin, end]}, ..., "__metadata__": {"key": "value"}} padded with
spaces to a multiple of 8, then the tensors' little-endian bytes, back to back
(offsets relative to the end of the header). Files written here load with
safetensors.numpy / safetensors.torch, in wlc's `from("file", "tensor")` inits and
in wl_load; files of wl_save / wl_export_dense and of torch load here.

    save_file({"w": np.zeros((2, 3), np.float32)}, "f.safetensors", metadata={"k": "v"})
    save_file({"w": w}, "f.safetensors", dtypes={"w": "BF16"})   # store as bfloat16
    tensors = load_file("f.safetensors")      # {"w": array}, in the file's order
    meta = load_metadata("f.safetensors")     # {"k": "v"} or {}

Stored dtypes and the numpy dtypes they load as: F64 float64, F32 float32, F16 float16,
BF16 float32 (exact widening; numpy has no bfloat16), I64 int64, I32 int32, I16 int16,
I8 int8, U64 uint64, U32 uint32, U16 uint16, U8 uint8, BOOL bool.
"""
import json
import os
import tempfile

import numpy as np

__all__ = ["save_file", "load_file", "load_metadata", "DTYPES"]

#: safetensors dtype -> numpy dtype (little-endian) of its storage; BF16 is special-cased
DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"), "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"), "U32": np.dtype("<u4"), "U16": np.dtype("<u2"), "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_BF16_STORAGE = np.dtype("<u2")
_NAME_OF = {v.newbyteorder("=") if v.itemsize > 1 else v: k for k, v in DTYPES.items()}
_MAX_HEADER = 100 << 20  # what wlc's runtime (and safetensors) accept


def _to_bf16_bits(a):
    """float -> bfloat16 bit patterns (uint16), rounding to nearest even; NaN stays NaN."""
    f = np.asarray(a, dtype=np.float32, order="C")  # (ascontiguousarray makes 0-d 1-d)
    u = f.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(f)
    if nan.any():
        rounded[nan] = ((u[nan] >> 16).astype(np.uint16) | np.uint16(0x0040))  # quiet NaN
    return rounded


def _from_bf16_bits(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def _storage(name, a, want):
    """(safetensors dtype, little-endian C-contiguous array to write) for tensor `name`."""
    if not isinstance(a, np.ndarray):
        if isinstance(a, np.generic):
            a = np.asarray(a)
        else:
            raise TypeError("tensor %r must be a numpy.ndarray (got %s)" % (name, type(a).__name__))
    if want is None:
        key = a.dtype.newbyteorder("=") if a.dtype.itemsize > 1 else a.dtype
        dt = _NAME_OF.get(key)
        if dt is None:
            raise TypeError("tensor %r has dtype %s, which safetensors cannot store (supported: %s)"
                            % (name, a.dtype, ", ".join(str(d) for d in _NAME_OF)))
    else:
        dt = want
    if dt == "BF16":
        if a.dtype.kind != "f":
            raise TypeError("tensor %r: BF16 storage needs a floating-point array (got %s)"
                            % (name, a.dtype))
        return dt, _to_bf16_bits(a).astype(_BF16_STORAGE, copy=False)
    if dt not in DTYPES:
        raise ValueError("tensor %r: unknown safetensors dtype %r (supported: %s)"
                         % (name, dt, ", ".join(list(DTYPES) + ["BF16"])))
    with np.errstate(over="ignore"):  # e.g. F64 -> F16 beyond 65504 gives inf, as asked
        return dt, a.astype(DTYPES[dt], order="C", copy=False)


def save_file(tensors, path, metadata=None, *, dtypes=None):
    """Writes `tensors` (a mapping name -> numpy array) to a safetensors file at `path`,
    in the mapping's order, atomically (a temporary file in the same directory, then
    rename). `metadata`: optional {str: str} stored as "__metadata__". `dtypes`: optional
    {name: safetensors dtype} to store a tensor in another dtype than its own, e.g.
    {"w": "BF16"} (round to nearest even) or {"w": "F16"}; arrays of a dtype without a
    safetensors name (e.g. float128, complex) raise TypeError."""
    if not hasattr(tensors, "items"):
        raise TypeError("tensors must be a mapping of name -> numpy.ndarray")
    dtypes = dict(dtypes or {})
    unknown = [k for k in dtypes if k not in tensors]
    if unknown:
        raise KeyError("dtypes names tensors that are not being saved: %s" % ", ".join(map(repr, unknown)))
    header = {}
    if metadata is not None:
        if not hasattr(metadata, "items") or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("metadata must be a dict of str -> str")
        header["__metadata__"] = dict(metadata)
    blobs = []
    pos = 0
    for name, a in tensors.items():
        if not isinstance(name, str) or not name:
            raise TypeError("tensor names must be non-empty str (got %r)" % (name,))
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved; pass metadata=... instead")
        dt, data = _storage(name, a, dtypes.get(name))
        nbytes = data.size * data.itemsize
        header[name] = {"dtype": dt, "shape": [int(d) for d in data.shape],
                        "data_offsets": [pos, pos + nbytes]}
        blobs.append(data)
        pos += nbytes
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)
    path = os.fspath(path)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(len(text).to_bytes(8, "little"))
            f.write(text)
            for data in blobs:
                if data.size:
                    f.write(data.reshape(-1).view(np.uint8).data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


def _read_header(f, path):
    size = os.fstat(f.fileno()).st_size
    raw = f.read(8)
    if len(raw) != 8:
        raise ValueError("%s: not a safetensors file (shorter than its 8-byte header length)" % path)
    n = int.from_bytes(raw, "little")
    if n > size - 8:
        raise ValueError("%s: header length %d exceeds the file size %d (truncated or not a "
                         "safetensors file)" % (path, n, size))
    if n > _MAX_HEADER:
        raise ValueError("%s: header length %d exceeds the 100 MiB limit" % (path, n))
    try:
        header = json.loads(f.read(n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError("%s: invalid JSON header: %s" % (path, e)) from None
    if not isinstance(header, dict):
        raise ValueError("%s: the header is not a JSON object" % path)
    return header, 8 + n, size - 8 - n


def load_metadata(path):
    """The "__metadata__" dict of a safetensors file ({} when it has none)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        header, _, _ = _read_header(f, path)
    meta = header.get("__metadata__") or {}
    if not isinstance(meta, dict):
        raise ValueError("%s: __metadata__ is not a JSON object" % path)
    return meta


def load_file(path):
    """Reads every tensor of a safetensors file: {name: numpy array} in the file's order
    (BF16 widened to float32 exactly; other dtypes as in DTYPES). Each tensor is read
    straight into its own array (a multi-gigabyte file is not held twice)."""
    path = os.fspath(path)
    out = {}
    with open(path, "rb") as f:
        header, start, data_len = _read_header(f, path)
        for name, e in header.items():
            if name == "__metadata__":
                continue
            where = "%s: tensor %r" % (path, name)
            if not isinstance(e, dict):
                raise ValueError("%s: its entry is not a JSON object" % where)
            dt, shape, offs = e.get("dtype"), e.get("shape"), e.get("data_offsets")
            if not isinstance(dt, str) or not isinstance(shape, list) or not isinstance(offs, list) \
                    or len(offs) != 2 or not all(type(v) is int and v >= 0 for v in shape + offs):
                raise ValueError("%s: needs dtype, shape [non-negative ints] and data_offsets "
                                 "[begin, end]" % where)
            if dt == "BF16":
                storage = _BF16_STORAGE
            elif dt in DTYPES:
                storage = DTYPES[dt]
            else:
                raise ValueError("%s: unsupported dtype %s (supported: %s)"
                                 % (where, dt, ", ".join(list(DTYPES) + ["BF16"])))
            b, end = offs
            numel = int(np.prod(shape, dtype=np.int64)) if shape else 1
            if not b <= end <= data_len:
                raise ValueError("%s: data_offsets [%d, %d] outside the data section of %d bytes "
                                 "(truncated file?)" % (where, b, end, data_len))
            if end - b != numel * storage.itemsize:
                raise ValueError("%s: %d bytes for %s %s (expected %d)"
                                 % (where, end - b, dt, shape, numel * storage.itemsize))
            a = np.empty(tuple(shape), storage)
            if numel:
                f.seek(start + b)
                got = f.readinto(a.reshape(-1).view(np.uint8))
                if got != end - b:
                    raise ValueError("%s: short read (file changed while reading?)" % where)
            if dt == "BF16":
                a = _from_bf16_bits(a)
            elif not storage.isnative:  # a big-endian host
                a = a.astype(storage.newbyteorder("="))
            out[name] = a
    return out
