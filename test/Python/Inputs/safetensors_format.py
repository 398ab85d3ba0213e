"""wl.safetensors: the byte format (8-byte little-endian header length, JSON header padded
with spaces to a multiple of 8, back-to-back data in insertion order), round trips of
every dtype (F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL) with metadata, 0-d and
empty tensors, BF16 rounding against torch's, a file from an independent minimal writer,
and the errors. The bytes are read, and the broken files made, with safetensors_raw
(test/Integration/Inputs), not with the reader under test. argv[1]: a scratch directory (%t)."""
import json
import os
import sys

import numpy as np
import torch

import safetensors_raw
from pycheck import check, guarded, raises, workdir

from wl.safetensors import load_file, load_metadata, save_file


def raw_header(path):
    """(header length, header bytes as stored, data section): safetensors_raw, not the reader
    under test."""
    with open(path, "rb") as f:
        data = f.read()
    return (safetensors_raw.header_length(data),) + safetensors_raw.parts(data)


def main():
    t = workdir(sys.argv[1])
    rng = np.random.default_rng(4)
    tensors = {
        "f64": rng.standard_normal((3, 4)),
        "f32": rng.standard_normal((2, 3, 4)).astype(np.float32),
        "f16": rng.standard_normal(7).astype(np.float16),
        "i64": rng.integers(-2 ** 62, 2 ** 62, (5,), dtype=np.int64),
        "i32": rng.integers(-2 ** 31, 2 ** 31, (2, 2), dtype=np.int32),
        "i16": rng.integers(-2 ** 15, 2 ** 15, (3,), dtype=np.int16),
        "i8": rng.integers(-128, 128, (3,), dtype=np.int8),
        "u64": rng.integers(0, 2 ** 63, (2,), dtype=np.uint64) * np.uint64(2),
        "u32": rng.integers(0, 2 ** 32, (2,), dtype=np.uint32),
        "u16": rng.integers(0, 2 ** 16, (3,), dtype=np.uint16),
        "u8": rng.integers(0, 256, (5,), dtype=np.uint8),
        "bool": rng.integers(0, 2, (3,)).astype(bool),
        "scalar": np.array(3.5, np.float32),
        "empty": np.zeros((0, 3), np.float32),
        "bf16": rng.standard_normal((4, 4)).astype(np.float32),
    }
    meta = {"format": "pt", "note": "ünïcode \"quoted\""}
    path = os.path.join(t, "all.safetensors")
    save_file(tensors, path, metadata=meta, dtypes={"bf16": "BF16"})

    # the bytes
    n, header, data = raw_header(path)
    check("header_padded", n % 8 == 0 and len(header) == n and header.rstrip(b" ") != header[:0]
          and header[len(header.rstrip(b" ")):] == b" " * (n - len(header.rstrip(b" "))))
    h = json.loads(header.decode("utf-8"))
    names = [k for k in h if k != "__metadata__"]
    check("header_order", names == list(tensors), names)
    check("header_metadata", h.get("__metadata__") == meta, h.get("__metadata__"))
    want_dt = {"f64": "F64", "f32": "F32", "f16": "F16", "i64": "I64", "i32": "I32", "i16": "I16",
               "i8": "I8", "u64": "U64", "u32": "U32", "u16": "U16", "u8": "U8", "bool": "BOOL",
               "scalar": "F32", "empty": "F32", "bf16": "BF16"}
    check("header_dtypes", {k: h[k]["dtype"] for k in names} == want_dt)
    check("header_shapes", all(h[k]["shape"] == list(tensors[k].shape) for k in names))
    pos, contiguous = 0, True
    for k in names:
        b, e = h[k]["data_offsets"]
        contiguous &= b == pos
        pos = e
    check("data_contiguous", contiguous and pos == len(data), (pos, len(data)))
    b, e = h["f32"]["data_offsets"]
    check("data_little_endian", data[b:e] == tensors["f32"].astype("<f4").tobytes())

    # round trip
    back = load_file(path)
    check("roundtrip_names", list(back) == list(tensors))
    exact = [k for k in tensors if k != "bf16"]
    check("roundtrip_values", all(back[k].dtype == tensors[k].dtype and back[k].shape == tensors[k].shape
                                  and np.array_equal(back[k], tensors[k]) for k in exact),
          [k for k in exact if not np.array_equal(back[k], tensors[k])])
    check("roundtrip_metadata", load_metadata(path) == meta)
    check("roundtrip_writeable", all(v.flags.writeable for v in back.values()))

    # BF16: round to nearest even, as torch; loads widened to float32
    special = np.array([0.0, -0.0, 1.0, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, -2.5,
                        np.inf, -np.inf, np.finfo(np.float32).max, np.finfo(np.float32).tiny,
                        1e-40, 3.0e38, 65504.0, 1 / 3], np.float32)
    vals = np.concatenate([special, rng.standard_normal(1000).astype(np.float32) * 100])
    bpath = os.path.join(t, "bf16.safetensors")
    save_file({"v": vals, "nan": np.array([np.nan], np.float32)}, bpath, dtypes={"v": "BF16", "nan": "BF16"})
    _, header, data = raw_header(bpath)
    hb = json.loads(header)
    b, e = hb["v"]["data_offsets"]
    bits = np.frombuffer(data[b:e], "<u2")
    tbits = torch.tensor(vals).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    check("bf16_bits_vs_torch", np.array_equal(bits, tbits),
          np.nonzero(bits != tbits)[0][:5])
    back = load_file(bpath)
    check("bf16_loads_f32", back["v"].dtype == np.float32
          and np.array_equal(back["v"], torch.tensor(vals).to(torch.bfloat16).float().numpy()))
    check("bf16_nan", np.isnan(back["nan"][0]))
    save_file({"v": vals.astype(np.float64)}, bpath, dtypes={"v": "BF16"})
    check("bf16_from_f64", np.array_equal(load_file(bpath)["v"], back["v"]))
    save_file({"h": vals.astype(np.float64)}, bpath, dtypes={"h": "F16"})
    with np.errstate(over="ignore"):
        want16 = vals.astype(np.float16)
    check("f16_conversion", np.array_equal(load_file(bpath)["h"], want16)
          and load_file(bpath)["h"].dtype == np.float16)

    # inputs that are not native, contiguous float32
    odd = {"be": np.arange(6, dtype=">f4").reshape(2, 3), "t": np.arange(6, dtype=np.float32).reshape(2, 3).T,
           "s": np.arange(10, dtype=np.int32)[::3]}
    save_file(odd, bpath)
    back = load_file(bpath)
    check("noncontiguous_and_big_endian", all(np.array_equal(back[k], odd[k]) for k in odd)
          and load_metadata(bpath) == {} and raw_header(bpath)[1].find(b"__metadata__") < 0
          and back["be"].dtype == np.float32)

    # a file of an independent minimal writer: sorted names, unpadded header, offsets by hand
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.array([[1, -2]], np.int64)
    hdr = json.dumps({"b": {"dtype": "I64", "shape": [1, 2], "data_offsets": [0, 16]},
                      "a": {"dtype": "F32", "shape": [3, 4], "data_offsets": [16, 64]}})
    ipath = os.path.join(t, "indep.safetensors")
    with open(ipath, "wb") as f:
        f.write(safetensors_raw.join(None, b.tobytes() + a.tobytes(), raw_header=hdr, pad=False))
    back = load_file(ipath)
    check("independent_writer", list(back) == ["b", "a"] and np.array_equal(back["a"], a)
          and np.array_equal(back["b"], b))

    # errors
    with open(path, "rb") as f:
        whole = f.read()
    cut = os.path.join(t, "cut.safetensors")
    with open(cut, "wb") as f:
        f.write(whole[:-8])
    raises("truncated", ValueError, load_file, cut, contains=["outside the data section"])
    # valid files of save_file with one thing broken on purpose (safetensors_raw)
    save_file({"x": np.zeros(1, np.float32)}, cut)
    valid = open(cut, "rb").read()
    with open(cut, "wb") as f:
        f.write(safetensors_raw.relength(valid, 1000))
    raises("header_too_long", ValueError, load_file, cut, contains=["exceeds the file size"])
    with open(cut, "wb") as f:
        f.write(safetensors_raw.join(None, safetensors_raw.split(valid)[1], raw_header="{not js}"))
    raises("bad_json", ValueError, load_file, cut, contains=["invalid JSON"])
    with open(cut, "wb") as f:
        f.write(safetensors_raw.edited(valid, lambda h: h["x"].update(dtype="F8_E4M3")))
    raises("unsupported_dtype", ValueError, load_file, cut, contains=["F8_E4M3"])
    with open(cut, "wb") as f:
        f.write(safetensors_raw.edited(valid, lambda h: h["x"].update(shape=[2])))
    raises("size_mismatch", ValueError, load_file, cut, contains=["expected 8"])
    raises("missing_file", FileNotFoundError, load_file, os.path.join(t, "nope.safetensors"))

    before = open(path, "rb").read()
    raises("not_array", TypeError, save_file, {"x": [1.0, 2.0]}, path, contains=["'x'", "numpy"])
    raises("complex", TypeError, save_file, {"x": np.zeros(2, np.complex64)}, path,
           contains=["complex64"])
    raises("metadata_not_str", TypeError, save_file, {"x": np.zeros(2)}, path, metadata={"k": 1})
    raises("reserved_name", ValueError, save_file, {"__metadata__": np.zeros(2)}, path)
    raises("bf16_of_ints", TypeError, save_file, {"x": np.zeros(2, np.int32)}, path,
           dtypes={"x": "BF16"})
    check("failed_save_keeps_file", open(path, "rb").read() == before)
    check("no_temp_files", sorted(os.listdir(t)) == ["all.safetensors", "bf16.safetensors",
                                                     "cut.safetensors", "indep.safetensors"],
          os.listdir(t))


guarded(main)
