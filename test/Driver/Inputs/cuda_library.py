"""Inspects a library built with wlc --target=cuda (cuda-library.test).

Prints the number of embedded cubins (ELF images for sm_90a inside the .so), the
number of kernels in them, the CUDA-only entry points the library exports, and that
the driver wrappers stay hidden.
"""
import ctypes
import re
import subprocess
import sys

path = sys.argv[1]
data = open(path, "rb").read()
# The .so is an ELF itself; every other ELF header starts an embedded cubin.
cubins = data.count(b"\x7fELF") - 1
print("cubins %d" % cubins)
print("sm_90a cubins %d" % data.count(b"-arch sm_90a"))
# A cubin names a section .nv.info.<kernel> per kernel.
print("kernels %d" % len(set(re.findall(rb"\.nv\.info\.(\w+)", data))))
lib = ctypes.CDLL(path)
for name in ("wl_forward_device", "wl_backward_device", "wl_loss_device", "wl_train_step_device"):
    print("exports %s %s" % (name, hasattr(lib, name)))
dynamic = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True, text=True).stdout
print("mgpu exported %s" % any("mgpu" in line for line in dynamic.splitlines()))
