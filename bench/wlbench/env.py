"""Process settings that must come before numpy/torch (and any generated library) load:
the thread count of both sides and glibc's malloc thresholds. Imported first by
wlbench/__init__.py; it then loads numpy and torch itself."""
import os
import sys


def _threads_from_argv():
    """--threads N, read before numpy/torch load (argparse runs later)."""
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return os.cpu_count() or 1


# The thread count is fixed before numpy/torch load their BLAS and OpenMP runtimes
# and before any generated library loads: both sides use N = os.cpu_count()
# threads unless --threads (wl's OpenMP code through OMP_NUM_THREADS).
NTHREADS = _threads_from_argv()
# A torch side may run its OpenBLAS on fewer threads (config.TORCH_ENVS): WLBENCH_OPENBLAS_THREADS.
os.environ["OPENBLAS_NUM_THREADS"] = os.environ.get("WLBENCH_OPENBLAS_THREADS", str(NTHREADS))
os.environ["OMP_NUM_THREADS"] = str(NTHREADS)
# wl's kernels run on LLVM's OpenMP runtime, whose idle threads spin for
# 200 ms after each parallel region by default: in this process they would
# steal the cores from the peer's next block (torch eager at B=256, n=1024
# measured 40 ms instead of 11). 1 ms still covers the gaps inside a step.
os.environ.setdefault("KMP_BLOCKTIME", "1")
# `import wl` sets OPENBLAS_THREAD_TIMEOUT=20 OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=0
# (torch's pools passive, wl/_threads.py) unless told not to; the bench chooses torch's
# environments itself per line (config.TORCH_ENVS), so its "inherited environment" lines stay
# torch's default. The mixed lines turn it back on.
os.environ.setdefault("WL_QUIET_THREAD_POOLS", "0")

from .malloc import tune_malloc  # noqa: E402

MALLOC = tune_malloc()

import numpy  # noqa: E402,F401

# The wl side of a sequence line runs in its own process (wlbench/seqside.py) without torch, so
# that its peak memory is the generated library's plus Python's and numpy's, not torch's.
if os.environ.get("WLBENCH_SIDE") != "wl":
    import torch  # noqa: E402

    torch.set_num_threads(NTHREADS)
