"""Error paths of the wl package: arguments are checked in Python before reaching C
(TypeError for a wrong dtype or a non-array, naming the argument and the conversion;
ValueError for a wrong shape or batch; KeyError for unknown names), what only C
checks surfaces as wl.WLError with wl_last_error's message (an out-of-range label:
WL_ERR_ARG), and a missing or foreign library path is an OSError.
argv[1]: a scratch directory (%t)."""
import os
import pickle
import sys

import numpy as np

from pycheck import INPUTS, check, guarded, raises, workdir

import wl


def main():
    t = workdir(sys.argv[1])
    lib = wl.compile(os.path.join(INPUTS, "mlp.wl"), cache_dir=os.path.join(t, "cache"))
    m = lib.create(0)
    x = np.zeros((4, 6), np.float32)
    y = np.array([0, 1, 2, 0], np.int32)
    p0 = dict(m.params)

    # x
    raises("x_float64", TypeError, m.forward, np.zeros((4, 6)),
           contains=["x must be float32 (got float64)", "x.astype(np.float32)"])
    raises("x_int", TypeError, m.forward, np.zeros((4, 6), np.int64), contains=["got int64"])
    raises("x_float16", TypeError, m.train_step, np.zeros((4, 6), np.float16), y, contains=["float16"])
    raises("x_list", TypeError, m.forward, [[0.0] * 6], contains=["x must be a numpy.ndarray"])
    raises("x_width", ValueError, m.forward, np.zeros((4, 5), np.float32),
           contains=["x must have shape [B, 6]", "[4, 5]"])
    raises("x_3d", ValueError, m.forward, np.zeros((2, 2, 6), np.float32), contains=["[2, 2, 6]"])
    raises("x_1d_width", ValueError, m.forward, np.zeros(5, np.float32), contains=["[5]"])
    raises("x_empty_batch", ValueError, m.forward, np.zeros((0, 6), np.float32),
           contains=["at least one"])
    raises("x_1d_loss", ValueError, m.loss, np.zeros(6, np.float32), y[:1], contains=["x[None]"])
    # dy
    raises("dy_float64", TypeError, m.backward, x, np.zeros((4, 3)), contains=["dy must be float32"])
    raises("dy_batch", ValueError, m.backward, x, np.zeros((5, 3), np.float32),
           contains=["dy has batch size 5 but x has 4"])
    raises("dy_width", ValueError, m.backward, x, np.zeros((4, 2), np.float32),
           contains=["dy must have shape [4, 3]"])
    # labels
    raises("y_int64", TypeError, m.train_step, x, y.astype(np.int64),
           contains=["y must be int32 (got int64) class labels", "y.astype(np.int32)"])
    raises("y_float", TypeError, m.loss, x, y.astype(np.float32), contains=["int32", "float32"])
    raises("y_batch", ValueError, m.train_step, x, y[:3],
           contains=["y must have shape [4]", "[3]"])
    raises("y_2d", ValueError, m.loss, x, y[:, None], contains=["[4, 1]"])
    # out=
    raises("out_shape", ValueError, m.forward, x, out=np.empty((4, 2), np.float32), contains=["out"])
    raises("out_dtype", TypeError, m.forward, x, out=np.empty((4, 3)), contains=["float32"])
    check("validation_before_c", m.step_count == 0 and m.last_error() == ""
          and all(np.array_equal(m.params[k], v) for k, v in p0.items()), m.last_error())

    # label range: checked by C, its message surfaces
    e = raises("label_range", wl.WLError, m.train_step, x, np.array([0, 3, 1, 2], np.int32),
               contains=["label 3 at index 1 is outside [0, 3)"])
    check("label_range_attrs", e is not None and e.status_name == "WL_ERR_ARG" and e.status == 1
          and e.function == "wl_train_step" and "label 3 at index 1" in e.message
          and isinstance(e, RuntimeError), e and (e.status_name, e.function, e.message))
    e = raises("label_negative", wl.WLError, m.loss, x, np.array([0, 0, -1, 0], np.int32),
               contains=["wl_loss", "label -1 at index 2"])
    check("label_error_no_step", m.step_count == 0)
    check("wlerror_pickles", e is not None and pickle.loads(pickle.dumps(e)).message == e.message)

    # params
    raises("param_unknown_get", KeyError, lambda: m.params["fc3.weight"], contains=["fc3.weight"])
    def setp(k, v):
        m.params[k] = v
    raises("param_unknown_set", KeyError, setp, "fc3.weight", np.zeros((3, 8), np.float32))
    raises("param_shape", ValueError, setp, "fc1.weight", np.zeros((6, 8), np.float32),
           contains=["params['fc1.weight'] must have shape [8, 6]", "[6, 8]"])
    raises("param_dtype", TypeError, setp, "fc1.bias", np.zeros(8),
           contains=["params['fc1.bias'] must be float32 (got float64)"])
    raises("param_not_array", TypeError, setp, "fc1.bias", 0.0, contains=["numpy.ndarray"])
    raises("grad_unknown", KeyError, lambda: m.grads["nope"])
    raises("weight_unknown", KeyError, m.weight, "fc9", contains=["fc9"])
    check("params_unchanged", all(np.array_equal(m.params[k], v) for k, v in p0.items()))

    # libraries
    raises("missing_library", FileNotFoundError, wl.load_library, os.path.join(t, "libNope.so"),
           contains=["libNope.so"])
    notlib = os.path.join(t, "libFake.so")
    with open(notlib, "w") as f:
        f.write("not an ELF file\n")
    raises("not_a_library", OSError, wl.load_library, notlib, contains=["libFake.so"])
    # a shared library without the wl ABI: the libm this process has loaded
    with open("/proc/self/maps") as f:
        libm = next((l.split()[-1] for l in f if "/libm.so" in l or "/libm-" in l), None)
    check("found_libm", libm is not None and os.path.isfile(libm), libm)
    raises("foreign_library", OSError, wl.load_library, libm or notlib,
           contains=["is not a wl library", "wl_abi_version"])
    raises("library_dir", OSError, wl.load_library, t)
    raises("create_seed_type", TypeError, lib.create, 1.5, contains=["seed"])


guarded(main)
