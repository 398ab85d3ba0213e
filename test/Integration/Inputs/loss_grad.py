"""Losses and their gradients (CPU/loss_cross_entropy.wl, CPU/loss_mse.wl).

wl_loss against the reference loss (incl. a stable log-sum-exp at large logits for
cross_entropy); the loss gradient obtained through wl_backward with dy = dloss/dy
against (1) exact float64 reference gradients, (2) central differences of the float64
reference, (3) central differences of wl_loss itself (float32, eps 1e-2, 2e-2 rel)."""
import numpy as np

import reference as R
import wlcheck


def ce_forward(p, x):
    h = R.tanh(R.linear(p, "fc1", x))
    h = h + R.gelu(R.linear(p, "fc2", h))
    return R.linear(p, "head", R.gelu_tanh(h))


def mse_forward(p, x):
    h = R.sigmoid(R.linear(p, "fc1", x))
    h = 0.5 * h + R.gelu(R.linear(p, "fc2", h))
    return R.linear(p, "out", R.tanh(h))


SPECS = [
    R.Spec("CrossEntropyNet", 10, 4,
           {"fc1.weight": (12, 10), "fc1.bias": (12,), "fc2.weight": (12, 12), "fc2.bias": (12,),
            "head.weight": (4, 12), "head.bias": (4,)},
           ce_forward, "cross_entropy", {"default": R.sgd(lr=0.1)}),
    R.Spec("MseNet", 6, 3,
           {"fc1.weight": (10, 6), "fc1.bias": (10,), "fc2.weight": (10, 10),
            "out.weight": (3, 10), "out.bias": (3,)},
           mse_forward, "mse", {"default": R.sgd(lr=0.1)}),
]


def make_labels(spec, rng, b):
    if spec.loss == "cross_entropy":
        return (np.arange(b) % spec.output_size).astype(np.int32)  # every class appears
    return rng.normal(size=(b, spec.output_size)).astype(np.float32)


def run(lib, spec):
    rng = np.random.default_rng(7)
    m = lib.create(seed=11)
    m.set_params({k: v.astype(np.float32) for k, v in spec.random_params(rng, scale=1.5).items()})
    p = {k: v.astype(np.float64) for k, v in m.params().items()}
    b = 9
    x = rng.normal(size=(b, spec.input_size)).astype(np.float32)
    lab = make_labels(spec, rng, b)
    x64 = x.astype(np.float64)

    loss_ref = spec.loss_value(p, x64, lab)
    wlcheck.ok("loss_value", abs(m.loss(x, lab) - loss_ref) / abs(loss_ref), 1e-5)
    loss_b1 = [m.loss(x[i:i + 1], lab[i:i + 1]) for i in range(b)]
    wlcheck.ok("loss_is_batch_mean", abs(np.mean(loss_b1) - loss_ref) / abs(loss_ref), 1e-5)

    if spec.loss == "cross_entropy":
        big = dict(p)
        big["head.weight"] = p["head.weight"] * 300.0  # logits in the hundreds
        m.set_param("head.weight", big["head.weight"])
        got = m.loss(x, lab)
        ref = spec.loss_value({k: v.astype(np.float32).astype(np.float64) for k, v in big.items()}, x64, lab)
        wlcheck.ok("loss_stable_logsumexp", abs(got - ref) / abs(ref), 1e-4, "(got %r)" % got)
        m.set_param("head.weight", p["head.weight"])

    # Exact reference loss gradients, checked against float64 central differences.
    _, g_ref = spec.loss_and_grads(p, x64, lab)
    fd = R.fd_grad(lambda pp: spec.loss_value(pp, x64, lab), {k: v.copy() for k, v in p.items()},
                   eps=1e-6, coords=20, rng=rng)
    wlcheck.ok("reference_grad_vs_fd64",
               max(R.rel_err(gf, g_ref[k].reshape(-1)[i]) for k, (i, gf) in fd.items()), 1e-6)

    # The library's loss gradient: wl_backward with dy = dloss/dy of its own output.
    y = m.forward(x).astype(np.float64)
    _, dy = R.LOSSES[spec.loss](y, lab)
    m.zero_grad()
    m.backward(x, dy.astype(np.float32))
    g = m.grads()
    for k in spec.params:
        wlcheck.ok("loss_grad_" + k, R.rel_err(g[k], g_ref[k]), 1e-4)

    # Central differences of wl_loss itself (float32), on a subset of coordinates.
    h = 1e-2
    worst = 0.0
    for k in spec.params:
        base = m.get_param(k)
        n = base.size
        idx = rng.choice(n, min(n, 16), replace=False)
        fdv = []
        for i in idx:
            w = base.copy().reshape(-1)
            w[i] = base.reshape(-1)[i] + h
            m.set_param(k, w.reshape(base.shape))
            lp = m.loss(x, lab)
            w[i] = base.reshape(-1)[i] - h
            m.set_param(k, w.reshape(base.shape))
            lm = m.loss(x, lab)
            fdv.append((lp - lm) / (2 * h))
        m.set_param(k, base)
        worst = max(worst, R.rel_err(np.array(fdv), g[k].reshape(-1)[idx]))
    wlcheck.ok("loss_grad_vs_fd_of_wl_loss", worst, 2e-2)


if __name__ == "__main__":
    wlcheck.main(run, SPECS)
