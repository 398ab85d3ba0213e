"""rms_norm / layer_norm (CPU/norms.wl) against the float64 reference, PyTorch's
formulas, finite differences; one SGD step; the certificate's value and its
soundness under an adversarial search."""
import math

import numpy as np
import torch

import reference as R
import wlcheck

TOL = 1e-4  # max |a - a_ref| / max |a_ref| in float32


def forward(p, x):
    h = R.rms_norm(R.linear(p, "a", x), eps=1e-6)
    h = R.layer_norm(R.linear(p, "b", h), eps=1e-3) + 0.5 * h
    return R.linear(p, "head", R.gelu(h))


SPEC = R.Spec(
    "Norms", 6, 4,
    {"a.weight": (8, 6), "a.bias": (8,), "b.weight": (8, 8),
     "head.weight": (4, 8), "head.bias": (4,)},
    forward, "cross_entropy", {"default": R.sgd(lr=0.1)})


def torch_forward(p, x):
    """The same model in PyTorch float64: rms_norm by its formula (torch 1.13
    has no F.rms_norm), layer_norm by F.layer_norm without affine parameters."""
    t = {k: torch.tensor(v, dtype=torch.float64) for k, v in p.items()}
    h = torch.tensor(x, dtype=torch.float64) @ t["a.weight"].T + t["a.bias"]
    h = h / torch.sqrt((h * h).mean(dim=1, keepdim=True) + 1e-6)
    h = torch.nn.functional.layer_norm(h @ t["b.weight"].T, (8,), eps=1e-3) + 0.5 * h
    h = torch.nn.functional.gelu(h)
    return (h @ t["head.weight"].T + t["head.bias"]).numpy()


def run(lib, spec):
    rng = np.random.default_rng(7)
    m = lib.create(seed=1)
    m.set_params({k: v.astype(np.float32) for k, v in spec.random_params(rng).items()})
    p = {k: v.astype(np.float64) for k, v in m.params().items()}

    x = rng.normal(size=(9, 6))
    wlcheck.ok("reference_vs_torch", R.rel_err(spec.forward(p, x), torch_forward(p, x)), 1e-12)

    dy = rng.normal(size=(9, 4))

    def obj(pp):
        return float(np.sum(dy * spec.forward(pp, x)))

    _, g_ref, dx_ref = spec.vjp(p, x, dy)
    fd = R.fd_grad(obj, {k: v.copy() for k, v in p.items()}, eps=1e-6, coords=24, rng=rng)
    err = max(R.rel_err(g, g_ref[k].reshape(-1)[i]) for k, (i, g) in fd.items())
    wlcheck.ok("reference_vjp_vs_fd64", err, 1e-6)

    for b in (1, 33):
        xb = rng.normal(size=(b, 6)).astype(np.float32)
        wlcheck.ok("forward_b%d" % b, R.rel_err(m.forward(xb), spec.forward(p, xb.astype(np.float64))), TOL)
    # Rows of very different scales: the statistics are per row.
    xs = (rng.normal(size=(5, 6)) * np.array([[1e-3], [1.0], [10.0], [1e2], [1e3]])).astype(np.float32)
    wlcheck.ok("forward_scaled_rows", R.rel_err(m.forward(xs), spec.forward(p, xs.astype(np.float64))), TOL)

    x32, dy32 = x.astype(np.float32), dy.astype(np.float32)
    _, g_ref, dx_ref = spec.vjp(p, x32.astype(np.float64), dy32.astype(np.float64))
    m.zero_grad()
    dx = m.backward(x32, dy32)
    g = m.grads()
    for k in spec.params:
        wlcheck.ok("grad_" + k, R.rel_err(g[k], g_ref[k]), TOL)
    wlcheck.ok("grad_dx", R.rel_err(dx, dx_ref), TOL)

    labels = rng.integers(0, 4, size=9).astype(np.int32)
    _, grads = spec.loss_and_grads(p, x32.astype(np.float64), labels)
    m.zero_grad()
    m.train_step(x32, labels)
    after = m.params()
    err = max(R.rel_err(after[k], p[k] - 0.1 * grads[k]) for k in spec.params)
    wlcheck.ok("train_step", err, TOL)

    # The certificate: the layers' bounds times 1/sqrt(eps) per norm, the
    # residual adding the skipped path (0.5), gelu 1.13.
    p = {k: v.astype(np.float64) for k, v in m.params().items()}
    sig = {k: np.linalg.norm(p[k + ".weight"], 2) for k in ("a", "b", "head")}
    expected = sig["head"] * 1.13 * (sig["b"] / math.sqrt(1e-3) + 0.5) / math.sqrt(1e-6) * sig["a"]
    bound = m.lipschitz_bound()
    wlcheck.ok("certificate_value", abs(bound - expected) / expected, 0.05)

    # Adversarial search: gradient ascent on |f(x) - f(x')| / |x - x'| from
    # several starts (small, nearby pairs where the norms are steepest), in
    # float64 on the reference.
    worst = 0.0
    for start in range(8):
        x0 = rng.normal(size=(1, 6)) * 10.0 ** rng.uniform(-4, 1)
        d = rng.normal(size=(1, 6)) * 1e-6
        for _ in range(60):
            def ratio(xa, xb):
                return np.linalg.norm(spec.forward(p, xa) - spec.forward(p, xb)) / np.linalg.norm(xa - xb)
            r0 = ratio(x0, x0 + d)
            worst = max(worst, r0)
            gx = np.zeros_like(x0)
            for i in range(6):
                e = np.zeros_like(x0)
                e[0, i] = 1e-3 * (abs(x0[0, i]) + 1e-6)
                gx[0, i] = (ratio(x0 + e, x0 + e + d) - r0) / e[0, i]
            x0 = x0 + 0.1 * gx / (np.linalg.norm(gx) + 1e-30) * (np.linalg.norm(x0) + 1e-6)
    wlcheck.expect(worst <= bound, "certificate_sound",
                   "adversarial ratio %.6g exceeds the bound %.6g" % (worst, bound))
    print("# certificate %.6g, largest ratio found %.6g" % (bound, worst))


if __name__ == "__main__":
    wlcheck.main(run, [SPEC])
