"""Exit 0 when the CUDA driver (libcuda.so.1) loads and reports at least one GPU.

lit.cfg.py runs it to decide the `cuda` feature; `-v` prints the device or the reason.
"""
import ctypes
import sys


def probe():
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError as e:
        return False, "no CUDA driver: %s" % e
    status = cuda.cuInit(0)
    if status != 0:
        return False, "cuInit failed with CUresult %d" % status
    count = ctypes.c_int(0)
    status = cuda.cuDeviceGetCount(ctypes.byref(count))
    if status != 0 or count.value < 1:
        return False, "no CUDA device (CUresult %d, count %d)" % (status, count.value)
    name = ctypes.create_string_buffer(256)
    cuda.cuDeviceGetName(name, 256, 0)
    return True, "%d device(s), device 0: %s" % (count.value, name.value.decode())


if __name__ == "__main__":
    ok, why = probe()
    if "-v" in sys.argv:
        print(why)
    sys.exit(0 if ok else 1)
