"""Writes the safetensors file that docs/examples/init_from.wl reads.

    make_safetensors.py OUT.safetensors

The format by hand (no safetensors package needed): an 8-byte little-endian
header length N, N bytes of JSON header (padded with spaces to a multiple of 8),
then the raw little-endian tensor data at the header's data_offsets.
Tensors: fc1.weight F32 [32, 16], fc1.bias F32 [32], head.weight F64 [4, 32]
(wl_create converts F64, F16 and BF16 to float32).
"""
import json
import struct
import sys

import numpy as np


def write_safetensors(path, tensors):
    dtypes = {np.float32: "F32", np.float64: "F64", np.float16: "F16"}
    header, blobs, offset = {"__metadata__": {"source": "docs example"}}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtypes[array.dtype.type], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    write_safetensors(sys.argv[1], {
        "fc1.weight": (rng.standard_normal((32, 16)) / 4).astype(np.float32),
        "fc1.bias": np.zeros(32, np.float32),
        "head.weight": rng.standard_normal((4, 32)) / np.sqrt(32),  # float64
    })
