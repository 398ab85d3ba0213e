"""glibc malloc tuning for the benchmark's processes (no imports beyond ctypes, so that a side
that must choose its own import order, wlbench/mixedside.py, can load it as a plain module)."""
import sys


# Both sides run in this process and share one allocator. glibc serves blocks
# over its mmap threshold (128 KiB at first) with fresh mappings and trims the
# heap back to the OS, so every step of either side would page-fault its large
# temporaries in again (wl's 20 MB of per-step temporaries: 5,100 faults, 90 ms
# instead of 28 ms; torch eager's `a + b` at 1024²: 11.6 ms instead of 2.7 ms).
# Unless --system-malloc, keep blocks up to 32 MiB (glibc's maximum) on the
# heap and never trim it, for both sides alike.
def tune_malloc():
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
