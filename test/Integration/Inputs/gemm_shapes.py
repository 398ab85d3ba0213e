"""The GEMM kernels' serial, per-thread-columns and per-thread-rows paths (CPU/gemm_shapes.wl)
against float64 products, under 1, 2 and 3 threads (bit-identical), for the layer fc of the
library given."""
import hashlib
import os
import subprocess
import sys

import numpy as np

import wl
import wlcheck

BATCHES = (1, 37, 257, 801)
TOL = 2e-6  # max |a - a_ref| / max |a_ref|


def rel(a, ref):
    """max |a - ref| / max |ref|; inf when a holds a NaN (max() would skip it)."""
    err = float(np.max(np.abs(a - ref)) / np.max(np.abs(ref)))
    return err if np.isfinite(err) else float("inf")


def run_child(path):
    """Products at every batch size; prints the worst relative error and a digest."""
    m = wl.load_library(path).create(seed=5)
    w = m.params["fc.weight"].astype(np.float64)
    OUT, IN = w.shape
    rng = np.random.default_rng(11)
    worst, digest = 0.0, hashlib.sha256()
    for b in BATCHES:
        x = rng.standard_normal((b, IN), dtype=np.float32)
        dy = rng.standard_normal((b, OUT), dtype=np.float32)
        y = m.forward(x, out=np.full((b, OUT), np.nan, np.float32))
        m.zero_grad()
        dx = m.backward(x, dy, out=np.full((b, IN), np.nan, np.float32))
        dw = m.grads["fc.weight"]
        x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
        errors = (rel(y, x64 @ w.T), rel(dx, dy64 @ w), rel(dw, dy64.T @ x64))
        print("B=%d: y %.1e, dx %.1e, dW %.1e" % ((b,) + errors), file=sys.stderr)
        worst = max(worst, *errors)
        for a in (y, dx, dw):
            digest.update(a.tobytes())
    print(worst, digest.hexdigest())


def main(path):
    results = {}
    for threads in (1, 2, 3):
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        out = subprocess.run([sys.executable, __file__, "--child", path], env=env, check=True,
                             capture_output=True, text=True)
        worst, digest = out.stdout.split()[-2:]
        results[threads] = (float(worst), digest)
        print("threads %d: worst %s, %s" % (threads, worst, digest))
        print(out.stderr, end="")
    wlcheck.ok("gemm_shapes_float64", max(r[0] for r in results.values()), TOL)
    wlcheck.expect(len({r[1] for r in results.values()}) == 1, "gemm_shapes_threads_bitwise")


if __name__ == "__main__":
    if sys.argv[1] == "--child":
        run_child(sys.argv[2])
    else:
        main(sys.argv[1])
