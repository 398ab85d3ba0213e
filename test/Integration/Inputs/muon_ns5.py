"""Muon's Newton-Schulz output (CPU/muon_ns5.wl) on a tall, a wide and a square layer.

One linear layer, no bias, muon(lr = 1, momentum = 0.9, weight_decay = 0) with a constant
schedule: the first step's update is dW = -sqrt(max(1, OUT/IN)) NS5(u) with u = (1 - b)g +
b(1 - b)g (Nesterov, zero buffer), and NS5 is scale invariant, so dW exposes NS5(g) of the
library's own gradient g (wl_get_grad). Two cases per layer:
 designed: x = identity rows and dy = G^T through wl_backward + wl_step, so g = G exactly,
           with G = U diag(s) V^T, s geometric from 1 to 1/20 (condition 20). NS5 acts on
           singular values only, through the scalar map phi = p o p o p o p o p of
           p(x) = a x + b x^3 + c x^5 at x = s / (|s| + 1e-7): the update's singular values
           must be phi(s) and lie in Muon's band [0.3, 1.3];
 random:   a random batch through wl_train_step (mse), g read by wl_backward first.
dW is compared entry by entry with a float64 NS5 of the library's g (abs tolerance 2e-4 on
entries of size ~0.3: float32 gives ~2e-6, a coefficient wrong in its 4th digit ~3e-3, a
missing sqrt(OUT/IN) factor or one of IN/OUT ~0.5).
"""
import math

import numpy as np

import reference as R
import wlcheck

BETA = 0.9
SHAPES = {"Ns5Tall": (14, 6), "Ns5Wide": (6, 14), "Ns5Square": (10, 10)}  # [OUT, IN]
TOL_ENTRY = 2e-4
TOL_SIGMA = 2e-4
BAND = (0.3, 1.3)


def single(p, x):
    return R.linear(p, "fc", x)


SPECS = [R.Spec(name, i, o, {"fc.weight": (o, i)}, single, "mse",
                {"default": R.muon(lr=1.0, momentum=BETA, weight_decay=0.0)}, R.constant())
         for name, (o, i) in SHAPES.items()]


def scalar_ns5(x, steps=5):
    a, b, c = R.NS5_COEFFS
    for _ in range(steps):
        x = a * x + b * x ** 3 + c * x ** 5
    return x


def nesterov_first(g):
    """Muon's u at step 1 from a zero buffer: m = (1 - b)g, u = (1 - b)g + b m."""
    m = (1.0 - BETA) * g
    return (1.0 - BETA) * g + BETA * m


def check_update(name, dw, g, scale):
    """dW against -scale * NS5(u(g)) in float64; returns the singular values of -dW/scale."""
    want = -scale * R.newton_schulz(nesterov_first(np.asarray(g, np.float64)))
    err = float(np.max(np.abs(dw - want)))
    wlcheck.ok(name, err, TOL_ENTRY, "\n got %s\n want %s" % (dw.reshape(-1)[:6], want.reshape(-1)[:6]))
    return np.linalg.svd(-dw / scale, compute_uv=False)


def run(lib, spec):
    out, inp = spec.params["fc.weight"]
    k = min(out, inp)
    scale = math.sqrt(max(1.0, out / inp))
    rng = np.random.default_rng(11)

    # The reference itself: its matrix NS5 acts on singular values as the scalar map.
    s = np.geomspace(1.0, 0.05, k)
    u, _ = np.linalg.qr(rng.normal(size=(out, k)))
    v, _ = np.linalg.qr(rng.normal(size=(inp, k)))
    g = (u * s) @ v.T
    phi = scalar_ns5(s / (np.linalg.norm(s) + R.NS_EPS))
    ref_sv = np.linalg.svd(R.newton_schulz(g), compute_uv=False)
    wlcheck.ok("reference_ns5_is_scalar_map", float(np.max(np.abs(ref_sv - np.sort(phi)[::-1]))), 1e-12)

    # Designed gradient: x = I, dy = G^T gives g = dy^T x = G.
    m = lib.create(seed=1)
    w0 = m.get_param("fc.weight").astype(np.float64)
    x = np.eye(inp, dtype=np.float32)
    dy = g.T.astype(np.float32)
    m.zero_grad()
    m.backward(x, dy, want_dx=False)
    g_lib = m.get_grad("fc.weight")
    wlcheck.ok("designed_grad", float(np.max(np.abs(g_lib - g))), 1e-6)
    m.step()
    dw = m.get_param("fc.weight").astype(np.float64) - w0
    sv = check_update("designed_update", dw, g_lib, scale)
    wlcheck.ok("designed_singular_values", float(np.max(np.abs(sv - np.sort(phi)[::-1]))), TOL_SIGMA,
               "\n got %s\n want %s" % (sv, np.sort(phi)[::-1]))
    print("singular values of NS5(g): %s" % " ".join("%.4f" % z for z in sv))
    wlcheck.expect(BAND[0] <= sv.min() and sv.max() <= BAND[1], "designed_band",
                   "singular values %s outside [%g, %g]" % (sv, BAND[0], BAND[1]))

    # A random batch through wl_train_step, from random weights.
    m = lib.create(seed=2)
    m.set_param("fc.weight", rng.normal(0.0, 1.0 / math.sqrt(inp), (out, inp)))
    w0 = m.get_param("fc.weight").astype(np.float64)
    x = rng.normal(size=(32, inp)).astype(np.float32)
    t = rng.normal(size=(32, out)).astype(np.float32)
    _, dy = R.mse(m.forward(x), t)
    m.zero_grad()
    m.backward(x, dy.astype(np.float32), want_dx=False)
    g_lib = m.get_grad("fc.weight")
    _, g_ref = spec.loss_and_grads({"fc.weight": w0}, x.astype(np.float64), t)
    wlcheck.ok("random_grad", R.rel_err(g_lib, g_ref["fc.weight"]), 1e-5)
    m.train_step(x, t)
    dw = m.get_param("fc.weight").astype(np.float64) - w0
    sv = check_update("random_update", dw, g_lib, scale)
    print("singular values of NS5(g): %s" % " ".join("%.4f" % z for z in sv))
    wlcheck.expect(BAND[0] <= sv.min() and sv.max() <= BAND[1], "random_band",
                   "singular values %s outside [%g, %g]" % (sv, BAND[0], BAND[1]))
    if m.step_count() is not None:
        wlcheck.expect(m.step_count() == 1, "step_count", "%r" % m.step_count())

    # Huge gradients: the Frobenius norm must not overflow (its square is 1e40 here),
    # so the update is the same orthogonalised step as for a small gradient.
    m = lib.create(seed=1)
    w0 = m.get_param("fc.weight").astype(np.float64)
    m.zero_grad()
    m.backward(np.eye(inp, dtype=np.float32), (1e20 * g.T).astype(np.float32), want_dx=False)
    g_lib = m.get_grad("fc.weight")
    m.step()
    dw = m.get_param("fc.weight").astype(np.float64) - w0
    check_update("huge_grad_update", dw, g_lib.astype(np.float64) / 1e20, scale)


if __name__ == "__main__":
    wlcheck.main(run, SPECS)
