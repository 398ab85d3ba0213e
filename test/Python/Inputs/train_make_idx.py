"""Writes a broken Fashion-MNIST directory for test/Python/train_errors.test.

    train_make_idx.py DIR bad-magic|truncated|mismatch

bad-magic: the image file says 1-dimensional (0x00000801); truncated: the image
header says 10x28x28 but 7000 bytes follow; mismatch: 10 images, 9 labels.
The t10k files are valid (10 examples) in every case.
"""
import gzip
import os
import struct
import sys


def write(path, magic, dims, nbytes):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims))
        f.write(bytes(i % 10 for i in range(nbytes)))


def main():
    d, kind = sys.argv[1], sys.argv[2]
    os.makedirs(d, exist_ok=True)
    for prefix in ("train", "t10k"):
        broken = prefix == "train"
        images = os.path.join(d, prefix + "-images-idx3-ubyte.gz")
        labels = os.path.join(d, prefix + "-labels-idx1-ubyte.gz")
        nlabels = 9 if broken and kind == "mismatch" else 10
        if broken and kind == "bad-magic":
            write(images, 0x801, [10 * 28 * 28], 10 * 28 * 28)
        elif broken and kind == "truncated":
            write(images, 0x803, [10, 28, 28], 7000)
        else:
            write(images, 0x803, [10, 28, 28], 10 * 28 * 28)
        write(labels, 0x801, [nlabels], nlabels)


if __name__ == "__main__":
    main()
