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
os.environ["OPENBLAS_NUM_THREADS"] = str(NTHREADS)
os.environ["OMP_NUM_THREADS"] = str(NTHREADS)
# wl's kernels run on LLVM's OpenMP runtime, whose idle threads spin for
# 200 ms after each parallel region by default: in this process they would
# steal the cores from the peer's next block (torch eager at B=256, n=1024
# measured 40 ms instead of 11). 1 ms still covers the gaps inside a step.
os.environ.setdefault("KMP_BLOCKTIME", "1")


# Both sides run in this process and share one allocator. glibc serves blocks
# over its mmap threshold (128 KiB at first) with fresh mappings and trims the
# heap back to the OS, so every step of either side would page-fault its large
# temporaries in again (wl's 20 MB of per-step temporaries: 5,100 faults, 90 ms
# instead of 28 ms; torch eager's `a + b` at 1024²: 11.6 ms instead of 2.7 ms).
# Unless --system-malloc, keep blocks up to 32 MiB (glibc's maximum) on the
# heap and never trim it, for both sides alike.
def _tune_malloc():
    if "--system-malloc" in sys.argv:
        return "glibc defaults (--system-malloc)"
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        ok = libc.mallopt(M_MMAP_THRESHOLD, 32 << 20) and libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)
        return "mallopt: mmap threshold 32 MiB, no trimming" if ok else "glibc defaults (mallopt failed)"
    except OSError:
        return "glibc defaults (no libc.so.6)"


MALLOC = _tune_malloc()

import numpy  # noqa: E402,F401

# The wl side of a sequence line runs in its own process (wlbench/seqside.py) without torch, so
# that its peak memory is the generated library's plus Python's and numpy's, not torch's.
if os.environ.get("WLBENCH_SIDE") != "wl":
    import torch  # noqa: E402

    torch.set_num_threads(NTHREADS)
