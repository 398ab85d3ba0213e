"""WLModel: the few wl.h functions (runtime/include/wl/wl.h) the benchmark calls, through ctypes."""
import ctypes
import os

import numpy as np


class WLModel:
    """The few wl.h functions the benchmark needs, on one wl_model*."""

    def __init__(self, path, seed=0):
        d = self.dll = ctypes.CDLL(os.path.abspath(path))
        vp, i64 = ctypes.c_void_p, ctypes.c_int64
        d.wl_create.restype, d.wl_create.argtypes = vp, [ctypes.c_uint64]
        d.wl_destroy.restype, d.wl_destroy.argtypes = None, [vp]
        d.wl_last_error.restype, d.wl_last_error.argtypes = ctypes.c_char_p, [vp]
        d.wl_input_size.restype = d.wl_output_size.restype = i64
        for fn in ("wl_train_step",):
            getattr(d, fn).restype, getattr(d, fn).argtypes = ctypes.c_int, [vp, vp, vp, i64, vp]
        d.wl_forward.restype, d.wl_forward.argtypes = ctypes.c_int, [vp, vp, i64, vp]
        d.wl_backward.restype, d.wl_backward.argtypes = ctypes.c_int, [vp, vp, vp, i64, vp]
        d.wl_step.restype, d.wl_step.argtypes = ctypes.c_int, [vp]
        d.wl_zero_grad.restype, d.wl_zero_grad.argtypes = ctypes.c_int, [vp]
        for fn in ("wl_get_param", "wl_set_param", "wl_get_grad"):
            getattr(d, fn).restype, getattr(d, fn).argtypes = ctypes.c_int, [vp, ctypes.c_char_p, vp]
        d.wl_num_params.restype, d.wl_num_params.argtypes = ctypes.c_int32, []
        d.wl_param_name.restype, d.wl_param_name.argtypes = ctypes.c_char_p, [ctypes.c_int32]
        d.wl_param_rank.restype, d.wl_param_rank.argtypes = ctypes.c_int32, [ctypes.c_int32]
        d.wl_param_dim.restype, d.wl_param_dim.argtypes = i64, [ctypes.c_int32, ctypes.c_int32]
        d.wl_param_trainable.restype, d.wl_param_trainable.argtypes = ctypes.c_int32, [ctypes.c_int32]
        self.h = d.wl_create(seed)
        if not self.h:
            raise RuntimeError(f"wl_create returned NULL for {path}")
        self.n_in, self.n_out = d.wl_input_size(), d.wl_output_size()
        self._loss = ctypes.c_float()
        self._loss_p = ctypes.addressof(self._loss)

    def check(self, fn, status):
        if status != 0:
            msg = self.dll.wl_last_error(self.h)
            raise RuntimeError(f"{fn} returned {status}: {msg.decode() if msg else '?'}")

    def close(self):
        if self.h:
            self.dll.wl_destroy(self.h)
            self.h = None

    def train_step_fn(self, x, labels):
        """A no-argument callable doing one wl_train_step on (x, labels); x float32, or int32 token ids."""
        assert x.dtype in (np.float32, np.int32) and x.flags.c_contiguous and labels.dtype == np.int32
        f, h, b, lp = self.dll.wl_train_step, self.h, x.shape[0], self._loss_p
        xp, yp = x.ctypes.data, labels.ctypes.data

        def step():
            st = f(h, xp, yp, b, lp)
            if st:
                self.check("wl_train_step", st)
        return step

    def forward_fn(self, x, out):
        f, h, b = self.dll.wl_forward, self.h, x.shape[0]
        xp, op = x.ctypes.data, out.ctypes.data

        def fwd():
            st = f(h, xp, b, op)
            if st:
                self.check("wl_forward", st)
        return fwd

    def step_fn(self):
        """A no-argument callable doing one wl_step (the optimizer update on the stored grads)."""
        f, h = self.dll.wl_step, self.h

        def step():
            st = f(h)
            if st:
                self.check("wl_step", st)
        return step

    def backward_fn(self, x, dy, dx=None):
        """A no-argument callable doing one wl_backward on (x, dy): accumulates the parameter
        gradients and writes dx (into the library's scratch when dx is None: it is computed anyway)."""
        assert x.dtype == dy.dtype == np.float32 and x.flags.c_contiguous and dy.flags.c_contiguous
        assert dx is None or (dx.dtype == np.float32 and dx.flags.c_contiguous and dx.shape == x.shape)
        f, h, b = self.dll.wl_backward, self.h, x.shape[0]
        xp, dyp, dxp = x.ctypes.data, dy.ctypes.data, None if dx is None else dx.ctypes.data

        def bwd():
            st = f(h, xp, dyp, b, dxp)
            if st:
                self.check("wl_backward", st)
        return bwd

    def backward(self, x, dy, dx=None):
        """wl_backward on (x, dy): accumulates the parameter gradients (dx only when given)."""
        self.backward_fn(x, dy, dx)()

    def zero_grad(self):
        self.check("wl_zero_grad", self.dll.wl_zero_grad(self.h))

    def param_names(self):
        return [self.dll.wl_param_name(i).decode() for i in range(self.dll.wl_num_params())]

    def param_info(self):
        """{name: (shape, trainable)} of every stored tensor, from the library's metadata."""
        d = self.dll
        return {d.wl_param_name(i).decode(): (tuple(d.wl_param_dim(i, a) for a in range(d.wl_param_rank(i))),
                                              bool(d.wl_param_trainable(i)))
                for i in range(d.wl_num_params())}

    def train_step(self, x, labels):
        self.train_step_fn(x, labels)()
        return float(self._loss.value)

    def get(self, name, shape):
        out = np.empty(shape, np.float32)
        self.check("wl_get_param", self.dll.wl_get_param(self.h, name.encode(), out.ctypes.data))
        return out

    def grad(self, name, shape):
        out = np.empty(shape, np.float32)
        self.check("wl_get_grad", self.dll.wl_get_grad(self.h, name.encode(), out.ctypes.data))
        return out


def save_params(wl, path):
    """Every tensor of `wl` (as wl_create left it) into the .npz `path`, with the names of the
    trainable ones under `__trainable__`: what a torch side in its own process starts from."""
    info = wl.param_info()
    np.savez(path, __trainable__=np.array([k for k, (_, tr) in info.items() if tr], dtype=str),
             **{k: wl.get(k, shape) for k, (shape, _) in info.items()})


class SavedParams:
    """A WLModel's tensors read back from save_params' file, with the part of WLModel's interface
    the torch peers read (get, param_info, param_names), so the torch side never loads the library."""

    def __init__(self, path):
        with np.load(path) as d:
            trainable = set(d["__trainable__"].tolist())
            self.arrays = {k: d[k] for k in d.files if k != "__trainable__"}
        self.info = {k: (a.shape, k in trainable) for k, a in self.arrays.items()}

    def get(self, name, shape):
        return self.arrays[name].reshape(shape).copy()

    def param_info(self):
        return dict(self.info)

    def param_names(self):
        return list(self.arrays)
