"""One side of the Lipschitz GPT line, in its own process (wlbench/gpt.py starts it):

    cd bench && WLBENCH_SIDE=wl|torch /usr/bin/python3 -m wlbench.gptside --threads N spec.json result.json

Each side runs the same script: a same-math check from shared check parameters (forward logits,
then two training steps), then --gpt-steps training steps from wl's initial parameters on the
same pre-drawn batches, each step timed on its own, then the validation windows and (wl) the
certificate. The wl side writes the initial and check parameters and its check results first;
the torch side compares itself with them and refuses to train (result "refused") when the pair
does not compute the same thing. The result (JSON) has per-step seconds and losses, the
validation loss and accuracy, the per-phase times and the peak RSS; the final parameters go to
spec["final"] (.npz)."""
import json
import math
import os
import sys
import time

import numpy as np

from .config import MUON_OUTPUT_BOUND, NS5_ABC
from .seqside import rss_mb

SIDE = os.environ.get("WLBENCH_SIDE", "torch")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHASE_CALLS = 10  # wl's per-phase split: calls of wl_loss and of wl_step after training
# The same-math check's limits (max |a_wl − a_torch| / max |a_torch|). Measured on two versions of
# the small example: logits 5e-7–7e-7, losses ≤ 2e-6, parameters after one and two steps ≤ 1.3e-6
# and ≤ 2.1e-6 (float32 rounding, wl's rational erf included). Deviations it catches there: no RoPE (logits 1e-3), tanh
# GeLU (logits 1.2e-5), soft_cap's α from a 1% larger lr (step 1.3e-4), the momentum summed
# instead of averaged (1.7e-4: Newton–Schulz's 1e-7 matters for small gradients), the schedule
# one step late (1.9e-5).
CHECK_TOL = {"logits": 1e-5, "loss": 1e-5, "step": 1e-5}


def evaluate(logits_fn, x, y, first, batch=32):
    """(mean cross entropy in nats, next-character accuracy) over the positions the validation
    windows predict, each once (first: wl.text.validation_windows), as wl-train's evaluate_text
    computes them: float64 log-softmax of each side's float32 logits."""
    T = x.shape[1]
    loss_sum, hits, count = 0.0, 0, 0
    for i in range(0, len(x), batch):
        z = logits_fn(x[i:i + batch]).astype(np.float64)  # [b, T, V]
        yb = y[i:i + batch]
        keep = np.arange(T)[None, :] >= first[i:i + batch][:, None]
        top = z.max(axis=2, keepdims=True)
        log_norm = top[..., 0] + np.log(np.exp(z - top).sum(axis=2))
        nll = log_norm - np.take_along_axis(z, yb[..., None].astype(np.int64), axis=2)[..., 0]
        loss_sum += float(nll[keep].sum())
        hits += int((z.argmax(axis=2) == yb)[keep].sum())
        count += int(keep.sum())
    return loss_sum / count, hits / count


def check_params(init, model, seed):
    """wl's initial parameters with every all-zero matrix (the output projections o and down
    start at zero) replaced by a random one at 0.9 of its spectral bound: at the initial
    parameters those layers pass nothing on, and the check would not see attention or the MLP."""
    rng = np.random.default_rng(seed + 1)
    out = {}
    for name, w in init.items():
        kind, c = model["params"][name]["bound"]
        if kind == "spectral" and not np.any(w):
            g = rng.standard_normal(w.shape)
            w = (g * (0.9 * c / np.linalg.norm(g, 2))).astype(np.float32)
        out[name] = w
    return out


def max_rel(a, b):
    """max |a − b| / max |b| (b: torch's)."""
    scale = float(np.max(np.abs(b)))
    return float(np.max(np.abs(np.asarray(a, np.float64) - b))) / (scale if scale > 0 else 1.0)


# ---- the wl side -------------------------------------------------------------------------

def wl_side(spec, data):
    sys.path.insert(0, os.path.join(REPO, "runtime", "python"))
    import wl
    lib = wl.load_library(spec["lib"])
    model = spec["model"]
    m = lib.create(seed=spec["seed"])
    init = {k: m.params[k] for k in m.params}
    np.savez(spec["init"], **init)
    chk = check_params(init, model, spec["seed"])
    np.savez(spec["check_params"], **chk)

    # Same-math check: the forward on the check parameters, then two steps (the second one
    # exercises the momentum buffers and the schedule at t = 2).
    with lib.create(seed=spec["seed"]) as c:
        c.params.update(chk)
        x, y = data["x"], data["y"]
        res = {"logits": c.forward(x[0]), "loss1": c.train_step(x[0], y[0])}
        res.update({f"p1:{k}": c.params[k] for k in chk})
        res["loss2"] = c.train_step(x[1], y[1])
        res.update({f"p2:{k}": c.params[k] for k in chk})
    np.savez(spec["check_wl"], **res)

    x, y = np.ascontiguousarray(data["x"]), np.ascontiguousarray(data["y"])
    times, losses = [], []
    for i in range(spec["steps"]):
        t0 = time.perf_counter()
        losses.append(m.train_step(x[i], y[i]))
        times.append(time.perf_counter() - t0)
    val = evaluate(m.forward, data["val_x"], data["val_y"], data["val_first"])
    cert = m.lipschitz_bound()
    np.savez(spec["final"], **{k: m.params[k] for k in m.params})
    # Where the time goes: wl_loss (forward + loss) and wl_step (Muon + soft_cap + norm_bound) on
    # their own, after everything above is saved (wl_step moves the weights on).
    fwd = timed_calls(lambda: m.loss(x[0], y[0]), PHASE_CALLS)
    opt = timed_calls(m.step, PHASE_CALLS)
    return {"times": times, "losses": losses, "val_loss": val[0], "val_acc": val[1], "lipschitz": cert,
            "phases": {"forward + loss": fwd, "optimizer + constraints": opt}}


def timed_calls(fn, n):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return ts


# ---- the torch side ----------------------------------------------------------------------

class TorchGPT:
    """The .wl model and its generated step, in PyTorch eager (float32), from gptspec's description:
    the forward of the file, then per matrix wlc's Muon (ALGORITHMS.md: m ← βm + (1−β)g, NS5 on the
    short side after Frobenius normalisation, W ← W(1 − lr_t·wd) − lr_t·sqrt(max(1, OUT/IN))·NS(u))
    and its constraint: soft_cap with α from this step's lr, or the embedding's row-norm bound."""

    def __init__(self, model, params):
        import torch
        self.torch, self.model = torch, model
        self.P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        self.mom = {k: torch.zeros_like(p) for k, p in self.P.items()}
        self.t = 0  # the step count: lr_t uses t = 1 at the first step
        self.T, self.V, self.D, self.H = model["T"], model["V"], model["D"], model["heads"]
        m = self.D // self.H
        self.mask = torch.triu(torch.ones(self.T, self.T, dtype=torch.bool), 1)
        # RoPE (ALGORITHMS.md, rotate_half): θ_j = base^(−2j/m), angle t·θ_j, built once in float64
        bases = {b["rope_base"] for b in model["blocks"] if b["kind"] == "attn" and b["rope"]}
        self.rope = {}
        for base in bases:
            j = torch.arange(m // 2, dtype=torch.float64)
            angle = torch.arange(self.T, dtype=torch.float64)[:, None] * base ** (-2 * j / m)[None, :]
            self.rope[base] = (torch.cos(angle).float(), torch.sin(angle).float())
        self._alpha_cache = {}

    def lin(self, name, x):
        return self.torch.nn.functional.linear(x, self.P[name + ".weight"])

    def attention(self, q, k, v, blk):
        torch = self.torch
        B, T, H, m = q.shape[0], self.T, self.H, self.D // self.H

        def split(x):
            return x.reshape(B, T, H, m).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        if blk["rope"]:
            cos, sin = self.rope[blk["rope_base"]]

            def rotate(x):
                x1, x2 = x[..., : m // 2], x[..., m // 2:]
                return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1)
            q, k = rotate(q), rotate(k)
        z = (blk["scale"] * q) @ k.transpose(-1, -2)
        if blk["causal"]:
            z = z.masked_fill(self.mask, float("-inf"))
        return (torch.softmax(z, -1) @ v).transpose(1, 2).reshape(B, T, self.D)

    def forward(self, ids):
        F = self.torch.nn.functional
        h = F.embedding(ids, self.P[self.model["embed"] + ".weight"])
        for b in self.model["blocks"]:
            if b["kind"] == "attn":
                a = self.attention(self.lin(b["q"], h), self.lin(b["k"], h), self.lin(b["v"], h), b)
                h = b["keep"] * h + b["mix"] * self.lin(b["o"], b["inner"] * a)
            else:
                h = b["keep"] * h + b["mix"] * self.lin(b["down"], b["inner"] * F.gelu(self.lin(b["up"], h)))
        return self.lin(self.model["head"], h)

    def loss(self, ids, labels):
        return self.torch.nn.functional.cross_entropy(self.forward(ids).reshape(-1, self.V), labels.reshape(-1))

    def lr_factor(self):
        """The schedule at step t, in float64 then rounded once to float32, as the generated step."""
        s, t = self.model["schedule"], float(self.t)
        if s["kind"] == "constant":
            return np.float32(1.0)
        w, total = s["warmup"], s["total"]
        if t <= w:
            return np.float32(t / w)
        progress = (t - w) / (total - w)
        if s["kind"] == "warmup_linear":
            return np.float32(max(0.0, 1.0 - progress))
        return np.float32(0.5 * (1 + math.cos(math.pi * min(1.0, progress))))

    def soft_cap_alpha(self, c, lr, wd, ratio):
        """soft_cap's α for this step (ALGORITHMS.md; wlc's soft_cap_strength, in float64): k = c(1 − lr·wd)
        + lr·sqrt(max(1, OUT/IN))·1.2025·1.001, the smallest α ≥ 0 with f(k) = c, f(σ) = s + αs³,
        s = σ − ασ³: 64 bisections of μ = αk² in [0, 1] on (1 − μ) + μ(1 − μ)³ ≤ c/k."""
        key = (c, lr, wd, ratio)
        if key not in self._alpha_cache:
            k = c * (1 - lr * wd) + lr * math.sqrt(max(1.0, ratio)) * MUON_OUTPUT_BOUND
            lo, hi = 0.0, 1.0
            for _ in range(64):
                mid = 0.5 * (lo + hi)
                rest = 1.0 - mid
                if rest + mid * rest * rest * rest <= c / k:
                    hi = mid
                else:
                    lo = mid
            self._alpha_cache[key] = float(np.float32(hi / (k * k))) if k > c else 0.0
        return self._alpha_cache[key]

    def muon_(self, name, lr):
        """Muon as wlc generates it (Optimizers.cpp, NewtonSchulz.cpp). The momentum is the EMA
        m ← βm + (1−β)g; b ← βb + g would differ only in scale, which the Frobenius normalisation
        removes (up to its 1e-7)."""
        o = self.model["optim"][name]
        w, g, mom = self.P[name], self.P[name].grad, self.mom[name]
        beta, a, b, c = o["momentum"], *NS5_ABC
        mom.mul_(beta).add_(g, alpha=1 - beta)
        u = g * (1 - beta) + beta * mom if o["nesterov"] else mom
        x = u / (u.norm() + 1e-7)
        tall = x.shape[0] > x.shape[1]
        if tall:
            x = x.T
        for _ in range(o["ns_steps"]):
            A = x @ x.T
            B = b * A + c * (A @ A)
            x = a * x + B @ x
        if tall:
            x = x.T
        scale = math.sqrt(max(1.0, w.shape[0] / w.shape[1]))
        if o["weight_decay"]:
            w.mul_(1 - lr * o["weight_decay"])
        w.add_(x, alpha=-lr * scale)

    def constrain_(self, name, lr):
        """soft_cap on the short side (M ← M − αMMᵀM, twice: −α then +α) or the row-norm bound."""
        torch = self.torch
        w = self.P[name]
        kind, c = self.model["params"][name]["bound"]
        if kind == "row":
            w.mul_(torch.clamp(c / w.norm(dim=1, keepdim=True), max=1.0))
            return
        alpha = self.soft_cap_alpha(c, lr, self.model["optim"][name]["weight_decay"], w.shape[0] / w.shape[1])
        x = w.T if w.shape[0] > w.shape[1] else w
        for coef in (-alpha, alpha):
            x = torch.addmm(x, x @ x.T, x, alpha=coef)
        w.copy_(x.T if w.shape[0] > w.shape[1] else x)

    def step(self, ids, labels, clock=None):
        """One training step; returns the loss tensor. clock: a list that gets the perf_counter
        readings after forward + loss, backward, Muon and the constraints."""
        torch = self.torch
        for p in self.P.values():
            p.grad = None
        loss = self.loss(ids, labels)
        mark = clock.append if clock is not None else (lambda _: None)
        mark(time.perf_counter())
        loss.backward()
        mark(time.perf_counter())
        self.t += 1
        factor = self.lr_factor()
        # lr_t in float32 (the schedule factor times the group's lr), as the generated step
        lrs = {k: float(np.float32(factor * np.float32(self.model["optim"][k]["lr"]))) for k in self.P}
        self._alpha_cache = {}  # α depends on lr_t: computed once per (bound, lr_t, shape ratio) each step
        with torch.no_grad():
            for k in self.P:
                self.muon_(k, lrs[k])
            mark(time.perf_counter())
            for k in self.P:
                self.constrain_(k, lrs[k])
            mark(time.perf_counter())
        return loss

    def params(self):
        return {k: p.detach().numpy().copy() for k, p in self.P.items()}


def torch_check(spec, data):
    """The same-math check against the wl side's results: (numbers, the first failure or None)."""
    import torch
    chk = np.load(spec["check_params"])
    ref = np.load(spec["check_wl"])
    tm = TorchGPT(spec["model"], {k: chk[k] for k in chk.files})
    ids = [torch.from_numpy(data["x"][i].astype(np.int64)) for i in range(2)]
    lab = [torch.from_numpy(data["y"][i].astype(np.int64)) for i in range(2)]
    with torch.no_grad():
        logits = tm.forward(ids[0]).numpy()
    out = {"logits": max_rel(ref["logits"], logits)}
    loss1 = float(tm.step(ids[0], lab[0]))
    p1 = tm.params()
    loss2 = float(tm.step(ids[1], lab[1]))
    p2 = tm.params()
    out["loss"] = max(abs(float(ref["loss1"]) - loss1) / abs(loss1), abs(float(ref["loss2"]) - loss2) / abs(loss2))
    out["losses"] = [float(ref["loss1"]), loss1, float(ref["loss2"]), loss2]
    out["step1"] = max((max_rel(ref[f"p1:{k}"], p1[k]), k) for k in p1)
    out["step2"] = max((max_rel(ref[f"p2:{k}"], p2[k]), k) for k in p2)
    worst = {"logits": out["logits"], "loss": out["loss"], "step": max(out["step1"][0], out["step2"][0])}
    fails = [f"{what} differs by {worst[what]:.1e} (limit {tol:g})" for what, tol in CHECK_TOL.items()
             if not worst[what] <= tol]
    return out, (fails[0] if fails else None)


def torch_side(spec, data):
    import torch
    check, fail = torch_check(spec, data)
    if fail:  # never time a pair that computes different things
        return {"refused": fail, "check": check}
    init = np.load(spec["init"])
    tm = TorchGPT(spec["model"], {k: init[k] for k in init.files})
    # int64 ids and labels (F.embedding and cross_entropy want them), converted before the clock runs
    xs = torch.from_numpy(data["x"].astype(np.int64))
    ys = torch.from_numpy(data["y"].astype(np.int64))
    times, losses, phases = [], [], []
    for i in range(spec["steps"]):
        clock = [time.perf_counter()]
        loss = tm.step(xs[i], ys[i], clock)
        times.append(clock[-1] - clock[0])
        phases.append(np.diff(clock).tolist())
        losses.append(float(loss))

    def logits(x):
        with torch.no_grad():
            return tm.forward(torch.from_numpy(x.astype(np.int64))).numpy()
    val = evaluate(logits, data["val_x"], data["val_y"], data["val_first"])
    np.savez(spec["final"], **tm.params())
    names = ("forward + loss", "backward", "Muon", "constraints")
    return {"times": times, "losses": losses, "val_loss": val[0], "val_acc": val[1], "check": check,
            "phases": {n: [p[j] for p in phases] for j, n in enumerate(names)}}


def main():
    spec_path, out_path = sys.argv[-2], sys.argv[-1]
    with open(spec_path) as f:
        spec = json.load(f)
    rss_import = rss_mb()
    data = dict(np.load(spec["data"]))
    res = (wl_side if SIDE == "wl" else torch_side)(spec, data)
    res.update(rss_import_mb=rss_import, rss_peak_mb=rss_mb())
    with open(out_path, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
