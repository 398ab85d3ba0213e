"""wl: Python bindings of wlc's libraries (pure Python over the C ABI of wl.h: ctypes + numpy).

    import numpy as np, wl
    lib = wl.compile("model.wl")                 # runs wlc (cached), loads lib<model>.so
    with lib.create(seed=0) as m:
        loss = m.train_step(x, y)                # x float32 [B, in], y int32 [B] or float32 [B, out]
        y_hat = m.forward(x)
        m.save("ckpt.safetensors")

See runtime/python/README.md.
"""
from . import _threads

_threads.quiet_thread_pools()  # before numpy or torch load their pools (wl/_threads.py)

from ._abi import (LayerInfo, Library, Model, ParamInfo, StepTensorInfo, WLError,  # noqa: E402,F401
                   STATUS_NAMES, load_library)
from ._compile import CompileError, CompileWarning, compile, default_cache_dir, find_wlc  # noqa: E402,F401
from . import distributed, safetensors  # noqa: E402,F401

__all__ = ["compile", "load_library", "Library", "Model", "ParamInfo", "LayerInfo",
           "StepTensorInfo", "WLError",
           "CompileError", "CompileWarning", "STATUS_NAMES", "distributed", "safetensors", "find_wlc",
           "default_cache_dir"]
__version__ = "0.1.0"
