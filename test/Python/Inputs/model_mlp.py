"""wl.Model on a small relu MLP (Inputs/mlp.wl) against an independent float64 numpy
reference: library description, forward (2-D and 1-D), loss, backward (dx and every
gradient, accumulation, zero_grad), step and train_step (plain SGD), the params mapping
(read, write, update, iteration, copies), grads, weight(), the bounds, step_count,
determinism in the seed, close() and `with`. argv[1]: a scratch directory (%t)."""
import os
import sys

import numpy as np

from pycheck import INPUTS, check, close, guarded, raises, workdir

import wl

LR = 0.1


def ref_forward(p, x):
    h1 = x @ p["fc1.weight"].T + p["fc1.bias"]
    a1 = np.maximum(h1, 0)
    z = a1 @ p["fc2.weight"].T + p["fc2.bias"]
    return h1, a1, z


def ref_backward(p, x, dz):
    h1, a1, _ = ref_forward(p, x)
    g = {"fc2.weight": dz.T @ a1, "fc2.bias": dz.sum(0)}
    da1 = dz @ p["fc2.weight"]
    dh1 = da1 * (h1 > 0)
    g["fc1.weight"] = dh1.T @ x
    g["fc1.bias"] = dh1.sum(0)
    return dh1 @ p["fc1.weight"], g


def ref_loss(p, x, y):
    """Mean cross-entropy and its gradient w.r.t. the logits."""
    _, _, z = ref_forward(p, x)
    z = z - z.max(1, keepdims=True)
    lse = np.log(np.exp(z).sum(1))
    loss = float(np.mean(lse - z[np.arange(len(y)), y]))
    prob = np.exp(z - lse[:, None])
    prob[np.arange(len(y)), y] -= 1
    return loss, prob / len(y)


def f64(d):
    return {k: v.astype(np.float64) for k, v in d.items()}


def main():
    t = workdir(sys.argv[1])
    lib = wl.compile(os.path.join(INPUTS, "mlp.wl"), cache_dir=os.path.join(t, "cache"))
    check("library", (lib.name, lib.input_size, lib.output_size, lib.label_kind)
          == ("PyMLP", 6, 3, "class"), repr(lib))
    check("library_params", lib.params == [
        wl.ParamInfo("fc1.weight", (8, 6), True), wl.ParamInfo("fc1.bias", (8,), True),
        wl.ParamInfo("fc2.weight", (3, 8), True), wl.ParamInfo("fc2.bias", (3,), True)],
        lib.params)
    check("library_layers", lib.layers == [wl.LayerInfo("fc1", 6, 8), wl.LayerInfo("fc2", 8, 3)],
          lib.layers)
    check("load_library_same", wl.load_library(lib.path).params == lib.params)

    rng = np.random.default_rng(0)
    m = lib.create(seed=7)
    check("repr", "PyMLP" in repr(m) and "PyMLP" in repr(lib))

    # params mapping
    names = [p.name for p in lib.params]
    check("params_keys", list(m.params) == names and list(m.params.keys()) == names
          and len(m.params) == 4 and "fc1.weight" in m.params and "nope" not in m.params)
    p0 = dict(m.params)
    check("params_dict", sorted(p0) == sorted(names) and all(
        p0[n].dtype == np.float32 and p0[n].shape == i.shape for n, i in zip(names, lib.params)))
    check("params_items", all(np.array_equal(v, p0[k]) for k, v in m.params.items()))
    check("params_init_nonzero", np.abs(p0["fc1.weight"]).sum() > 0
          and np.all(p0["fc1.bias"] == 0))
    w = m.params["fc1.weight"]
    w[:] = 123
    check("params_get_is_copy", not np.any(m.params["fc1.weight"] == 123))
    # random parameters (biases nonzero) for the reference checks
    newp = {i.name: rng.standard_normal(i.shape).astype(np.float32) * 0.5 for i in lib.params}
    for k, v in newp.items():
        m.params[k] = v
    check("params_set_roundtrip", all(np.array_equal(m.params[k], v) for k, v in newp.items()))
    wt = np.asfortranarray(newp["fc2.weight"] * 2)  # non-contiguous input is accepted
    m.params["fc2.weight"] = wt[:, :]
    m.params["fc1.bias"] = (np.arange(16, dtype=np.float32) / 10)[::2]
    check("params_set_noncontiguous", np.array_equal(m.params["fc2.weight"], wt)
          and np.array_equal(m.params["fc1.bias"], np.arange(0, 16, 2, dtype=np.float32) / 10))
    m.params.update(newp)
    check("params_update", all(np.array_equal(m.params[k], v) for k, v in newp.items()))
    bad = dict(newp, **{"fc2.bias": np.zeros(4, np.float32)})
    bad["fc1.weight"] = newp["fc1.weight"] + 1
    raises("params_update_checks_first", ValueError, m.params.update, bad, contains=["fc2.bias"])
    check("params_update_atomic", np.array_equal(m.params["fc1.weight"], newp["fc1.weight"]))
    raises("params_delete", TypeError, m.params.__delitem__, "fc1.weight")
    p = f64(newp)

    # weight(layer) of dense layers is the weight param
    check("weight_dense", np.array_equal(m.weight("fc1"), newp["fc1.weight"])
          and m.weight("fc2").shape == (3, 8))

    # forward
    x = rng.standard_normal((9, 6)).astype(np.float32)
    y = m.forward(x)
    check("forward_dtype_shape", y.dtype == np.float32 and y.shape == (9, 3))
    close("forward_vs_numpy", y, ref_forward(p, x.astype(np.float64))[2], 1e-5, 1e-5)
    y1 = m.forward(x[3])
    check("forward_1d", y1.shape == (3,) and np.allclose(y1, y[3], rtol=1e-6, atol=1e-6))
    xt = np.asfortranarray(x)
    check("forward_noncontiguous", np.array_equal(m.forward(xt), y)
          and np.array_equal(m.forward(np.repeat(x, 2, 0)[::2]), y))
    out = np.empty((9, 3), np.float32)
    check("forward_out", m.forward(x, out=out) is out and np.array_equal(out, y))

    # loss
    labels = rng.integers(0, 3, 9).astype(np.int32)
    want_loss, dz = ref_loss(p, x.astype(np.float64), labels)
    close("loss_vs_numpy", m.loss(x, labels), want_loss, 1e-5, 1e-6)

    # backward: dx and gradients; accumulation; zero_grad
    m.zero_grad()
    check("grads_zero", all(np.all(g == 0) for g in m.grads.values()) and len(m.grads) == 4
          and list(m.grads) == names)
    dy = rng.standard_normal((9, 3)).astype(np.float32)
    dx = m.backward(x, dy)
    want_dx, want_g = ref_backward(p, x.astype(np.float64), dy.astype(np.float64))
    check("backward_dtype_shape", dx.dtype == np.float32 and dx.shape == (9, 6))
    close("backward_dx_vs_numpy", dx, want_dx, 1e-5, 1e-5)
    for n in names:
        close("backward_grad_%s" % n, m.grads[n], want_g[n], 1e-5, 1e-5)
    m.backward(x, dy)
    close("backward_accumulates", m.grads["fc1.weight"], 2 * want_g["fc1.weight"], 1e-5, 2e-5)
    dx1 = m.backward(x[0], dy[0])
    check("backward_1d", dx1.shape == (6,) and np.allclose(dx1, dx[0], rtol=1e-5, atol=1e-6))
    m.zero_grad()
    check("zero_grad", all(np.all(g == 0) for g in m.grads.values()))

    # step: SGD from the accumulated gradients
    m.backward(x, dz.astype(np.float32))  # gradients of the loss
    g = {n: m.grads[n] for n in names}
    _, want_g = ref_backward(p, x.astype(np.float64), dz)
    for n in names:
        close("loss_grad_%s" % n, g[n], want_g[n], 1e-5, 1e-6)
    check("step_count_0", m.step_count == 0)
    m.step()
    check("step_count_1", m.step_count == 1)
    for n in names:
        close("step_sgd_%s" % n, m.params[n], p[n] - LR * g[n].astype(np.float64), 1e-6, 1e-6)

    # train_step = zero_grad + loss + backward + step, returns the loss before the step
    p = f64(dict(m.params))
    labels2 = rng.integers(0, 3, 9).astype(np.int32)
    want_loss, dz = ref_loss(p, x.astype(np.float64), labels2)
    _, want_g = ref_backward(p, x.astype(np.float64), dz)
    loss = m.train_step(x, labels2)
    check("train_step_returns_float", isinstance(loss, float))
    close("train_step_loss", loss, want_loss, 1e-5, 1e-6)
    for n in names:
        close("train_step_grad_%s" % n, m.grads[n], want_g[n], 1e-5, 1e-6)
        close("train_step_param_%s" % n, m.params[n], p[n] - LR * want_g[n], 1e-5, 1e-6)
    check("step_count_2", m.step_count == 2)
    losses = [m.train_step(x, labels2) for _ in range(30)]
    check("train_lowers_loss", losses[-1] < losses[0] * 0.8, losses[::10])

    # bounds: sound upper bounds of sigma_max and of the Lipschitz constant
    lb = m.layer_bounds()
    sig = {l.name: np.linalg.norm(m.weight(l.name).astype(np.float64), 2) for l in lib.layers}
    check("layer_bounds", sorted(lb) == ["fc1", "fc2"] and all(
        sig[k] <= lb[k] <= sig[k] * 1.01 + 1e-6 for k in lb), (lb, sig))
    L = m.lipschitz_bound()
    xa = rng.standard_normal((200, 6)).astype(np.float32)
    xb = xa + 1e-2 * rng.standard_normal((200, 6)).astype(np.float32)
    ratio = np.linalg.norm(m.forward(xa) - m.forward(xb), axis=1) / np.linalg.norm(xa - xb, axis=1)
    check("lipschitz_bound", isinstance(L, float) and ratio.max() <= L
          and L <= lb["fc1"] * lb["fc2"] * 1.0001 + 1e-6, (L, ratio.max(), lb))

    # determinism in the seed; distinct models are independent
    a, b, c = lib.create(3), lib.create(3), lib.create(4)
    check("create_deterministic", all(np.array_equal(a.params[n], b.params[n]) for n in names))
    check("create_seed_matters", not np.array_equal(a.params["fc1.weight"], c.params["fc1.weight"]))
    a.train_step(x, labels)
    check("models_independent", a.step_count == 1 and b.step_count == 0
          and not np.array_equal(a.params["fc1.weight"], b.params["fc1.weight"]))
    raises("create_bad_seed", ValueError, lib.create, -1, contains=["seed"])

    # close / with
    with lib.create(0) as mm:
        check("with_open", not mm.closed and mm.forward(x).shape == (9, 3))
    check("with_closes", mm.closed and mm.handle is None)
    raises("closed_forward", ValueError, mm.forward, x, contains=["closed"])
    raises("closed_params", ValueError, lambda: mm.params["fc1.weight"], contains=["closed"])
    mm.close()  # idempotent
    check("close_idempotent", mm.closed)
    c.close()
    del a, b
    check("still_usable", m.forward(x).shape == (9, 3))


guarded(main)
