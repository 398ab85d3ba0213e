"""wlharness: a small ctypes + numpy binding of the wl C ABI (runtime/include/wl/wl.h).

Test-only helper for the integration tests: unlike the package `wl`
(runtime/python), which checks and converts its arguments, it hands raw pointers
(or NULL) to the C ABI so tests can probe the library's own checks. Every array
crossing the boundary is float32 (int32 for class labels), C-contiguous,
row-major [batch, size].

    lib = Library("libmodel.so")
    m = lib.create(seed=0)
    y = m.forward(x)              # x: [B, input_size]
    m.zero_grad(); dx = m.backward(x, dy)
    loss = m.train_step(x, labels)
    p = m.params(); m.set_params(p); g = m.grads()
    m.save(path); m.load(path)
A non-OK status raises WLError(status, message-from-wl_last_error).
"""
import ctypes
import os

import numpy as np

WL_OK, WL_ERR_ARG, WL_ERR_SHAPE, WL_ERR_IO, WL_ERR_NONFINITE, WL_ERR_DEVICE = range(6)
STATUS_NAMES = {0: "WL_OK", 1: "WL_ERR_ARG", 2: "WL_ERR_SHAPE", 3: "WL_ERR_IO",
                4: "WL_ERR_NONFINITE", 5: "WL_ERR_DEVICE"}

# The ctypes signatures of wl.h are the package's (runtime/python/wl/_abi.py): one
# table for the package and the tests. Found through PYTHONPATH (lit sets it) or
# relative to this file.
try:
    from wl._abi import OPTIONAL_SIGNATURES, SIGNATURES
except ImportError:
    import sys
    sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "..", "..", "..", "runtime", "python"))
    from wl._abi import OPTIONAL_SIGNATURES, SIGNATURES
ABI_SYMBOLS = sorted(SIGNATURES) + sorted(OPTIONAL_SIGNATURES)


class WLError(RuntimeError):
    def __init__(self, func, status, message):
        self.func, self.status, self.message = func, status, message
        super().__init__("%s returned %s: %s" % (func, STATUS_NAMES.get(status, status), message))


def ptr(a):
    """void* to the data of a numpy array (None stays NULL)."""
    return None if a is None else a.ctypes.data_as(ctypes.c_void_p)


def f32(a):
    return np.ascontiguousarray(a, dtype=np.float32)


def _enc(s):
    return s.encode() if isinstance(s, str) else s


class Library:
    """A loaded lib<model>.so and its model-independent metadata."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.dll = ctypes.CDLL(self.path)
        for name, (res, args) in SIGNATURES.items():
            fn = getattr(self.dll, name)  # AttributeError names a missing symbol
            fn.restype, fn.argtypes = res, args
        self.has_step_count = hasattr(self.dll, "wl_step_count")
        for name, (res, args) in OPTIONAL_SIGNATURES.items():
            if hasattr(self.dll, name):
                fn = getattr(self.dll, name)
                fn.restype, fn.argtypes = res, args
        d = self.dll
        self.abi_version = d.wl_abi_version()
        self.model_name = d.wl_model_name().decode()
        self.input_size = d.wl_input_size()
        self.output_size = d.wl_output_size()
        self.label_kind = d.wl_label_kind()
        self.param_info = []  # (name, shape, trainable) in ABI order
        for i in range(d.wl_num_params()):
            shape = tuple(d.wl_param_dim(i, a) for a in range(d.wl_param_rank(i)))
            self.param_info.append((d.wl_param_name(i).decode(), shape, bool(d.wl_param_trainable(i))))
        self.shapes = {n: s for n, s, _ in self.param_info}
        self.trainable = [n for n, _, t in self.param_info if t]

    def create(self, seed=0):
        h = self.dll.wl_create(seed)
        if not h:
            raise WLError("wl_create", -1, "returned NULL")
        return Model(self, h)

    def labels(self, labels):
        """Labels as the ABI wants them: int32 [B] or float32 [B, output_size]."""
        if self.label_kind == 0:
            return np.ascontiguousarray(labels, dtype=np.int32)
        return f32(labels)


class Model:
    """One wl_model*; destroyed by close() or garbage collection."""

    def __init__(self, lib, handle):
        self.lib, self.dll, self.h = lib, lib.dll, ctypes.c_void_p(handle)

    def close(self):
        if self.h is not None and self.h.value:
            self.dll.wl_destroy(self.h)
        self.h = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def last_error(self):
        s = self.dll.wl_last_error(self.h)
        return None if s is None else s.decode(errors="replace")

    def check(self, func, status):
        if status != WL_OK:
            raise WLError(func, status, self.last_error())

    def call(self, func, *args):
        """Raw call that returns the status (for tests of argument errors)."""
        return getattr(self.dll, func)(self.h, *args)

    # -- computation ---------------------------------------------------------
    def _batch(self, x):
        x = f32(x)
        assert x.ndim == 2 and x.shape[1] == self.lib.input_size, x.shape
        return x, x.shape[0]

    def forward(self, x):
        x, b = self._batch(x)
        y = np.empty((b, self.lib.output_size), np.float32)
        self.check("wl_forward", self.dll.wl_forward(self.h, ptr(x), b, ptr(y)))
        return y

    def backward(self, x, dy, want_dx=True):
        x, b = self._batch(x)
        dy = f32(dy)
        assert dy.shape == (b, self.lib.output_size), dy.shape
        dx = np.empty_like(x) if want_dx else None
        self.check("wl_backward", self.dll.wl_backward(self.h, ptr(x), ptr(dy), b, ptr(dx)))
        return dx

    def zero_grad(self):
        self.check("wl_zero_grad", self.dll.wl_zero_grad(self.h))

    def step(self):
        self.check("wl_step", self.dll.wl_step(self.h))

    def loss(self, x, labels):
        x, b = self._batch(x)
        lab = self.lib.labels(labels)
        out = ctypes.c_float(np.nan)
        self.check("wl_loss", self.dll.wl_loss(self.h, ptr(x), ptr(lab), b, ctypes.addressof(out)))
        return float(out.value)

    def train_step(self, x, labels):
        x, b = self._batch(x)
        lab = self.lib.labels(labels)
        out = ctypes.c_float(np.nan)
        self.check("wl_train_step",
                   self.dll.wl_train_step(self.h, ptr(x), ptr(lab), b, ctypes.addressof(out)))
        return float(out.value)

    # -- parameters ----------------------------------------------------------
    def get_param(self, name):
        out = np.empty(self.lib.shapes[name], np.float32)
        self.check("wl_get_param", self.dll.wl_get_param(self.h, _enc(name), ptr(out)))
        return out

    def set_param(self, name, value):
        v = f32(value)
        assert v.shape == self.lib.shapes[name], (name, v.shape)
        self.check("wl_set_param", self.dll.wl_set_param(self.h, _enc(name), ptr(v)))

    def get_grad(self, name):
        out = np.empty(self.lib.shapes[name], np.float32)
        self.check("wl_get_grad", self.dll.wl_get_grad(self.h, _enc(name), ptr(out)))
        return out

    def get_weight(self, layer, shape):
        out = np.empty(shape, np.float32)
        self.check("wl_get_weight", self.dll.wl_get_weight(self.h, _enc(layer), ptr(out)))
        return out

    def params(self):
        return {n: self.get_param(n) for n, _, _ in self.lib.param_info}

    def set_params(self, params):
        for n, v in params.items():
            self.set_param(n, v)

    def grads(self):
        return {n: self.get_grad(n) for n in self.lib.trainable}

    # -- checkpoints and certificates ----------------------------------------
    def save(self, path):
        self.check("wl_save", self.dll.wl_save(self.h, _enc(path)))

    def load(self, path):
        self.check("wl_load", self.dll.wl_load(self.h, _enc(path)))

    def step_count(self):
        """Optimizer steps taken (wl_step_count), or None when the library lacks it."""
        return self.dll.wl_step_count(self.h) if self.lib.has_step_count else None

    def lipschitz_bound(self):
        return self.dll.wl_lipschitz_bound(self.h)

    def layer_spectral_bound(self, layer):
        return self.dll.wl_layer_spectral_bound(self.h, _enc(layer))
