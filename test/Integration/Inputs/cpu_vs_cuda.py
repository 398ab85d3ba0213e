"""Cross-checks two builds of the same models: by default --target=cpu against
--target=cuda (Integration/GPU/cpu_vs_cuda.test), to a relative tolerance.

usage: cpu_vs_cuda.py OUTDIR [--targets cpu,cuda] [--rtol 1e-4] FILE.wl[:Model,...] ...

Every model of each file (or the listed ones) is compiled for both targets and run
from the same seed (initialisation is on the host, so both start identical):
forward on a random batch, backward (dx and every gradient), the loss, then six
training steps on the same batches (the loss of each, then every parameter, the
effective weight of every layer and the Lipschitz bound). A check passes when
||a - b|| <= rtol * max(||b||, 1e-6) (Frobenius). Prints "OK <model> <check>" or
"FAIL <model> <check>: <error>"; the exit status is 1 if anything failed.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np

import wlharness as wh


def models_in(spec):
    path, _, names = spec.partition(":")
    if names:
        return path, names.split(",")
    with open(path) as f:
        return path, re.findall(r"^model\s+(\w+)", f.read(), re.M)


def compile_model(path, model, target, outdir):
    lib = os.path.join(outdir, "%s.%s.so" % (model, target))
    cmd = ["wlc", path, "--model", model, "--target=" + target, "-o", lib]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), run.stderr.strip()))
    return wh.Library(lib)


def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        return np.inf
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-6)


def compare(model, libs, rtol, failures):
    ref_lib, lib = libs
    ref, m = ref_lib.create(0), lib.create(0)
    rng = np.random.default_rng(1234)
    batch = 7

    def labels():
        if ref_lib.label_kind == 0:
            return rng.integers(0, ref_lib.output_size, size=batch).astype(np.int32)
        return rng.standard_normal((batch, ref_lib.output_size)).astype(np.float32)

    def check(name, got, want):
        err = relative_error(got, want)
        if err <= rtol:
            print("OK %s %s" % (model, name))
        else:
            failures.append((model, name))
            print("FAIL %s %s: relative error %.3g > %g" % (model, name, err, rtol))

    x = rng.standard_normal((batch, ref_lib.input_size)).astype(np.float32)
    check("forward", m.forward(x), ref.forward(x))
    dy = rng.standard_normal((batch, ref_lib.output_size)).astype(np.float32)
    ref.zero_grad()
    m.zero_grad()
    check("backward_dx", m.backward(x, dy), ref.backward(x, dy))
    for name in ref_lib.trainable:
        check("grad_" + name, m.get_grad(name), ref.get_grad(name))
    y = labels()
    check("loss", m.loss(x, y), ref.loss(x, y))
    for step in range(6):
        x = rng.standard_normal((batch, ref_lib.input_size)).astype(np.float32)
        y = labels()
        check("train_step%d_loss" % step, m.train_step(x, y), ref.train_step(x, y))
    for name, _, _ in ref_lib.param_info:
        check("param_" + name, m.get_param(name), ref.get_param(name))
    d = ref_lib.dll
    for i in range(d.wl_num_layers() if hasattr(d, "wl_num_layers") else 0):
        d.wl_layer_name.restype = wh.ctypes.c_char_p
        layer = d.wl_layer_name(i).decode()
        shape = (d.wl_layer_out_size(i), d.wl_layer_in_size(i))
        check("weight_" + layer, m.get_weight(layer, shape), ref.get_weight(layer, shape))
    check("lipschitz_bound", m.lipschitz_bound(), ref.lipschitz_bound())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("specs", nargs="+")
    parser.add_argument("--targets", default="cpu,cuda")
    parser.add_argument("--rtol", type=float, default=1e-4)
    args = parser.parse_args()
    targets = args.targets.split(",")
    failures = []
    for spec in args.specs:
        path, models = models_in(spec)
        for model in models:
            try:
                libs = [compile_model(path, model, t, args.outdir) for t in targets]
                compare(model, libs, args.rtol, failures)
            except Exception as e:  # report and go on with the next model
                failures.append((model, "error"))
                print("FAIL %s error: %s" % (model, e))
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
