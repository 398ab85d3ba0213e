"""Thread-count independence (CPU/threads.wl): the same training run under
OMP_NUM_THREADS = 1, 2 and 3 gives bit-identical losses, parameters and
outputs; with --same, two libraries of one model (its machine code compiled
whole and in partitions) give the same run; with --lanes, wl_step's pieces run side by
side give the same run as the whole step. The generated GEMM kernels split
only the independent output panels across threads, wl-parallel-rows only whole
rows; every element's sum over k and every row's reduction has one fixed
order."""
import hashlib
import os
import subprocess
import sys

import numpy as np

import wlcheck
import wlharness

BATCH, STEPS = 800, 4


def run_child(path):
    """One training run; prints a digest of everything it computed."""
    lib = wlharness.Library(path)
    m = lib.create(seed=7)
    rng = np.random.default_rng(3)
    n_in = lib.input_size
    digest = hashlib.sha256()
    for _ in range(STEPS):
        x = rng.standard_normal((BATCH, n_in), dtype=np.float32)
        labels = rng.integers(0, 10, BATCH).astype(np.int32)
        digest.update(np.float32(m.train_step(x, labels)).tobytes())
    for name, value in sorted(m.params().items()):
        digest.update(name.encode() + value.tobytes())
    digest.update(m.forward(rng.standard_normal((BATCH, n_in), dtype=np.float32)).tobytes())
    print(digest.hexdigest())


def digest_of(path, threads=None, **extra):
    env = dict(os.environ) if threads is None else dict(os.environ, OMP_NUM_THREADS=str(threads))
    env.update(extra)
    return subprocess.run([sys.executable, __file__, "--child", path], env=env, check=True,
                          capture_output=True, text=True).stdout.split()[-1]


def same(paths):
    digests = [digest_of(p) for p in paths]
    for p, d in zip(paths, digests):
        print("%s: %s" % (os.path.basename(p), d))
    wlcheck.expect(digests[0] == digests[1], "codegen_partitions_bitwise")


def main(path):
    digests = {}
    for threads in (1, 2, 3):
        digests[threads] = digest_of(path, threads)
        print("threads %d: %s" % (threads, digests[threads]))
    wlcheck.expect(digests[1] == digests[2], "threads_1_vs_2_bitwise")
    wlcheck.expect(digests[1] == digests[3], "threads_1_vs_3_bitwise")


def lanes(path):
    """wl_step's pieces side by side, one thread each (the default on 2 and 3 threads), give
    the same run as wlgen_step whole (WL_STEP_LANES=0) and as one thread."""
    whole = digest_of(path, 2, WL_STEP_LANES="0")
    print("threads 2, whole step: %s" % whole)
    for threads in (1, 2, 3):
        d = digest_of(path, threads)
        print("threads %d, lanes: %s" % (threads, d))
        wlcheck.expect(d == whole, "lanes_threads_%d_bitwise" % threads)


if __name__ == "__main__":
    if sys.argv[1] == "--child":
        run_child(sys.argv[2])
    elif sys.argv[1] == "--same":
        same(sys.argv[2:4])
    elif sys.argv[1] == "--lanes":
        lanes(sys.argv[2])
    else:
        main(sys.argv[1])
