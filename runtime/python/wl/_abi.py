"""ctypes binding of the wl C ABI (runtime/include/wl/wl.h): wl.Library and wl.Model.

Everything crossing the boundary is validated here first: activations are float32
[B, size] (C-contiguous copies are made only for non-contiguous float32 input; any
other dtype is a TypeError, never a silent conversion), class labels int32 [B],
targets float32 [B, output_size]. Sequence models: token ids are int32 (or int64,
converted) [B, T], float sequences float32 [B, T, d] (or flat [B, T·d]), per-position
class labels int32 [B, T]. What only C can check (label and token id ranges,
non-finite values, the input's norm bound, files) comes back as wl.WLError with
wl_last_error's message.
"""
import collections
import collections.abc
import ctypes
import os

import numpy as np

from . import _threads

__all__ = ["WLError", "ParamInfo", "LayerInfo", "Library", "Model", "load_library",
           "STATUS_NAMES"]

WL_OK = 0
STATUS_NAMES = {0: "WL_OK", 1: "WL_ERR_ARG", 2: "WL_ERR_SHAPE", 3: "WL_ERR_IO",
                4: "WL_ERR_NONFINITE", 5: "WL_ERR_DEVICE"}
#: status of functions that report failure by a NULL / -1 result instead of a status
#: (wl_create, wl_lipschitz_bound, wl_layer_spectral_bound)
NO_STATUS = -1
SUPPORTED_ABI_VERSION = 1


class WLError(RuntimeError):
    """A wl_* call failed. ``function``: the C function; ``status``: its wl_status as an int
    (-1 for calls that fail by returning NULL or -1.0: wl_create and the bounds);
    ``status_name``: e.g. "WL_ERR_SHAPE" ("UNKNOWN" for -1); ``message``: wl_last_error."""

    def __init__(self, function, status, message):
        self.function = function
        self.status = int(status)
        self.status_name = STATUS_NAMES.get(self.status, "UNKNOWN")
        self.message = message
        super().__init__("%s failed (%s): %s" % (function, self.status_name, message))

    def __reduce__(self):
        return (type(self), (self.function, self.status, self.message))


ParamInfo = collections.namedtuple("ParamInfo", ["name", "shape", "trainable"])
ParamInfo.__doc__ = "A parameter tensor: name, shape (tuple of ints), trainable (bool)."
LayerInfo = collections.namedtuple("LayerInfo", ["name", "in_features", "out_features"])
#: One piece of a sharded step (wl_step_tensors): the parameter it updates and the
#: compiler's estimate of its cost in flops.
StepTensorInfo = collections.namedtuple("StepTensorInfo", ["param", "flops"])
LayerInfo.__doc__ = "A linear layer: its effective weight is [out_features, in_features]."

_m = ctypes.c_void_p  # wl_model*
_vp = ctypes.c_void_p
_str = ctypes.c_char_p
_i32, _i64, _u32, _u64 = ctypes.c_int32, ctypes.c_int64, ctypes.c_uint32, ctypes.c_uint64
_st = ctypes.c_int  # wl_status (a C enum)
_dbl = ctypes.c_double

# name: (restype, argtypes). Pointers are void* (numpy's .ctypes.data).
SIGNATURES = {
    "wl_abi_version": (_u32, []),
    "wl_model_name": (_str, []),
    "wl_input_size": (_i64, []),
    "wl_output_size": (_i64, []),
    "wl_label_kind": (_i32, []),
    "wl_num_params": (_i32, []),
    "wl_param_name": (_str, [_i32]),
    "wl_param_rank": (_i32, [_i32]),
    "wl_param_dim": (_i64, [_i32, _i32]),
    "wl_param_trainable": (_i32, [_i32]),
    "wl_create": (_m, [_u64]),
    "wl_destroy": (None, [_m]),
    "wl_last_error": (_str, [_m]),
    "wl_forward": (_st, [_m, _vp, _i64, _vp]),
    "wl_backward": (_st, [_m, _vp, _vp, _i64, _vp]),
    "wl_zero_grad": (_st, [_m]),
    "wl_step": (_st, [_m]),
    "wl_train_step": (_st, [_m, _vp, _vp, _i64, _vp]),
    "wl_loss": (_st, [_m, _vp, _vp, _i64, _vp]),
    "wl_get_param": (_st, [_m, _str, _vp]),
    "wl_set_param": (_st, [_m, _str, _vp]),
    "wl_get_weight": (_st, [_m, _str, _vp]),
    "wl_get_grad": (_st, [_m, _str, _vp]),
    "wl_save": (_st, [_m, _str]),
    "wl_load": (_st, [_m, _str]),
    "wl_lipschitz_bound": (_dbl, [_m]),
    "wl_layer_spectral_bound": (_dbl, [_m, _str]),
}
# Additions beyond the contract: bound when the library has them (older libraries lack some).
OPTIONAL_SIGNATURES = {
    "wl_step_count": (_i64, [_m]),
    "wl_num_layers": (_i32, []),
    "wl_layer_name": (_str, [_i32]),
    "wl_layer_in_size": (_i64, [_i32]),
    "wl_layer_out_size": (_i64, [_i32]),
    "wl_export_dense": (_st, [_m, _str]),
    "wl_forward_device": (_st, [_m, _vp, _i64, _vp]),
    "wl_backward_device": (_st, [_m, _vp, _vp, _i64, _vp]),
    "wl_loss_device": (_st, [_m, _vp, _vp, _i64, _vp]),
    "wl_train_step_device": (_st, [_m, _vp, _vp, _i64, _vp]),
    "wl_input_kind": (_i32, []),
    "wl_sequence_length": (_i64, []),
    "wl_label_size": (_i64, []),
    "wl_loss_backward": (_st, [_m, _vp, _vp, _i64, _vp]),
    "wl_param_buffer": (_st, [_m, _vp, _vp]),
    "wl_grad_buffer": (_st, [_m, _vp, _vp]),
    "wl_state_buffer": (_st, [_m, _vp, _vp]),
    "wl_num_step_tensors": (_i32, []),
    "wl_step_tensor_param": (_i32, [_i32]),
    "wl_step_tensor_flops": (_dbl, [_i32]),
    "wl_step_tensor_buffers": (_st, [_m, _i32, _vp, _vp, _vp, _vp]),
    "wl_step_tensors": (_st, [_m, _vp, _i32]),
    "wl_step_finish": (_st, [_m]),
}


def float_view(ptr, count):
    """The `count` floats at ctypes `ptr` (a c_int64) as a numpy array sharing that memory
    (empty for 0): the model's storage spans (wl_*_buffer)."""
    if count.value == 0:
        return np.zeros(0, np.float32)
    return np.ctypeslib.as_array(ptr, shape=(count.value,))


def _decode(b):
    return "" if b is None else b.decode("utf-8", errors="replace")


def _fspath(path, what):
    try:
        p = os.fspath(path)
    except TypeError:
        raise TypeError("%s must be a str or os.PathLike (got %s)" % (what, type(path).__name__)) from None
    return os.fsencode(p)


def _array(a, what, dtype, hint):
    """`a` as a C-contiguous numpy array of exactly `dtype` (a copy only when non-contiguous)."""
    if not isinstance(a, np.ndarray):
        raise TypeError("%s must be a numpy.ndarray of %s (got %s); use np.asarray(%s, dtype=np.%s)"
                        % (what, np.dtype(dtype).name, type(a).__name__, what, np.dtype(dtype).name))
    if a.dtype != dtype:
        raise TypeError("%s must be %s (got %s)%s; convert with %s.astype(np.%s)"
                        % (what, np.dtype(dtype).name, a.dtype, hint, what, np.dtype(dtype).name))
    if not (a.flags.c_contiguous and a.flags.aligned):
        a = np.array(a, dtype=dtype, order="C", copy=True)
    return a


def _ids(a, what):
    """Token ids as a C-contiguous int32 array: int32 as is, other integer dtypes
    (int64, as torch and numpy make them) converted when every value fits in int32.
    The range [0, vocabulary) is checked in C (the library knows the vocabulary)."""
    if not isinstance(a, np.ndarray):
        raise TypeError("%s must be a numpy.ndarray of int32 token ids (got %s); use "
                        "np.asarray(%s, dtype=np.int32)" % (what, type(a).__name__, what))
    if a.dtype.kind not in "iu" or a.dtype.itemsize > 8:
        raise TypeError("%s must hold integer token ids (int32 or int64; got %s)" % (what, a.dtype))
    if a.dtype != np.int32:
        if a.size and (a.min() < np.iinfo(np.int32).min or a.max() > np.iinfo(np.int32).max):
            bad = a.max() if a.max() > np.iinfo(np.int32).max else a.min()
            raise ValueError("%s holds token id %d, outside the int32 range" % (what, int(bad)))
        return np.ascontiguousarray(a, dtype=np.int32)
    return _array(a, what, np.int32, "")


class Library:
    """A loaded lib<model>.so: its model-independent description, and create()."""

    def __init__(self, path):
        bpath = _fspath(path, "path")
        spath = os.fsdecode(bpath)
        if not os.path.exists(bpath):
            raise FileNotFoundError(2, "no such wl library", spath)
        if os.path.isdir(bpath):
            raise IsADirectoryError(21, "a wl library must be a lib<model>.so file, not a directory",
                                    spath)
        self.path = os.path.abspath(spath)
        _threads.warn_if_spinning()
        try:
            dll = ctypes.CDLL(self.path)
        except OSError as e:
            raise OSError("cannot load wl library %r: %s" % (self.path, e)) from None
        missing = [n for n in SIGNATURES if not hasattr(dll, n)]
        if missing:
            raise OSError("%r is not a wl library: it does not export %s"
                          % (self.path, ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else "")))
        for n, (res, args) in SIGNATURES.items():
            fn = getattr(dll, n)
            fn.restype, fn.argtypes = res, args
        self._optional = set()
        for n, (res, args) in OPTIONAL_SIGNATURES.items():
            if hasattr(dll, n):
                fn = getattr(dll, n)
                fn.restype, fn.argtypes = res, args
                self._optional.add(n)
        #: the ctypes.CDLL with every wl_* function's signature set (low-level access)
        self.dll = dll
        self.abi_version = int(dll.wl_abi_version())
        if self.abi_version != SUPPORTED_ABI_VERSION:
            raise OSError("%r has wl ABI version %d; this wl package supports version %d"
                          % (self.path, self.abi_version, SUPPORTED_ABI_VERSION))
        name = dll.wl_model_name()
        if name is None or dll.wl_input_size() < 0:
            # Invalid metadata: the static queries answer NULL / -1 (runtime/README.md).
            raise OSError("%r: the library's model metadata is invalid: %s"
                          % (self.path, _decode(dll.wl_last_error(None))))
        self.name = _decode(name)
        self.input_size = int(dll.wl_input_size())
        self.output_size = int(dll.wl_output_size())
        kind = int(dll.wl_label_kind())
        if kind not in (0, 1):
            raise OSError("%r: unknown label kind %d" % (self.path, kind))
        self.label_kind = "class" if kind == 0 else "target"
        # Sequence models (libraries from before them lack the queries: features, no
        # sequence, one label per example or output_size targets).
        ikind = int(dll.wl_input_kind()) if "wl_input_kind" in self._optional else 0
        if ikind not in (0, 1):
            raise OSError("%r: unknown input kind %d" % (self.path, ikind))
        #: "features" (float32 x) or "tokens" (int32 ids [B, T])
        self.input_kind = "features" if ikind == 0 else "tokens"
        #: T of a sequence input (token ids [T] or floats [T, d]), else 0
        self.sequence_length = (int(dll.wl_sequence_length())
                                if "wl_sequence_length" in self._optional else 0)
        #: labels per example: 1 or T class labels, or the number of targets
        self.label_size = (int(dll.wl_label_size()) if "wl_label_size" in self._optional
                           else (1 if kind == 0 else self.output_size))
        T = self.sequence_length
        #: per-example shape of x: (T,) tokens, (T, d) a float sequence, else (input_size,)
        if self.input_kind == "tokens":
            self.input_shape = (self.input_size,)
        elif T > 0 and self.input_size % T == 0:
            self.input_shape = (T, self.input_size // T)
        else:
            self.input_shape = (self.input_size,)
        #: per-example shape of y: (T, classes) for per-position class labels, else
        #: (output_size,)
        if (self.label_kind == "class" and self.label_size > 1
                and self.output_size % self.label_size == 0):
            self.output_shape = (self.label_size, self.output_size // self.label_size)
        else:
            self.output_shape = (self.output_size,)
        params = []
        for i in range(int(dll.wl_num_params())):
            shape = tuple(int(dll.wl_param_dim(i, a)) for a in range(int(dll.wl_param_rank(i))))
            params.append(ParamInfo(_decode(dll.wl_param_name(i)), shape,
                                    bool(dll.wl_param_trainable(i))))
        self.params = params
        self._param_index = {p.name: p for p in params}
        layers = []
        if "wl_num_layers" in self._optional:
            for i in range(int(dll.wl_num_layers())):
                layers.append(LayerInfo(_decode(dll.wl_layer_name(i)), int(dll.wl_layer_in_size(i)),
                                        int(dll.wl_layer_out_size(i))))
        self.layers = layers
        self._layer_index = {l.name: l for l in layers}
        #: the pieces of a sharded step in wl_step's order (Model.step_tensors); empty for
        #: a library without them
        self.step_tensors = []
        if "wl_num_step_tensors" in self._optional:
            for k in range(int(dll.wl_num_step_tensors())):
                self.step_tensors.append(StepTensorInfo(
                    params[int(dll.wl_step_tensor_param(k))].name,
                    float(dll.wl_step_tensor_flops(k))))

    def __repr__(self):
        return "<wl.Library %s: %s%s -> %s, %s labels, %d params, %r>" % (
            self.name, "tokens " if self.input_kind == "tokens" else "",
            list(self.input_shape), list(self.output_shape), self.label_kind,
            len(self.params), self.path)

    def _need(self, fn):
        if fn not in self._optional:
            raise AttributeError("%s: this library does not export %s (built by an older wlc; "
                                 "recompile it)" % (self.path, fn))
        return getattr(self.dll, fn)

    def create(self, seed=0):
        """wl_create(seed): a new model, initialised deterministically from `seed`."""
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
            raise TypeError("seed must be an int (got %s)" % type(seed).__name__)
        seed = int(seed)
        if not 0 <= seed < 2 ** 64:
            raise ValueError("seed must be in [0, 2**64) (got %d)" % seed)
        h = self.dll.wl_create(seed)
        if not h:
            raise WLError("wl_create", NO_STATUS, _decode(self.dll.wl_last_error(None)))
        return Model(self, h)


def load_library(path):
    """Loads an existing lib<model>.so built by wlc."""
    return Library(path)


class _ParamsView(collections.abc.MutableMapping):
    """m.params: every parameter (trainable and frozen) by name, in ABI order. Reading
    returns a fresh float32 copy (wl_get_param); assigning checks dtype and shape, then
    wl_set_param. update() checks every value before setting any."""

    def __init__(self, model):
        self._model = model

    def _info(self, name):
        info = self._model.lib._param_index.get(name) if isinstance(name, str) else None
        if info is None:
            raise KeyError(name)
        return info

    def __getitem__(self, name):
        info = self._info(name)
        m = self._model
        out = np.empty(info.shape, np.float32)
        m._check("wl_get_param", m.lib.dll.wl_get_param(m._h(), name.encode(), out.ctypes.data))
        return out

    def _checked(self, name, value):
        info = self._info(name)
        what = "params[%r]" % name
        v = _array(value, what, np.float32, "")
        if v.shape != info.shape:
            raise ValueError("%s must have shape %s (got %s)" % (what, list(info.shape), list(v.shape)))
        return v

    def __setitem__(self, name, value):
        v = self._checked(name, value)
        m = self._model
        m._check("wl_set_param", m.lib.dll.wl_set_param(m._h(), name.encode(), v.ctypes.data))

    def update(self, other=(), **kw):
        items = list(other.items() if isinstance(other, collections.abc.Mapping) else other)
        items += list(kw.items())
        checked = [(k, self._checked(k, v)) for k, v in items]
        m = self._model
        for k, v in checked:
            m._check("wl_set_param", m.lib.dll.wl_set_param(m._h(), k.encode(), v.ctypes.data))

    def __delitem__(self, name):
        raise TypeError("model parameters cannot be deleted")

    def __iter__(self):
        return iter([p.name for p in self._model.lib.params])

    def __len__(self):
        return len(self._model.lib.params)

    def __contains__(self, name):
        return isinstance(name, str) and name in self._model.lib._param_index

    def __repr__(self):
        return "<wl params of %s: %s>" % (self._model.lib.name, ", ".join(self))


class _GradsView(collections.abc.Mapping):
    """m.grads: the gradient of every trainable parameter (wl_get_grad), fresh copies."""

    def __init__(self, model):
        self._model = model

    def _names(self):
        return [p.name for p in self._model.lib.params if p.trainable]

    def __getitem__(self, name):
        info = self._model.lib._param_index.get(name) if isinstance(name, str) else None
        if info is None:
            raise KeyError(name)
        if not info.trainable:
            raise KeyError("%s (frozen: not trainable, it has no gradient)" % name)
        m = self._model
        out = np.empty(info.shape, np.float32)
        m._check("wl_get_grad", m.lib.dll.wl_get_grad(m._h(), name.encode(), out.ctypes.data))
        return out

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    def __contains__(self, name):
        info = self._model.lib._param_index.get(name) if isinstance(name, str) else None
        return info is not None and info.trainable

    def __repr__(self):
        return "<wl grads of %s: %s>" % (self._model.lib.name, ", ".join(self))


class Model:
    """One wl_model: parameters, gradients, optimizer state and step count. Destroyed by
    close(), by leaving a `with` block, or when garbage collected. Not thread-safe: use
    one model from one thread at a time (distinct models may run concurrently)."""

    def __init__(self, lib, handle):
        self.lib = lib
        self._handle = ctypes.c_void_p(handle)
        self.params = _ParamsView(self)
        self.grads = _GradsView(self)

    # -- lifetime ---------------------------------------------------------------
    @property
    def handle(self):
        """The wl_model* as an int (low-level access through lib.dll); None once closed."""
        return self._handle.value if self._handle is not None else None

    @property
    def closed(self):
        return self._handle is None

    def close(self):
        """wl_destroy; idempotent."""
        h, self._handle = getattr(self, "_handle", None), None
        if h is not None and h.value:
            self.lib.dll.wl_destroy(h)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        state = "closed" if self.closed else "step %d" % self.step_count
        return "<wl.Model %s (%s)>" % (self.lib.name, state)

    def _h(self):
        if self._handle is None:
            raise ValueError("the wl.Model is closed")
        return self._handle

    def last_error(self):
        """wl_last_error of this model ("" if none)."""
        return _decode(self.lib.dll.wl_last_error(self._h()))

    def _check(self, fn, status):
        if status != WL_OK:
            raise WLError(fn, status, self.last_error())

    # -- argument checks ----------------------------------------------------------
    def _x(self, x, what="x"):
        """(x as [B, input_size] (float32, or int32 token ids), B, was_one_example).
        One example has the per-example shape (lib.input_shape, or [input_size]); a
        float sequence may also come as [B, T, d]."""
        lib = self.lib
        if lib.input_kind == "tokens":
            x = _ids(x, what)
        else:
            x = _array(x, what, np.float32, "")
        n, shape = lib.input_size, tuple(lib.input_shape)
        # A batch first: [B, n] stays a batch even where it is also one example's shape.
        if x.ndim >= 2 and x.shape[1:] in ((n,), shape):
            if x.shape[0] == 0:
                raise ValueError("%s must hold at least one example (got shape %s)"
                                 % (what, list(x.shape)))
            return x.reshape(x.shape[0], n), x.shape[0], False
        if x.shape in ((n,), shape):
            return x.reshape(1, n), 1, True
        forms = ["[B, %d]" % n]
        if shape != (n,):
            forms.append("[B, %s]" % ", ".join(str(d) for d in shape))
        kind = " (int32 token ids)" if lib.input_kind == "tokens" else ""
        raise ValueError("%s must have shape %s or %s for one example%s (got %s)"
                         % (what, " or ".join(forms), list(shape), kind, list(x.shape)))

    def _batch_x(self, x):
        x2, b, one = self._x(x)
        if one:
            raise ValueError("x must have shape [B, %s] (got %s): loss and train_step take a batch; "
                             "use x[None] for one example"
                             % (", ".join(str(d) for d in self.lib.input_shape),
                                list(np.shape(x))))
        return x2, b

    def _labels(self, y, batch):
        if self.lib.label_kind == "class" and self.lib.label_size > 1:
            # Per-position class labels: int32 [B, T].
            y = _array(y, "y", np.int32, " class labels")
            want = (batch, self.lib.label_size)
            if y.shape != want:
                raise ValueError("y must have shape %s (int32 class labels, one per position of "
                                 "each example; got %s)" % (list(want), list(y.shape)))
        elif self.lib.label_kind == "class":
            y = _array(y, "y", np.int32, " class labels")
            if y.ndim != 1 or y.shape[0] != batch:
                raise ValueError("y must have shape [%d] (one int32 class label per row of x; got %s)"
                                 % (batch, list(y.shape)))
        else:
            y = _array(y, "y", np.float32, " targets")
            k = self.lib.output_size
            if y.ndim != 2 or y.shape[1] != k:
                raise ValueError("y must have shape [B, %d] (float32 targets; got %s)" % (k, list(y.shape)))
            if y.shape[0] != batch:
                raise ValueError("y has batch size %d but x has %d" % (y.shape[0], batch))
        return y

    @staticmethod
    def _out(out, shape, what):
        if out is None:
            return np.empty(shape, np.float32)
        if not isinstance(out, np.ndarray) or out.dtype != np.float32:
            raise TypeError("%s must be a float32 numpy.ndarray" % what)
        if out.shape != shape:
            raise ValueError("%s must have shape %s (got %s)" % (what, list(shape), list(out.shape)))
        if not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned):
            raise ValueError("%s must be C-contiguous, aligned and writeable" % what)
        return out

    # -- computation -------------------------------------------------------------
    def forward(self, x, out=None):
        """y = model(x): x [B, *input_shape] (float32; int32 token ids for a token model;
        [B, input_size] flat works too) -> float32 [B, *output_shape] (output_shape is
        [T, classes] for per-position class labels, else [output_size]); x of one
        example (no batch axis) gives y of one example. `out`: an optional float32 array
        of y's shape to write into (returned)."""
        x2, b, one = self._x(x)
        oshape = tuple(self.lib.output_shape)
        shape = oshape if one else (b,) + oshape
        y = self._out(out, shape, "out")
        self._check("wl_forward", self.lib.dll.wl_forward(self._h(), x2.ctypes.data, b, y.ctypes.data))
        return y

    def backward(self, x, dy, out=None):
        """Accumulates the parameter gradients of <dy, model(x)> (wl_backward) and returns
        dx float32 in x's shape, or None for a token model (ids have no gradient; `out`
        must be None). dy: float32 [B, *output_shape] or [B, output_size]; x and dy of one
        example (no batch axis) give dx of one example. Call zero_grad() first to start
        from zero."""
        x2, b, one = self._x(x)
        k = self.lib.output_size
        dy = _array(dy, "dy", np.float32, "")
        oshape = tuple(self.lib.output_shape)
        wants = [(k,), oshape] if one else [(b, k), (b,) + oshape]
        if dy.shape not in wants:
            if not one and dy.ndim >= 1 and dy.shape[1:] in ((k,), oshape):
                raise ValueError("dy has batch size %d but x has %d" % (dy.shape[0], b))
            raise ValueError("dy must have shape %s (got %s)"
                             % (" or ".join(str(list(w)) for w in dict.fromkeys(wants)),
                                list(dy.shape)))
        if self.lib.input_kind == "tokens":
            if out is not None:
                raise ValueError("out must be None: a token model has no input gradient")
            self._check("wl_backward", self.lib.dll.wl_backward(self._h(), x2.ctypes.data,
                                                                 dy.ctypes.data, b, None))
            return None
        dx = self._out(out, np.shape(x), "out")
        self._check("wl_backward", self.lib.dll.wl_backward(self._h(), x2.ctypes.data, dy.ctypes.data,
                                                             b, dx.ctypes.data))
        return dx

    def zero_grad(self):
        self._check("wl_zero_grad", self.lib.dll.wl_zero_grad(self._h()))

    def step(self):
        """One optimizer step from the accumulated gradients (constraints, schedule)."""
        self._check("wl_step", self.lib.dll.wl_step(self._h()))

    def step_tensors(self, pieces):
        """Runs the listed pieces (indices into lib.step_tensors) of the next step
        (wl_step_tensors): each updates its parameter and state. The first call of a step
        takes the step guard's snapshot; step_finish() completes the step. step() is
        step_tensors(all) + step_finish()."""
        ks = np.ascontiguousarray(np.asarray(list(pieces), dtype=np.int32))
        fn = self.lib._need("wl_step_tensors")
        self._check("wl_step_tensors", fn(self._h(), ks.ctypes.data if ks.size else None,
                                          int(ks.size)))

    def step_finish(self):
        """Completes a step begun by step_tensors (wl_step_finish): the work that needs every
        tensor updated, the step guard's check, step_count + 1."""
        self._check("wl_step_finish", self.lib._need("wl_step_finish")(self._h()))

    def step_tensor_buffers(self, k):
        """(param, state): float32 numpy views of the model's memory that piece k writes,
        its parameter and the span of its state tensors (empty when none). Writing them
        between step_tensors and step_finish is how another replica's result is taken."""
        fn = self.lib._need("wl_step_tensor_buffers")
        out = [ctypes.POINTER(ctypes.c_float)(), ctypes.c_int64(-1),
               ctypes.POINTER(ctypes.c_float)(), ctypes.c_int64(-1)]
        self._check("wl_step_tensor_buffers",
                    fn(self._h(), int(k), *[ctypes.byref(o) for o in out]))
        return float_view(*out[:2]), float_view(*out[2:])

    def loss(self, x, y):
        """Mean loss of the batch (wl_loss). y: int32 [B] class labels, int32 [B, T]
        per-position class labels (lib.label_size T), or float32 [B, output_size]
        targets (lib.label_kind)."""
        x, b = self._batch_x(x)
        y = self._labels(y, b)
        out = ctypes.c_float(float("nan"))
        self._check("wl_loss", self.lib.dll.wl_loss(self._h(), x.ctypes.data, y.ctypes.data, b,
                                                    ctypes.addressof(out)))
        return float(out.value)

    def loss_backward(self, x, y):
        """Mean loss of the batch, and its gradient added to the accumulated ones (no
        zero_grad, no step): train_step's middle, for callers that combine gradients
        (wl.distributed)."""
        x, b = self._batch_x(x)
        y = self._labels(y, b)
        out = ctypes.c_float(float("nan"))
        fn = self.lib._need("wl_loss_backward")
        self._check("wl_loss_backward", fn(self._h(), x.ctypes.data, y.ctypes.data, b,
                                           ctypes.addressof(out)))
        return float(out.value)

    def train_step(self, x, y):
        """zero_grad + forward + loss + backward + step; returns the loss before the step."""
        x, b = self._batch_x(x)
        y = self._labels(y, b)
        out = ctypes.c_float(float("nan"))
        self._check("wl_train_step", self.lib.dll.wl_train_step(self._h(), x.ctypes.data, y.ctypes.data,
                                                                b, ctypes.addressof(out)))
        return float(out.value)

    def generate(self, prompt_ids, n, temperature=1.0, seed=0, vocab_size=None):
        """Samples `n` ids after `prompt_ids` (at least one id) from a causal token model with
        per-position logits [T, V], one id at a time: the last <= T ids of the sequence so far
        sit left-aligned in a window (the rest padded with id 0, which a causal model does not
        read) and the logits at the last real position give the next id. temperature 0: the
        argmax; else a draw from softmax(logits / temperature) (float64) by
        numpy.random.default_rng(seed), so one seed gives one sequence. `vocab_size`: draw
        only among ids below it (default: all V). Returns the n ids, int32 [n]."""
        lib = self.lib
        if lib.input_kind != "tokens" or lib.label_kind != "class" or len(lib.output_shape) != 2:
            raise ValueError("generate needs a token model with per-position logits [T, V] "
                             "(%s has input %s and output %s)"
                             % (lib.name, lib.input_kind, list(lib.output_shape)))
        T, V = lib.output_shape
        ids = _ids(np.asarray(prompt_ids) if isinstance(prompt_ids, (list, tuple)) else prompt_ids,
                   "prompt_ids")
        if ids.ndim != 1 or ids.size == 0:
            raise ValueError("prompt_ids must be a non-empty 1-D sequence of ids (got shape %s)"
                             % list(ids.shape))
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError("n must be an int >= 0 (got %r)" % (n,))
        temperature = float(temperature)
        if not (temperature >= 0 and np.isfinite(temperature)):
            raise ValueError("temperature must be a finite number >= 0 (got %r)" % temperature)
        k = V if vocab_size is None else int(vocab_size)
        if not 1 <= k <= V:
            raise ValueError("vocab_size must be in [1, %d] (got %r)" % (V, vocab_size))
        rng = np.random.default_rng(seed)
        seq = [int(i) for i in ids]
        window = np.zeros((1, T), np.int32)
        logits = np.empty((1, T, V), np.float32)
        for _ in range(int(n)):
            context = seq[-T:]
            window[0, :len(context)] = context
            self.forward(window, out=logits)
            z = logits[0, len(context) - 1, :k].astype(np.float64)
            if temperature == 0:
                seq.append(int(np.argmax(z)))
                continue
            p = np.exp((z - z.max()) / temperature)
            cdf = np.cumsum(p)
            seq.append(min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), k - 1))
        return np.array(seq[len(ids):], np.int32)

    # -- weights ------------------------------------------------------------------
    def weight(self, layer):
        """The effective weight W [out_features, in_features] of a layer (wl_get_weight):
        structured layers materialised, frozen base plus adapters merged."""
        info = self.lib._layer_index.get(layer) if isinstance(layer, str) else None
        if info is None:
            if not self.lib.layers and "wl_num_layers" not in self.lib._optional:
                raise AttributeError("this library does not describe its layers (wl_num_layers); "
                                     "recompile it")
            raise KeyError(layer)
        out = np.empty((info.out_features, info.in_features), np.float32)
        self._check("wl_get_weight", self.lib.dll.wl_get_weight(self._h(), layer.encode(),
                                                                out.ctypes.data))
        return out

    @property
    def step_count(self):
        """Optimizer steps taken so far (wl_step_count)."""
        return int(self.lib._need("wl_step_count")(self._h()))

    # -- files ----------------------------------------------------------------------
    def save(self, path):
        """Checkpoint (params, optimizer state, step) as safetensors, written atomically."""
        self._check("wl_save", self.lib.dll.wl_save(self._h(), _fspath(path, "path")))

    def load(self, path):
        """Restores a checkpoint written by save(); the model is unchanged on error."""
        self._check("wl_load", self.lib.dll.wl_load(self._h(), _fspath(path, "path")))

    def export_dense(self, path):
        """Writes "<layer>.weight" (effective W) and "<layer>.bias" for every layer, F32
        safetensors: a plain torch.nn.Linear state_dict."""
        fn = self.lib._need("wl_export_dense")
        self._check("wl_export_dense", fn(self._h(), _fspath(path, "path")))

    # -- certificates ---------------------------------------------------------------
    def lipschitz_bound(self):
        """A sound upper bound of the model's l2 -> l2 Lipschitz constant."""
        v = float(self.lib.dll.wl_lipschitz_bound(self._h()))
        if v < 0:
            raise WLError("wl_lipschitz_bound", NO_STATUS, self.last_error())
        return v

    def layer_bounds(self):
        """{layer name: sound upper bound of sigma_max(W)} for every layer."""
        res = {}
        for l in self.lib.layers:
            v = float(self.lib.dll.wl_layer_spectral_bound(self._h(), l.name.encode()))
            if v < 0:
                raise WLError("wl_layer_spectral_bound", NO_STATUS, self.last_error())
            res[l.name] = v
        return res
