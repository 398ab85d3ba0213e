"""A --target=cuda library on a machine without a usable GPU (cuda-no-gpu.test).

argv: the cuda library, a CPU library of the same model. The cuda library must load,
answer the metadata queries, and refuse wl_create with the reason; the CPU library's
device-pointer entry points must answer WL_ERR_DEVICE.
"""
import ctypes
import sys

cuda_path, cpu_path = sys.argv[1], sys.argv[2]


def bind(path):
    lib = ctypes.CDLL(path)
    lib.wl_create.restype = ctypes.c_void_p
    lib.wl_create.argtypes = [ctypes.c_uint64]
    lib.wl_last_error.restype = ctypes.c_char_p
    lib.wl_last_error.argtypes = [ctypes.c_void_p]
    lib.wl_model_name.restype = ctypes.c_char_p
    lib.wl_destroy.argtypes = [ctypes.c_void_p]
    lib.wl_forward_device.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                      ctypes.c_void_p]
    return lib


cuda = bind(cuda_path)
print("model %s inputs %d" % (cuda.wl_model_name().decode(), cuda.wl_input_size()))
model = cuda.wl_create(1)
print("create %s" % ("NULL" if model is None else "non-NULL"))
print("error: %s" % cuda.wl_last_error(None).decode())

cpu = bind(cpu_path)
model = cpu.wl_create(1)
x = (ctypes.c_float * 64)()
y = (ctypes.c_float * 10)()
status = cpu.wl_forward_device(model, x, 1, y)
print("cpu forward_device status %d: %s" % (status, cpu.wl_last_error(model).decode()))
cpu.wl_destroy(model)
