"""Runs every library compiled from docs/examples: create, 3 training steps on random
data, forward, a checkpoint; prints two lines per library for FileCheck:

    <name>: loss <first> <last>
    <name>: tensors <name>[<shape>] ... (every tensor of its checkpoint, in file order)

    run_examples.py EXAMPLES_DIR LIB_DIR

Fails (exit 1) when a docs/examples/*.wl has no LIB_DIR/<name>.so, on any non-OK
status, or on a non-finite loss or output.
"""
import ctypes
import glob
import math
import os
import sys

import numpy as np

from wl.safetensors import load_file


def run(path, scratch):
    lib = ctypes.CDLL(path)
    lib.wl_create.restype = ctypes.c_void_p
    lib.wl_create.argtypes = [ctypes.c_uint64]
    lib.wl_last_error.restype = ctypes.c_char_p
    lib.wl_last_error.argtypes = [ctypes.c_void_p]
    lib.wl_destroy.argtypes = [ctypes.c_void_p]
    for fn in ("wl_input_size", "wl_output_size"):
        getattr(lib, fn).restype = ctypes.c_int64
    for fn in ("wl_train_step", "wl_forward", "wl_save"):
        getattr(lib, fn).argtypes = None
    model = lib.wl_create(0)
    if not model:
        raise RuntimeError("wl_create: " + lib.wl_last_error(None).decode())
    model = ctypes.c_void_p(model)

    def check(status, what):
        if status != 0:
            raise RuntimeError("%s: status %d: %s" % (what, status, lib.wl_last_error(model).decode()))

    batch, n_in, n_out = 16, lib.wl_input_size(), lib.wl_output_size()
    lib.wl_label_size.restype = ctypes.c_int64
    per_example = lib.wl_label_size()
    rng = np.random.default_rng(1)
    if lib.wl_input_kind() == 1:  # token ids; 0 and 1 are in every vocabulary
        x = rng.integers(0, 2, (batch, n_in)).astype(np.int32)
    else:
        x = rng.standard_normal((batch, n_in)).astype(np.float32)
        # A declared input domain (norm_bound(c, norm = row)) holds small rows.
        x *= 0.1 / np.sqrt(n_in)
    if lib.wl_label_kind() == 0:
        labels = rng.integers(0, n_out // per_example, batch * per_example).astype(np.int32)
    else:
        labels = rng.standard_normal((batch, n_out)).astype(np.float32)
    loss = ctypes.c_float()
    losses = []
    for _ in range(3):
        check(lib.wl_train_step(model, x.ctypes.data_as(ctypes.c_void_p),
                                labels.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(batch),
                                ctypes.byref(loss)), "wl_train_step")
        losses.append(loss.value)
    y = np.zeros((batch, n_out), np.float32)
    check(lib.wl_forward(model, x.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(batch),
                         y.ctypes.data_as(ctypes.c_void_p)), "wl_forward")
    if not all(math.isfinite(v) for v in losses) or not np.isfinite(y).all():
        raise RuntimeError("non-finite loss or output: %s" % losses)
    ckpt = os.path.join(scratch, os.path.basename(path) + ".safetensors")
    check(lib.wl_save(model, ckpt.encode()), "wl_save")
    names = ["%s[%s]" % (k, ", ".join(map(str, v.shape))) for k, v in load_file(ckpt).items()]
    lib.wl_destroy(model)
    return losses, names


def main():
    examples, libs = sys.argv[1], sys.argv[2]
    ok = True
    for wl in sorted(glob.glob(os.path.join(examples, "*.wl"))):
        name = os.path.splitext(os.path.basename(wl))[0]
        so = os.path.join(libs, name + ".so")
        try:
            if not os.path.exists(so):
                raise RuntimeError("not compiled: %s" % so)
            losses, names = run(so, libs)
            print("%s: loss %.4f %.4f" % (name, losses[0], losses[-1]))
            print("%s: tensors %s" % (name, " ".join(names)))
        except Exception as e:  # report every example, then fail
            print("%s: FAILED: %s" % (name, e))
            print("%s: FAILED: %s" % (name, e), file=sys.stderr)
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
