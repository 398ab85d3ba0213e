"""The constraint-step lines: one training step of the MLP n -> n -> 10 whose hidden layer is
constrained (spectral_bound normalize / soft_cap, orthogonal cayley) vs PyTorch eager."""
import os
import re
import subprocess

import numpy as np
import torch
import torch.nn.functional as F

from .abi import WLModel
from .apart import measure_line, saved_params
from .config import BETAS, CLASSES, CONSTRAINT_C, EPS, LR, MUON_LR, MUON_OUTPUT_BOUND, POWER_ITERATIONS, WD
from .dense import TorchMLP, torch_step_fn, train_flops
from .harness import add_line, timed
from .optimizers import muon_flops, muon_update_
from .programs import ADAMW_GROUP, MUON_GROUP, compile_or_skip, constrained_wl


def soft_cap_alpha(c, lr, wd, out, inp, update_bound=MUON_OUTPUT_BOUND):
    """soft_cap's strength for a weight [out, inp] under Muon, as wlc computes it at compile time
    (softCapAlpha in dialects/lib/Dialect/WL/Transforms/GenerateConstraints.cpp, ALGORITHMS.md):
    k = c(1 - lr wd) + lr sqrt(max(1, OUT/IN)) 1.2025 (1 + 1e-3) is the largest singular value an
    update can reach; alpha is the smallest alpha >= 0 with f(k) = c, f(sigma) = s + alpha s^3,
    s = sigma - alpha sigma^3: a scan of [0, 1/k^2] in 100000 steps, then 200 bisections."""
    k = c * (1 - lr * wd) + lr * max(1.0, out / inp) ** 0.5 * update_bound
    if k <= c:
        return 0.0

    def f(alpha, sigma):
        s = sigma - alpha * sigma ** 3
        return s + alpha * s ** 3
    hi, lo, scan = 1 / (k * k), 0.0, 100000
    for i in range(1, scan + 1):
        a = hi * i / scan
        if f(a, k) <= c:
            lo, hi = hi * (i - 1) / scan, a
            break
    else:
        raise ValueError(f"soft_cap: no alpha maps k = {k} to c = {c}")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid, k) <= c:
            hi = mid
        else:
            lo = mid
    return hi


def soft_cap_(w, alpha):
    """wlc's soft_cap projection in place: M <- M(I - alpha A), then M <- M(I + alpha A), A = MᵀM
    (ALGORITHMS.md; four n^3 GEMMs on a square weight). Call under no_grad."""
    A = w.T @ w
    m = torch.addmm(w, w, A, alpha=-alpha)
    A = m.T @ m
    w.copy_(torch.addmm(m, m, A, alpha=alpha))


def copy_from_wl(tm, wl, n, l1_weight=True):
    """wl's initial parameters into the torch peer (l1.weight only when l1_weight)."""
    with torch.no_grad():
        if l1_weight:
            tm.l1.weight.copy_(torch.from_numpy(wl.get("l1.weight", (n, n))))
        tm.l1.bias.copy_(torch.from_numpy(wl.get("l1.bias", (n,))))
        tm.head.weight.copy_(torch.from_numpy(wl.get("head.weight", (CLASSES, n))))
        tm.head.bias.copy_(torch.from_numpy(wl.get("head.bias", (CLASSES,))))


def head_diff(wl, tm, n):
    """max |head.weight_wl - head.weight_torch|: after one step from the same forward, the head's
    AdamW update sees the same gradient on both sides, whatever l1's parametrization."""
    return float(np.max(np.abs(wl.get("head.weight", (CLASSES, n)) - tm.head.weight.detach().numpy())))


def sigma_max(w):
    return float(np.linalg.norm(np.asarray(w, np.float64), 2))


# wlc computes soft_cap's α in the step from the scheduled lr: wl.soft_cap_strength carries the
# bound c, the update's largest singular value per unit lr (sqrt(max(1, OUT/IN)) included) and the
# weight decay.
SOFT_CAP_STRENGTH = re.compile(r"wl\.soft_cap_strength\b[^\n]*\{bound = ([-+0-9.eE]+) : f64, "
                               r"update_bound = ([-+0-9.eE]+) : f64, weight_decay = ([-+0-9.eE]+) : f64\}")


def wlc_soft_cap_alphas(wlc, src, lr):
    """The distinct soft_cap α of wlc's step (`wlc -emit=step`) at learning rate lr, from what it
    emits for each capped weight; an empty set if unread."""
    try:
        r = subprocess.run([wlc, src, "-emit=step"], capture_output=True, text=True)
    except OSError:
        return set()
    return {soft_cap_alpha(float(c), lr, float(wd), 1, 1, float(ub))
            for c, ub, wd in SOFT_CAP_STRENGTH.findall(r.stdout)}


def constraint_normalize(wl, n, x, labels):
    """spectral_bound(normalize) + AdamW vs spectral_norm(nn.Linear) + AdamW: (torch step, check)."""
    tm = TorchMLP(n, "l1")
    copy_from_wl(tm, wl, n)
    # Registration runs 15 power iterations on wl's (already projected, sigma = c) weight, as
    # wl_create does; then n_power_iterations per training-mode forward, i.e. per step.
    torch.nn.utils.parametrizations.spectral_norm(tm.l1, n_power_iterations=POWER_ITERATIONS)
    opt = torch.optim.AdamW(tm.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    fn = torch_step_fn(tm, opt, tx, ty)

    def check(l_wl, l_t):
        # The effective weight W/σ̂ that torch's next forward uses (its 3 power iterations first);
        # the vectors are restored afterwards, so the timed steps continue from the same state.
        sn = tm.l1.parametrizations.weight[0]
        u0, v0 = sn._u.clone(), sn._v.clone()
        with torch.no_grad():
            w_t = tm.l1.weight.numpy().copy()
            sn._u.copy_(u0)
            sn._v.copy_(v0)
        w_wl = wl.get("l1.weight", (n, n))
        return (f"loss wl {l_wl:.6f} vs torch {l_t:.6f}; after one step: max |head_wl - head_torch| "
                f"{head_diff(wl, tm, n):.2e}, max |W_wl - W_torch/σ̂| {float(np.max(np.abs(w_wl - w_t))):.2e} "
                f"(differs by design), σ_max wl {sigma_max(w_wl):.5f}, torch W/σ̂ {sigma_max(w_t):.5f}")
    return fn, check, (f"vs torch eager parametrizations.spectral_norm(n_power_iterations={POWER_ITERATIONS}) "
                       f"+ AdamW; σ applied in the forward there, a projection after the step here")


def constraint_soft_cap(wl, n, x, labels, alpha):
    """spectral_bound(soft_cap) + Muon (l1.weight; AdamW for the rest) vs the same math in torch."""
    tm = TorchMLP(n, "l1")
    copy_from_wl(tm, wl, n)
    w = tm.l1.weight
    opt = torch.optim.AdamW([tm.l1.bias, tm.head.weight, tm.head.bias],
                            lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    mom = torch.zeros_like(w)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))

    def step():
        tm.zero_grad(set_to_none=True)
        loss = F.cross_entropy(tm(tx), ty)
        loss.backward()
        opt.step()
        with torch.no_grad():
            muon_update_(w, w.grad, mom)
            soft_cap_(w, alpha)
        return loss

    def check(l_wl, l_t):
        w_wl = wl.get("l1.weight", (n, n))
        return (f"loss wl {l_wl:.6f} vs torch {l_t:.6f}; after one step: max |W_wl - W_torch| "
                f"{float(np.max(np.abs(w_wl - w.detach().numpy()))):.2e} (Muon lr {MUON_LR} + soft_cap), "
                f"max |head_wl - head_torch| {head_diff(wl, tm, n):.2e}, σ_max wl {sigma_max(w_wl):.5f}, "
                f"torch {sigma_max(w.detach().numpy()):.5f}")
    return step, check, "vs torch eager same math (Muon NS5 fp32 + soft_cap's two steps; AdamW for bias and head)"


def constraint_cayley(wl, n, x, labels):
    """orthogonal(cayley) + AdamW vs parametrizations.orthogonal(cayley) + AdamW."""
    names = wl.param_names()
    if "l1.weight.S" not in names:
        raise RuntimeError(f"orthogonal(cayley): expected a tensor l1.weight.S, the library has {names}")
    S = wl.get("l1.weight.S", (n, n))
    tm = TorchMLP(n, "l1")
    copy_from_wl(tm, wl, n, l1_weight=False)
    # use_trivialization=False: Q = cayley(tril(X) - tril(X)ᵀ), no extra `base @ Q` product.
    torch.nn.utils.parametrizations.orthogonal(tm.l1, orthogonal_map="cayley", use_trivialization=False)
    with torch.no_grad():  # the same skew generator as wl's S - Sᵀ, hence the same Q
        tm.l1.parametrizations.weight.original.copy_(torch.from_numpy(np.tril(S - S.T, -1)))
    opt = torch.optim.AdamW(tm.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    fn = torch_step_fn(tm, opt, tx, ty)

    def check(l_wl, l_t):
        return (f"loss wl {l_wl:.6f} vs torch {l_t:.6f} (same Q); after one step: max |head_wl - head_torch| "
                f"{head_diff(wl, tm, n):.2e} (the generators then differ by design: S - Sᵀ vs tril(X))")
    return fn, check, ("vs torch eager parametrizations.orthogonal(orthogonal_map=\"cayley\", "
                       "use_trivialization=False) + AdamW")


def constraint_specs():
    """{line: (title, `weight = ...` of l1, optimize groups)} of the constraint-step lines."""
    return {
        "normalize": ("spectral_bound normalize + AdamW",
                      f"dense with spectral_bound({CONSTRAINT_C}, method = normalize)", [f"default: {ADAMW_GROUP}"]),
        "soft_cap": ("spectral_bound soft_cap + Muon",
                     f"dense with spectral_bound({CONSTRAINT_C}, method = soft_cap)",
                     [f"l1.weight: {MUON_GROUP}", f"default:   {ADAMW_GROUP}"]),
        "cayley": ("orthogonal cayley + AdamW", "orthogonal(method = cayley)", [f"default: {ADAMW_GROUP}"]),
    }


def constraint_flops(key, B, n):
    """Nominal FLOPs of one constraint step: the MLP's training step plus the constraint's own:
    normalize 10 power iterations (two n² products each); soft_cap Muon's NS5 and soft_cap's four
    n³ products; cayley one LU (⅔n³) and a solve with n right-hand sides (2n³) in the forward,
    and two n³ products in the backward (A⁻ᵀG as ½(G + QᵀG), then the generator's gradient)."""
    own = {"normalize": 2 * POWER_ITERATIONS * 2 * n * n, "soft_cap": muon_flops(n) + 4 * 2 * n ** 3,
           "cayley": (2 / 3 + 2 + 2 + 2) * n ** 3}[key]
    return train_flops(B, n) + own


def constraint_peer(ctx, key, wl, n, x, labels, stem):
    """(torch step, check, peer description, extra check text, soft_cap's α or None) of line `key`."""
    if key == "normalize":
        return constraint_normalize(wl, n, x, labels) + ("", None)
    if key == "soft_cap":
        alpha = soft_cap_alpha(CONSTRAINT_C, MUON_LR, 0.0, n, n)
        a_wlc = wlc_soft_cap_alphas(ctx.wlc, os.path.join(ctx.workdir, stem + ".wl"), MUON_LR)
        extra = (f"; soft_cap α {alpha:.6g} (wlc's at lr {MUON_LR}: "
                 f"{', '.join(f'{a:.6g}' for a in sorted(a_wlc)) or 'unread'})")
        return constraint_soft_cap(wl, n, x, labels, alpha) + (extra, alpha)
    return constraint_cayley(wl, n, x, labels) + ("", None)


def run_constraint_line(ctx, key, B, n, x, labels):
    """One constraint-step line at (B, n) on the batch (x, labels)."""
    title, weight, optimize = constraint_specs()[key]
    name = f"constraint step B={B} n={n}: {title}"
    stem = f"con_{key}_B{B}_n{n}"
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running {name}")
    compiled = compile_or_skip(ctx, constrained_wl(n, weight, optimize, f"Bench_{key}"), stem, name,
                               unsupported_ok=True)
    if compiled is None:
        return
    lib, ct = compiled
    wl = WLModel(lib, seed=0)
    params = saved_params(ctx, wl, stem)
    t_fn, check, peer, extra, alpha = constraint_peer(ctx, key, wl, n, x, labels, stem)
    wl_fn = wl.train_step_fn(x, labels)

    # Same-math check: one step each from the same parameters on the same batch; timed,
    # as it is the only warm-up of a slow line.
    _, t_wl1 = timed(wl_fn)
    l_wl = float(wl._loss.value)
    l_t, t_t1 = timed(t_fn)
    msg = f"{check(l_wl, float(l_t))}{extra}; first step wl {t_wl1:.2f} s, torch {t_t1:.2f} s"
    ctx.checks.append(f"{title}, B={B}, n={n}: {msg}")
    ctx.say(f"  check {title}: {msg}")

    spec = dict(kind="constraint", key=key, n=n, lib=lib, params=params, alpha=alpha)
    t = measure_line(ctx, stem, spec, dict(x=x, labels=labels), wl_fn, t_fn, t_wl1, t_t1)
    ctx.flops[name] = constraint_flops(key, B, n)
    add_line(ctx, name, t, f"wl_train_step {peer}; {t.notes()}; wlc {ct:.1f} s")
    wl.close()


def run_constraints(ctx, jobs):
    """The constraint-step lines: one wl_train_step vs one torch step (forward, backward, optimizer,
    constraint) of an MLP n -> n -> 10 whose hidden layer is constrained, alternated.
    jobs: [(line, (B, n))], e.g. every line at --constraint-size, then soft_cap at n = 4096."""
    batches = {}
    for key, (B, n) in jobs:
        if (B, n) not in batches:
            rng = np.random.default_rng(1)  # independent of which other sections or sizes run
            batches[(B, n)] = (rng.random((B, n), dtype=np.float32), rng.integers(0, CLASSES, B).astype(np.int32))
        run_constraint_line(ctx, key, B, n, *batches[(B, n)])
