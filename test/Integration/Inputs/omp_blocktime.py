"""CPU/threads.wl: the OpenMP block time the runtime gives libomp (runtime/README.md,
"Threads"): WL_OMP_BLOCKTIME (default 1 ms) on the thread that calls into the model, left
alone when KMP_BLOCKTIME is set; a bad value fails wl_create with a message. Prints the
calling thread's libomp block time after a forward pass, or the wl_create error."""
import ctypes
import sys

import numpy as np

import wl


def main(path):
    lib = wl.load_library(path)
    omp = ctypes.CDLL("libomp.so.5")  # the copy the library loaded (already mapped)
    omp.kmp_get_blocktime.restype = ctypes.c_int
    omp.kmp_set_blocktime(123)  # what the caller had: the runtime must change it
    try:
        m = lib.create(seed=0)
    except wl.WLError as e:
        print("create failed: %s" % e.message)
        return
    m.forward(np.zeros((4, lib.input_size), np.float32))
    print("blocktime %d" % omp.kmp_get_blocktime())


if __name__ == "__main__":
    main(sys.argv[1])
