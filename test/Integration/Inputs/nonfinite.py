"""Numerical faults (CPU/nonfinite.wl). argv: Huge.so Sane.so workdir [Wide.so].

Prints "OK <check> <message>" or "FAIL <check>: ..." and "<n> failed".
"""
import os
import sys

import numpy as np

import wlharness as wh

huge_lib, sane_lib, work = wh.Library(sys.argv[1]), wh.Library(sys.argv[2]), sys.argv[3]
failures = []


def check(name, ok, detail=""):
    if ok:
        print("OK %s %s" % (name, detail))
    else:
        failures.append(name)
        print("FAIL %s: %s" % (name, detail))


def snapshot(m, name):
    """The model's whole state (params, optimizer state, step) as checkpoint bytes."""
    path = os.path.join(work, name + ".safetensors")
    m.save(path)
    with open(path, "rb") as f:
        return f.read()


def expect_status(name, status, model, want=wh.WL_ERR_NONFINITE):
    message = model.last_error() or ""
    check(name, status == want, "%s: %s" % (wh.STATUS_NAMES.get(status, status), message))
    return message


def poisoned_step(name, model, param, index, xs, ys):
    """A NaN at `index` of `param`: wl_train_step must be refused and change nothing (the
    checkpoint's bytes, the step count). Returns the parameter's clean value."""
    clean = model.get_param(param)
    poisoned = clean.copy()
    poisoned[index] = np.nan
    model.set_param(param, poisoned)
    before, steps = snapshot(model, name), model.step_count()
    status = model.call("wl_train_step", wh.ptr(xs), wh.ptr(ys), len(ys), wh.ctypes.addressof(loss))
    expect_status(name + "_rejected", status, model)
    check(name + "_unchanged", snapshot(model, name + "_after") == before and model.step_count() == steps)
    return clean


rng = np.random.default_rng(0)
x = rng.standard_normal((4, 8)).astype(np.float32)
y = np.array([0, 1, 2, 1], np.int32)

# A step with lr = 1e30: WL_ERR_NONFINITE, the model exactly as before.
m = huge_lib.create(1)
m.train_step(x, y)  # t = 1: adamw normalises, sgd/muon take w - 1e30 g: already huge?
before = snapshot(m, "before")
steps = m.step_count()
m.zero_grad()
m.backward(x, rng.standard_normal((4, 3)).astype(np.float32))
status = m.call("wl_step")
expect_status("huge_sgd_step_nonfinite", status, m)
check("huge_step_unchanged", snapshot(m, "after") == before and m.step_count() == steps)

status = m.call("wl_train_step", wh.ptr(x), wh.ptr(y), 4, wh.ctypes.addressof(wh.ctypes.c_float()))
expect_status("huge_train_step_nonfinite", status, m)
check("huge_train_step_unchanged", snapshot(m, "after2") == before and m.step_count() == steps)
loss = wh.ctypes.c_float(np.nan)
status = m.call("wl_loss", wh.ptr(x), wh.ptr(y), 4, wh.ctypes.addressof(loss))
# wl_loss evaluates: a model that overflows reports a NaN loss (and no error).
check("huge_loss_is_nan", status == wh.WL_OK and np.isnan(loss.value),
      "status %d, loss %r" % (status, loss.value))

# Non-finite inputs: reported with the first bad element, nothing changes.
s = sane_lib.create(2)
before = snapshot(s, "sane_before")
bad = x.copy()
bad[1, 2] = np.nan
out = np.full((4, 3), 7.0, np.float32)
status = s.call("wl_forward", wh.ptr(bad), 4, wh.ptr(out))
expect_status("forward_nan_input", status, s)
bad = x.copy()
bad[0, 5] = -np.inf
bad[2, 1] = np.nan
status = s.call("wl_forward", wh.ptr(bad), 4, wh.ptr(out))
expect_status("forward_inf_input", status, s)
check("forward_output_untouched", bool(np.all(out == 7.0)))
dy = np.ones((4, 3), np.float32)
dy[3, 0] = np.nan
status = s.call("wl_backward", wh.ptr(x), wh.ptr(dy), 4, None)
expect_status("backward_nan_dy", status, s)
bad = x.copy()
bad[2, 7] = np.inf
status = s.call("wl_loss", wh.ptr(bad), wh.ptr(y), 4, wh.ctypes.addressof(loss))
expect_status("loss_inf_input", status, s)
bad[2, 7] = np.nan
status = s.call("wl_train_step", wh.ptr(bad), wh.ptr(y), 4, wh.ctypes.addressof(loss))
expect_status("train_step_nan_input", status, s)
check("train_step_nan_input_unchanged", snapshot(s, "sane_after") == before and s.step_count() == 0)

# A NaN parameter: its gradients are NaN, the step is refused and the model kept
# as it is (NaN included); after the parameter is repaired, training goes on.
w = poisoned_step("nan_param_step", s, "fc1.weight", (0, 0), x, y)
s.set_param("fc1.weight", w)
losses = [s.train_step(x, y) for _ in range(20)]
check("training_continues", s.step_count() == 20 and losses[-1] < losses[0], str(losses[::5]))

# WL_STEP_GUARD=0 (read at wl_create) turns the guard off: the same steps then
# succeed and leave infinities behind.
import subprocess
child = subprocess.run(
    [sys.executable, "-c", """
import sys, numpy as np, wlharness as wh
m = wh.Library(sys.argv[1]).create(1)
x = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
y = np.array([0, 1, 2, 1], np.int32)
loss = wh.ctypes.c_float()
codes = [m.call("wl_train_step", wh.ptr(x), wh.ptr(y), 4, wh.ctypes.addressof(loss)) for _ in range(3)]
print(codes, m.step_count(), all(np.isfinite(m.get_param(n)).all() for n, _, _ in m.lib.param_info))
""", sys.argv[1]], env=dict(os.environ, WL_STEP_GUARD="0"), capture_output=True, text=True)
check("guard_off_steps_unchecked", child.stdout.strip() == "[0, 0, 0] 3 False",
      child.stdout.strip() + child.stderr[-500:])

# Wide (argv[4]): the guard's copy and check run on several threads. A NaN in
# head.weight makes every gradient NaN, so every region is bad after the step, in
# every thread's chunk: the message must name the first (fc1.weight), and the
# snapshot, copied in chunks, must put every byte back.
if len(sys.argv) > 4:
    wide = wh.Library(sys.argv[4]).create(3)
    xw = rng.standard_normal((16, 256)).astype(np.float32)
    yw = rng.integers(0, 3, 16).astype(np.int32)
    wide.train_step(xw, yw)
    head = poisoned_step("wide_poisoned_step", wide, "head.weight", (2, 255), xw, yw)
    wide.set_param("head.weight", head)
    losses = [wide.train_step(xw, yw) for _ in range(10)]
    check("wide_training_continues", wide.step_count() == 11 and losses[-1] < losses[0], str(losses[::3]))

print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
