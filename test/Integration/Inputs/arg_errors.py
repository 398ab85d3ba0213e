"""Argument errors (CPU/arg_errors.wl): NULL pointers, batch <= 0 and unknown names give
a non-OK status and a wl_last_error message, never a crash; the model stays usable and
unchanged. Raw ctypes calls (NULL = None)."""
import ctypes

import numpy as np

import reference as R
import wlcheck
import wlharness
from wlharness import WL_OK, WL_ERR_ARG, ptr


def forward(p, x):
    return R.linear(p, "head", R.relu(R.linear(p, "fc1", x)))


SPEC = R.Spec("ArgErrors", 3, 2, {"fc1.weight": (4, 3), "fc1.bias": (4,), "head.weight": (2, 4),
                                  "head.bias": (2,)}, forward, "cross_entropy", {"default": R.sgd(lr=0.1)})


def run(lib, spec):
    if not isinstance(lib, wlharness.Library):
        raise wlcheck.Failure("arg_errors needs a real library (raw ctypes calls)")
    d = lib.dll
    m = lib.create(seed=0)
    h = m.h
    x = np.ones((2, 3), np.float32)
    y = np.empty((2, 2), np.float32)
    dy = np.ones((2, 2), np.float32)
    lab = np.zeros(2, np.int32)
    w = np.empty((4, 3), np.float32)
    loss = ctypes.c_float()
    lp = ctypes.addressof(loss)
    snap = {k: v.tobytes() for k, v in m.params().items()}

    cases = [
        ("forward_null_x", lambda: d.wl_forward(h, None, 2, ptr(y))),
        ("forward_null_y", lambda: d.wl_forward(h, ptr(x), 2, None)),
        ("forward_batch_0", lambda: d.wl_forward(h, ptr(x), 0, ptr(y))),
        ("forward_batch_negative", lambda: d.wl_forward(h, ptr(x), -3, ptr(y))),
        ("backward_null_x", lambda: d.wl_backward(h, None, ptr(dy), 2, None)),
        ("backward_null_dy", lambda: d.wl_backward(h, ptr(x), None, 2, None)),
        ("backward_batch_0", lambda: d.wl_backward(h, ptr(x), ptr(dy), 0, None)),
        ("loss_null_x", lambda: d.wl_loss(h, None, ptr(lab), 2, lp)),
        ("loss_null_labels", lambda: d.wl_loss(h, ptr(x), None, 2, lp)),
        ("loss_null_out", lambda: d.wl_loss(h, ptr(x), ptr(lab), 2, None)),
        ("loss_batch_0", lambda: d.wl_loss(h, ptr(x), ptr(lab), 0, lp)),
        ("train_step_null_x", lambda: d.wl_train_step(h, None, ptr(lab), 2, lp)),
        ("train_step_null_labels", lambda: d.wl_train_step(h, ptr(x), None, 2, lp)),
        ("train_step_batch_0", lambda: d.wl_train_step(h, ptr(x), ptr(lab), 0, lp)),
        ("get_param_unknown", lambda: d.wl_get_param(h, b"fc9.weight", ptr(w))),
        ("get_param_null_name", lambda: d.wl_get_param(h, None, ptr(w))),
        ("get_param_null_out", lambda: d.wl_get_param(h, b"fc1.weight", None)),
        ("set_param_unknown", lambda: d.wl_set_param(h, b"fc1.weigh", ptr(w))),
        ("set_param_null_in", lambda: d.wl_set_param(h, b"fc1.weight", None)),
        ("get_grad_unknown", lambda: d.wl_get_grad(h, b"nope", ptr(w))),
        ("get_weight_unknown", lambda: d.wl_get_weight(h, b"fc7", ptr(w))),
        ("save_null_path", lambda: d.wl_save(h, None)),
        ("load_null_path", lambda: d.wl_load(h, None)),
    ]
    for name, call in cases:
        st = call()
        msg = m.last_error()
        if st == WL_OK:
            raise wlcheck.Failure("%s: returned WL_OK" % name)
        if not msg:
            raise wlcheck.Failure("%s: status %d but wl_last_error is empty" % (name, st))
        print("OK %s status=%s message=%s" % (name, wlharness.STATUS_NAMES.get(st, st), msg.splitlines()[0]))
    # An unknown name is named in the message.
    for fn, arg in [("wl_get_param", b"fc9.weight"), ("wl_set_param", b"fc1.weigh"), ("wl_get_grad", b"nope")]:
        getattr(d, fn)(h, arg, ptr(w))
        wlcheck.expect(arg.decode() in (m.last_error() or ""), "message_names_" + fn, repr(m.last_error()))
    wlcheck.expect(all(st != WL_OK for st in (d.wl_get_param(h, b"fc9.weight", ptr(w)),)) and
                   d.wl_get_param(h, b"fc9.weight", ptr(w)) == WL_ERR_ARG, "unknown_name_is_ERR_ARG",
                   "status %r" % d.wl_get_param(h, b"fc9.weight", ptr(w)))

    # NULL model handle: an error status, no crash.
    for name, st in [("forward_null_model", d.wl_forward(None, ptr(x), 2, ptr(y))),
                     ("zero_grad_null_model", d.wl_zero_grad(None)),
                     ("step_null_model", d.wl_step(None)),
                     ("get_param_null_model", d.wl_get_param(None, b"fc1.weight", ptr(w)))]:
        wlcheck.expect(st != WL_OK, name, "returned WL_OK")
    d.wl_destroy(None)  # like free(NULL)
    wlcheck.expect(True, "destroy_null")

    after = {k: v.tobytes() for k, v in m.params().items()}
    wlcheck.expect(after == snap, "model_unchanged_by_errors", "a failed call changed a parameter")
    wlcheck.expect(m.step_count() in (None, 0), "no_step_taken", "step count %r" % m.step_count())
    m.forward(x)  # still usable; raises on error
    m.train_step(x, lab)
    wlcheck.expect(True, "usable_after_errors")


if __name__ == "__main__":
    wlcheck.main(run, [SPEC])
