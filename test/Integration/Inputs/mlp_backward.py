"""wl_backward of ForwardMix (CPU/mlp_backward.wl): parameter grads and dx for a random
dy against exact float64 reference VJPs, which are themselves checked against central
finite differences of the float64 reference forward; accumulation, NULL dx, zero_grad."""
import numpy as np

import reference as R
import wlcheck
from mlp_forward import SPEC

TOL = 1e-4  # per tensor: max |g - g_ref| / max |g_ref|


def run(lib, spec):
    rng = np.random.default_rng(99)
    m = lib.create(seed=5)
    m.set_params({k: v.astype(np.float32) for k, v in spec.random_params(rng).items()})
    p = {k: v.astype(np.float64) for k, v in m.params().items()}
    x = rng.normal(size=(6, spec.input_size)).astype(np.float32)
    dy = rng.normal(size=(6, spec.output_size)).astype(np.float32)
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)

    # The reference's VJP against central differences of <dy, f(x)> (float64).
    _, g_ref, dx_ref = spec.vjp(p, x64, dy64)

    def obj(pp):
        return float(np.sum(dy64 * spec.forward(pp, x64)))

    fd = R.fd_grad(obj, {k: v.copy() for k, v in p.items()}, eps=1e-6, coords=24, rng=rng)
    err = max(R.rel_err(g, g_ref[k].reshape(-1)[i]) for k, (i, g) in fd.items())
    wlcheck.ok("reference_vjp_vs_fd64", err, 1e-6)

    m.zero_grad()
    dx = m.backward(x, dy)
    g = m.grads()
    for k in spec.params:
        wlcheck.ok("grad_" + k, R.rel_err(g[k], g_ref[k]), TOL)
    wlcheck.ok("grad_dx", R.rel_err(dx, dx_ref), TOL)
    err = max(R.rel_err(g[k].reshape(-1)[i], gf) for k, (i, gf) in fd.items())
    wlcheck.ok("lib_vs_fd64", err, TOL)

    m.backward(x, dy)  # accumulates: now 2x
    g2 = m.grads()
    wlcheck.ok("backward_accumulates", max(R.rel_err(g2[k], 2 * g_ref[k]) for k in spec.params), TOL)

    m.zero_grad()
    m.backward(x, dy, want_dx=False)
    g3 = m.grads()
    wlcheck.ok("backward_null_dx", max(R.rel_err(g3[k], g_ref[k]) for k in spec.params), TOL)

    m.zero_grad()
    gz = m.grads()
    wlcheck.expect(all(not np.any(v) for v in gz.values()), "zero_grad", "grads not zero after wl_zero_grad")


if __name__ == "__main__":
    wlcheck.main(run, [SPEC])
