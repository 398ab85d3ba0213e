"""bone(mode = bat) with spectral_bound(c) (CPU/constraints_bone_bat.wl): the adapter term
dW = W - base, whose row block i is M_i (I (x) B_i) with M = base + (1^T (x) I), kept at
sigma(dW) <= c by scaling every B_i (wlrt_row_block_scale, a sound bound).

    usage: bone_bat_bound.py lib.so C        the constrained model (prints `OK <name>`)
           bone_bat_bound.py --control lib.so C   the same layer unconstrained

The model: one 16 -> 16 layer, frozen base normal(std = 0.5) + bone(block = 4, mode = bat),
no bias, trained STEPS full-batch AdamW steps (lr 0.2) on an MSE target 6 Q x (Q
orthogonal) that no bounded term reaches, so every step pushes dW outward. With numpy's
float64 SVD, at creation and after EVERY step:
  base       the frozen base stays bit for bit;
  sigma      sigma_max(dW) <= c (1 + 1e-5);
  beta       beta = sqrt(sum_i sigma(M_i)^2 sigma(B_i)^2), the bound the routine keeps,
             <= c (1 + 1e-5) (the routine uses Gram upper bounds of each sigma, so its own
             beta is at least this one);
  active     beta reaches >= 0.95 c in training: the scaling binds (prints how tight the
             sound bound was: max sigma(dW) / beta);
  certificate wl_layer_spectral_bound >= sigma_max(W) at every step;
  loss       the loss decreases.
Control (unconstrained): sigma_max(dW) grows past 1.5 c, so the checks above can fail.
"""
import sys

import numpy as np

import wl

N, R, STEPS, BATCH, SEED = 16, 4, 40, 128, 7
EXACT = 1e-5


def fail(name, why):
    raise SystemExit("FAIL %s: %s" % (name, why))


def data():
    rng = np.random.default_rng(SEED)
    q, _ = np.linalg.qr(rng.normal(size=(N, N)))
    x = rng.normal(size=(BATCH, N))
    return x.astype(np.float32), (6.0 * x @ q.T).astype(np.float32)


def smax(a):
    return float(np.linalg.svd(a, compute_uv=False)[0])


def beta(base, b):
    """sqrt(sum_i sigma(M_i)^2 sigma(B_i)^2), float64, M = base + (1^T (x) I)."""
    m = base + np.tile(np.eye(R), (N // R, N // R))
    return float(np.sqrt(sum(smax(m[i * R:(i + 1) * R]) ** 2 * smax(b[i]) ** 2
                             for i in range(N // R))))


def states(lib):
    """(dW, beta, base, W, certificate, loss) at creation and after every step."""
    x, t = data()
    with lib.create(seed=3) as m:
        out = []
        for step in range(STEPS + 1):
            if step:
                m.train_step(x, t)
            p = {k: v.astype(np.float64) for k, v in m.params.items()}
            w = m.weight("l").astype(np.float64)
            base = p["l.weight.base"]
            out.append((w - base, beta(base, p["l.weight.bone_B"]), base, w,
                        m.layer_bounds()["l"], float(m.loss(x, t))))
        return out


def run(path, c):
    got = states(wl.load_library(path))
    base0 = got[0][2]
    worst_sigma = worst_beta = -1.0
    top = slack = 0.0
    for step, (dw, b, base, w, cert, _) in enumerate(got):
        if not np.array_equal(base, base0):
            fail("base", "the frozen base changed at step %d" % step)
        s = smax(dw)
        worst_sigma, worst_beta = max(worst_sigma, s / c - 1), max(worst_beta, b / c - 1)
        top, slack = max(top, b / c), max(slack, s / b if b > 0 else 0)
        if s > c * (1 + EXACT):
            fail("sigma", "sigma(dW) = %.7g > c = %g at step %d" % (s, c, step))
        if b > c * (1 + EXACT):
            fail("beta", "beta = %.7g > c = %g at step %d" % (b, c, step))
        if not cert >= smax(w):
            fail("certificate", "bound %.7g < sigma(W) %.7g at step %d" % (cert, smax(w), step))
    print("OK base")
    print("OK sigma (worst sigma/c - 1 = %.3g)" % worst_sigma)
    print("OK beta (worst beta/c - 1 = %.3g)" % worst_beta)
    if top < 0.95:
        fail("active", "beta reached only %.3g c" % top)
    print("OK active (beta reaches %.4g c; sigma(dW)/beta at most %.3g)" % (top, slack))
    print("OK certificate")
    if not got[-1][5] < got[0][5]:
        fail("loss", "%.4g -> %.4g" % (got[0][5], got[-1][5]))
    print("OK loss (%.4g -> %.4g)" % (got[0][5], got[-1][5]))


def run_control(path, c):
    top = max(smax(dw) / c for dw, *_ in states(wl.load_library(path)))
    if top < 1.5:
        fail("control", "unconstrained sigma(dW) reaches only %.3g c" % top)
    print("OK control (unconstrained sigma(dW) reaches %.3g c)" % top)


if __name__ == "__main__":
    if sys.argv[1] == "--control":
        run_control(sys.argv[2], float(sys.argv[3]))
    else:
        run(sys.argv[1], float(sys.argv[2]))
