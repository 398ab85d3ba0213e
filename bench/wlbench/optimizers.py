"""The Muon step lines: wl_step on one n x n weight vs the same math in PyTorch eager."""
import numpy as np
import torch

from .abi import WLModel
from .apart import measure_line
from .config import MUON_BATCH, MUON_BETA, MUON_LR, MUON_NESTEROV, MUON_STEPS, NS5_ABC
from .harness import add_line, timed
from .programs import muon_wl


def muon_update_(w, g, m, lr=MUON_LR, beta=MUON_BETA, nesterov=MUON_NESTEROV, steps=MUON_STEPS):
    """One Muon update of (w, m) from the gradient g, in place, PyTorch eager, float32: the math of
    KellerJordan/Muon (momentum lerp, nesterov, NS5 on the short side, sqrt(max(1, OUT/IN)) scale),
    without the bfloat16 cast and without overwriting g. weight_decay = 0. Call under no_grad."""
    a, b, c = NS5_ABC
    scale = max(1.0, w.shape[0] / w.shape[1]) ** 0.5
    m.lerp_(g, 1 - beta)                     # m <- beta m + (1 - beta) g
    u = g.lerp(m, beta) if nesterov else m   # (1 - beta) g + beta m
    x = u / (u.norm() + 1e-7)
    tall = x.size(0) > x.size(1)
    if tall:
        x = x.T
    for _ in range(steps):
        A = x @ x.T
        B = b * A + c * A @ A
        x = a * x + B @ x
    if tall:
        x = x.T
    w.add_(x, alpha=-lr * scale)            # weight_decay = 0


def muon_flops(n, steps=MUON_STEPS):
    """NS5's nominal FLOPs on an n x n matrix: X Xᵀ, A·A and B·X per iteration, X Xᵀ counted in full."""
    return 3 * 2.0 * n ** 3 * steps


def torch_muon_fn(w, g, m, lr=MUON_LR, beta=MUON_BETA, nesterov=MUON_NESTEROV, steps=MUON_STEPS):
    """One Muon step on (w, m) with the fixed gradient g (reused by every call): muon_update_."""
    def step():
        with torch.no_grad():
            muon_update_(w, g, m, lr, beta, nesterov, steps)
    return step


def run_muon(ctx, n):
    """The `Muon step n=…` line: wl_step of the one-weight Muon model vs muon_update_, both
    from the same W and gradient (one wl_backward fills it; every step reuses it)."""
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running Muon step n={n}")
    lib, ct = ctx.compiled(muon_wl(n), f"muon_n{n}")
    wl = WLModel(lib, seed=0)
    # Fill the gradient once; every wl_step re-runs momentum + NS5 + update on it.
    xb = ctx.rng.standard_normal((MUON_BATCH, n), dtype=np.float32)
    dy = ctx.rng.standard_normal((MUON_BATCH, n), dtype=np.float32)
    wl.backward(xb, dy)
    w0, g = wl.get("fc.weight", (n, n)), wl.grad("fc.weight", (n, n))
    tw_, tg, tm_ = torch.from_numpy(w0.copy()), torch.from_numpy(g.copy()), torch.zeros(n, n)
    wl_fn, t_fn = wl.step_fn(), torch_muon_fn(tw_, tg, tm_)

    # Same-math check: one step each from the same W, gradient and zero momentum.
    # It is also the warm-up of a slow line, so it is timed.
    _, t_wl1 = timed(wl_fn)
    _, t_t1 = timed(t_fn)
    d_wl = wl.get("fc.weight", (n, n)) - w0
    d_t = tw_.numpy() - w0
    dmax = float(np.max(np.abs(d_wl - d_t)))
    ctx.checks.append(f"Muon n={n}: one step from the same W, gradient (wl_backward, B={MUON_BATCH}) and zero "
                      f"momentum: max |ΔW_wl - ΔW_torch| {dmax:.2e} (max |ΔW_torch| {float(np.max(np.abs(d_t))):.2e}, "
                      f"lr {MUON_LR}); first step wl {t_wl1:.2f} s, torch {t_t1:.2f} s")
    ctx.say(f"  check Muon n={n}: max |dW_wl - dW_torch| {dmax:.2e}; first step wl {t_wl1:.2f} s, "
            f"torch {t_t1:.2f} s")

    spec = dict(kind="muon", n=n, lib=lib)
    t = measure_line(ctx, f"muon_n{n}", spec, dict(xb=xb, dy=dy, w0=w0, g=g), wl_fn, t_fn, t_wl1, t_t1)
    flops = ctx.flops[f"Muon step n={n}"] = muon_flops(n)
    gf_wl, gf_t = flops / (t.wl_ms * 1e-3) / 1e9, flops / (t.peer_ms * 1e-3) / 1e9
    add_line(ctx, f"Muon step n={n}", t,
             f"wl_step vs torch eager same math (fp32 NS5); nominal {gf_wl:.2f} vs {gf_t:.2f} GFLOP/s; "
             f"{t.notes()}; wlc {ct:.1f} s", extra=f"  ({gf_wl:.2f} vs {gf_t:.2f} GFLOP/s nominal)")
    wl.close()
