"""CPU/sharded_step.wl: the pieces of a sharded step (wl_step_tensors, wl_step_finish).

For each library, from models created with one seed and given the same gradients:
  pieces       lib.step_tensors names every trainable parameter once, with flops >= 0;
  equal_step   3 steps of the pieces, each run alone in reverse order, then step_finish,
               leave every parameter, gradient and state tensor bit-identical to wl_step;
  own_spans    piece k run alone changes its parameter, and nothing outside its own two
               spans (wl_step_tensor_buffers) changes: what a sharded step broadcasts from
               the piece's owner is all it wrote;
  guard        NaN gradients: every piece runs, then step_finish answers WL_ERR_NONFINITE
               and parameters, state and step count are as before the step;
and once, the errors: step_finish with no open step, a piece out of range or listed twice
(the model unchanged, the step still usable), wl_step while a step is open, wl_load
discarding an open step.
"""
import sys
import tempfile

import numpy as np

import wl
from wl.distributed import _span


def fail(name, why):
    raise SystemExit("FAIL %s: %s" % (name, why))


def batch(lib, rng, size=8):
    if lib.input_kind == "tokens":
        V = lib.output_shape[-1]
        x = rng.integers(0, V, size=(size,) + lib.input_shape).astype(np.int32)
        return x, np.roll(x, -1, axis=1).astype(np.int32)
    x = (0.3 * rng.standard_normal((size,) + lib.input_shape)).astype(np.float32)
    if lib.label_kind == "target":
        return x, rng.standard_normal((size,) + lib.output_shape).astype(np.float32)
    return x, rng.integers(0, lib.output_size, size=size).astype(np.int32)


def memory_views(m):
    """The whole replica: parameters, gradients, state (the model's memory)."""
    return [_span(m, fn) for fn in ("wl_param_buffer", "wl_grad_buffer", "wl_state_buffer")]


def memory(m):
    """Copies of memory_views(m)."""
    return [np.array(v) for v in memory_views(m)]


def twins(lib, seed=3):
    """Two models with the same parameters and the same accumulated gradients."""
    rng = np.random.default_rng(seed)
    x, y = batch(lib, rng)
    out = []
    for _ in range(2):
        m = lib.create(seed=seed)
        m.loss_backward(x, y)
        out.append(m)
    return out


def check_pieces(lib):
    trainable = [p.name for p in lib.params if p.trainable]
    names = [t.param for t in lib.step_tensors]
    if sorted(names) != sorted(trainable) or len(set(names)) != len(names):
        fail("pieces_" + lib.name, "%r vs the trainable %r" % (names, trainable))
    if any(not t.flops >= 0 for t in lib.step_tensors):
        fail("pieces_" + lib.name, repr(lib.step_tensors))
    print("OK pieces_%s (%d pieces, %s flops)"
          % (lib.name, len(names), ", ".join("%.3g" % t.flops for t in lib.step_tensors)))


def check_equal_step(lib):
    name = "equal_step_" + lib.name
    rng = np.random.default_rng(7)
    a, b = lib.create(seed=5), lib.create(seed=5)
    n = len(lib.step_tensors)
    for step in range(3):
        x, y = batch(lib, rng)
        for m in (a, b):
            m.zero_grad()
            m.loss_backward(x, y)
        a.step()
        for k in reversed(range(n)):
            b.step_tensors([k])
        b.step_finish()
        for what, u, v in zip(("parameters", "gradients", "state"), memory(a), memory(b)):
            if not np.array_equal(u, v):
                fail(name, "step %d: the %s differ by up to %.3g" % (
                    step + 1, what, float(np.max(np.abs(u - v)))))
    if b.step_count != 3 or a.step_count != 3:
        fail(name, "step counts %d and %d" % (a.step_count, b.step_count))
    print("OK %s (bit-identical after 3 steps)" % name)


def offset(view, base):
    """Where numpy view `view` starts, in floats from `base`'s first element."""
    return (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // 4


def check_own_spans(lib):
    name = "own_spans_" + lib.name
    for k, piece in enumerate(lib.step_tensors):
        m, _ = twins(lib)
        views = memory_views(m)
        before = [np.array(v) for v in views]
        own = [(offset(b, views[0]), offset(b, views[0]) + b.size)
               for b in m.step_tensor_buffers(k) if b.size]
        m.step_tensors([k])
        changed = 0
        for v, old in zip(views, before):
            base = offset(v, views[0])
            for i in np.flatnonzero(v.view(np.uint32) != old.view(np.uint32)):
                at = base + int(i)
                if not any(lo <= at < hi for lo, hi in own):
                    fail(name, "piece %d (%s) wrote float %d outside its spans %r"
                         % (k, piece.param, at, own))
                changed += 1
        if not changed:
            fail(name, "piece %d (%s) changed nothing" % (k, piece.param))
        param = np.array(m.params[piece.param]).ravel()
        if not np.array_equal(m.step_tensor_buffers(k)[0][:param.size], param):
            fail(name, "piece %d's parameter span does not hold %s" % (k, piece.param))
        m.step_finish()
    print("OK %s (%d pieces)" % (name, len(lib.step_tensors)))


def check_guard(lib):
    """Every gradient NaN: the pieces run, step_finish undoes them."""
    name = "guard_" + lib.name
    m, _ = twins(lib)
    _span(m, "wl_grad_buffer")[:] = np.nan
    before = memory(m)
    m.step_tensors(range(len(lib.step_tensors)))
    try:
        m.step_finish()
        fail(name, "NaN gradients went through")
    except wl.WLError as e:
        if e.status_name != "WL_ERR_NONFINITE" or "non-finite" not in e.message:
            fail(name, "unexpected error %s" % e)
        message = e.message
    for what, u, v in zip(("parameters", "gradients", "state"), before, memory(m)):
        if not np.array_equal(u, v, equal_nan=True):
            fail(name, "the %s changed" % what)
    if m.step_count != 0:
        fail(name, "step count %d" % m.step_count)
    print("OK %s (%s)" % (name, message))


def expect_error(name, call, status, text):
    try:
        call()
    except wl.WLError as e:
        if e.status_name != status or text not in e.message:
            fail(name, "got %s: %s" % (e.status_name, e.message))
        return e.message
    fail(name, "no error")


def check_errors(lib):
    n = len(lib.step_tensors)
    m, ref = twins(lib)
    msg = expect_error("finish_without_step", m.step_finish, "WL_ERR_ARG", "no step is open")
    print("OK finish_without_step (%s)" % msg)
    before = memory(m)
    msg = expect_error("piece_out_of_range", lambda: m.step_tensors([0, n]), "WL_ERR_ARG",
                       "tensor %d is out of range [0, %d)" % (n, n))
    print("OK piece_out_of_range (%s)" % msg)
    msg = expect_error("piece_twice", lambda: m.step_tensors([0, 0]), "WL_ERR_ARG",
                       "tensor 0 was already updated in this step")
    print("OK piece_twice (%s)" % msg)
    if any(not np.array_equal(u, v) for u, v in zip(before, memory(m))):
        fail("piece_twice", "a refused call changed the model")
    m.step_tensors([0])
    msg = expect_error("piece_twice_across_calls", lambda: m.step_tensors([0]), "WL_ERR_ARG",
                       "already updated")
    msg = expect_error("step_while_open", m.step, "WL_ERR_ARG", "a sharded step is open")
    print("OK step_while_open (%s)" % msg)
    m.step_tensors(range(1, n))
    m.step_finish()
    ref.step()
    if any(not np.array_equal(u, v) for u, v in zip(memory(ref), memory(m))):
        fail("step_after_errors", "the step differs from wl_step")
    print("OK step_after_errors")
    with tempfile.TemporaryDirectory() as d:
        path = d + "/ckpt.safetensors"
        m.save(path)
        m.step_tensors([0])
        m.load(path)
        expect_error("load_discards_open_step", m.step_finish, "WL_ERR_ARG", "no step is open")
        m.step()
        if m.step_count != 2:
            fail("load_discards_open_step", "step count %d" % m.step_count)
    print("OK load_discards_open_step")


def main():
    libs = [wl.load_library(p) for p in sys.argv[1:]]
    for lib in libs:
        check_pieces(lib)
        check_equal_step(lib)
        check_own_spans(lib)
        check_guard(lib)
    check_errors(libs[0])


if __name__ == "__main__":
    main()
