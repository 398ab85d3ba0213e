"""The structure-step lines: one AdamW training step of the MLP n -> n -> 10 whose hidden layer l1
is structured (lowrank, kronecker, monarch, blockdiag, frozen + lora; dense for reference) vs
PyTorch eager peers written the way their libraries do it."""
import time

import numpy as np
import torch
import torch.nn.functional as F

from .abi import WLModel
from .config import BETAS, BLOCKDIAG_BLOCKS, CLASSES, EPS, FROZEN_STD, LORA_ALPHA, LORA_RANK, LOWRANK_RANK, \
    LR, WD
from .apart import measure_line, saved_params
from .dense import torch_peer, torch_step_fn, train_flops
from .harness import add_line
from .programs import ADAMW_GROUP, compile_or_skip, constrained_wl, mlp_wl


def structure_factor(n):
    """The largest divisor of n that is at most sqrt(n): 32 at n = 1024, 16 at n = 256. The Kronecker
    factors are s x s and (n/s) x (n/s); Monarch has s blocks of (n/s) x (n/s)."""
    return max(d for d in range(1, int(n ** 0.5) + 1) if n % d == 0)


def structure_specs(n):
    """{line: (title, `weight = ...` of l1, hyper-parameters)} of the structure-step lines at width n."""
    s = structure_factor(n)
    r_low, r_lora, blocks = min(LOWRANK_RANK, n), min(LORA_RANK, n), BLOCKDIAG_BLOCKS
    return {
        "dense": ("dense", "dense", {}),
        "lowrank": (f"lowrank(rank = {r_low})", f"lowrank(rank = {r_low})", {"r": r_low}),
        "kronecker": (f"kronecker(a = [{s}, {s}], b = [{n // s}, {n // s}], terms = 1)",
                      f"kronecker(a = [{s}, {s}], b = [{n // s}, {n // s}], terms = 1)",
                      {"m1": s, "n1": s, "m2": n // s, "n2": n // s, "k": 1}),
        "monarch": (f"monarch(blocks = {s})", f"monarch(blocks = {s})", {"b": s, "c": n // s}),
        "blockdiag": (f"blockdiag(blocks = {blocks})", f"blockdiag(blocks = {blocks})", {"b": blocks}),
        "lora": (f"frozen + lora(rank = {r_lora}, alpha = {LORA_ALPHA})",
                 f"frozen(init = normal(std = {FROZEN_STD})) + lora(rank = {r_lora}, alpha = {LORA_ALPHA})",
                 {"r": r_lora}),
    }


def structure_flops(key, n, hp):
    """Multiply-adds per example of l1 (n -> n) in the forward and in forward + backward, and its
    trainable parameter count. The backward computes the trainable factors' gradients and the
    intermediate adjoints they need, no dx (l1 is the first layer, x needs no gradient) and no
    gradient of a frozen base."""
    if key == "dense":
        return n * n, 2 * n * n, n * n
    if key == "lowrank":  # t = Vᵀx, y = U t; dU = dy tᵀ, dt = Uᵀdy, dV = x dtᵀ
        r = hp["r"]
        return 2 * n * r, 5 * n * r, 2 * n * r
    if key == "kronecker":  # T = A X, Y = T Bᵀ; dB, dT, dA (X: n1 x n2)
        m1, n1, m2, n2, k = hp["m1"], hp["n1"], hp["m2"], hp["n2"], hp["k"]
        fwd = k * (m1 * n1 * n2 + m1 * n2 * m2)
        return fwd, fwd + k * (2 * m1 * m2 * n2 + m1 * n1 * n2), k * (m1 * n1 + m2 * n2)
    if key == "monarch":  # h = R x (b blocks c x c), y = L h (c blocks b x b); dL, dh, dR
        b, c = hp["b"], hp["c"]
        return n * c + n * b, 2 * n * c + 3 * n * b, n * (b + c)
    if key == "blockdiag":  # b blocks (n/b) x (n/b); the blocks' gradient
        return n * n // hp["b"], 2 * n * n // hp["b"], n * n // hp["b"]
    if key == "lora":  # W0 x + s B (A x); dB, dt, dA (none for the frozen W0)
        r = hp["r"]
        return n * n + 2 * n * r, n * n + 5 * n * r, 2 * n * r
    raise ValueError(key)


class LowRankPeer(torch.nn.Module):
    """y = U (Vᵀ x) + b with U [n, r], V [n, r]: two plain matmuls (no nn.Linear)."""

    def __init__(self, p):
        super().__init__()
        self.U, self.V, self.bias = (torch.nn.Parameter(p[k]) for k in ("U", "V", "bias"))

    def forward(self, x):
        return F.linear(x @ self.V, self.U, self.bias)  # (x V) Uᵀ + b


class KronMaterialisedPeer(torch.nn.Module):
    """PEFT LoKr-style: W = Σᵢ kron(Aᵢ, Bᵢ) materialised in every forward, then F.linear."""

    def __init__(self, p):
        super().__init__()
        self.A, self.B, self.bias = (torch.nn.Parameter(p[k]) for k in ("A", "B", "bias"))

    def forward(self, x):
        w = torch.kron(self.A[0], self.B[0])
        for i in range(1, self.A.shape[0]):
            w = w + torch.kron(self.A[i], self.B[i])
        return F.linear(x, w, self.bias)


class KronFactoredPeer(KronMaterialisedPeer):
    """The same parameters applied factored: y = Σᵢ vec(Aᵢ X Bᵀᵢ), X = x as [n1, n2] (row-major)."""

    def forward(self, x):
        x3 = x.reshape(x.shape[0], self.A.shape[2], self.B.shape[2])
        y = None
        for i in range(self.A.shape[0]):
            t = torch.matmul(self.A[i], x3) @ self.B[i].T  # [B, m1, m2]
            y = t if y is None else y + t
        return y.reshape(x.shape[0], -1) + self.bias


class MonarchPeer(torch.nn.Module):
    """Monarch with bmm, as Dao et al.'s blockdiag_butterfly_multiply (fly/HazyResearch) with
    w1 = R [b, c, c], w2 = L [c, b, b]: h[:, g] = x[:, g] R[g]ᵀ, y[:, g', c'] = Σ_g L[c', g', g] h[:, g, c']."""

    def __init__(self, p):
        super().__init__()
        self.R, self.L, self.bias = (torch.nn.Parameter(p[k]) for k in ("R", "L", "bias"))

    def forward(self, x):
        bsz, (b, c, _) = x.shape[0], self.R.shape
        h = torch.bmm(x.reshape(bsz, b, c).transpose(0, 1), self.R.transpose(-1, -2))  # [b, B, c]
        h = h.transpose(0, 1).transpose(-1, -2).contiguous().transpose(0, 1)  # [c, B, b]
        y = torch.bmm(h, self.L.transpose(-1, -2))  # [c, B, b]: y[c', :, g']
        return y.permute(1, 2, 0).reshape(bsz, b * c) + self.bias


class BlockDiagPeer(torch.nn.Module):
    """y[:, g] = x[:, g] W[g]ᵀ with blocks [b, OUT/b, IN/b]: one bmm over the blocks."""

    def __init__(self, p):
        super().__init__()
        self.blocks, self.bias = (torch.nn.Parameter(p[k]) for k in ("blocks", "bias"))

    def forward(self, x):
        bsz, b = x.shape[0], self.blocks.shape[0]
        y = torch.bmm(x.reshape(bsz, b, -1).transpose(0, 1), self.blocks.transpose(-1, -2))  # [b, B, o]
        return y.transpose(0, 1).reshape(bsz, -1) + self.bias


class LoraPeer(torch.nn.Module):
    """PEFT's LoRA Linear: frozen base F.linear(x, W0, b) + lora_B(lora_A(x)) * (alpha / r);
    W0 is a buffer (no gradient), lora_A [r, n], lora_B [n, r] and the bias train."""

    def __init__(self, p, scaling):
        super().__init__()
        self.register_buffer("base", p["base"])
        self.lora_A, self.lora_B, self.bias = (torch.nn.Parameter(p[k]) for k in ("lora_A", "lora_B", "bias"))
        self.scaling = scaling

    def forward(self, x):
        return F.linear(x, self.base, self.bias) + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling


class TorchStructured(torch.nn.Module):
    """The peer of a structure step: relu(l1(x)) -> head, l1 one of the peers above."""

    def __init__(self, l1, n):
        super().__init__()
        self.l1 = l1
        self.head = torch.nn.Linear(n, CLASSES)

    def forward(self, x):
        return self.head(F.relu(self.l1(x)))


def structure_peer(key, wl, n, hp, factored=False):
    """The torch peer of line `key` from wl's initial parameters + AdamW on its trainable tensors;
    returns (module, optimizer, {wl parameter name: torch tensor})."""
    info = wl.param_info()
    p = {name[len("l1.weight."):]: torch.from_numpy(wl.get(name, shape))
         for name, (shape, _) in info.items() if name.startswith("l1.weight.")}
    p["bias"] = torch.from_numpy(wl.get("l1.bias", (n,)))
    if key == "lowrank":
        l1 = LowRankPeer(p)
    elif key == "kronecker":
        l1 = (KronFactoredPeer if factored else KronMaterialisedPeer)(p)
    elif key == "monarch":
        l1 = MonarchPeer(p)
    elif key == "blockdiag":
        l1 = BlockDiagPeer(p)
    elif key == "lora":
        l1 = LoraPeer(p, LORA_ALPHA / hp["r"])
    else:
        raise ValueError(key)
    tm = TorchStructured(l1, n)
    with torch.no_grad():
        tm.head.weight.copy_(torch.from_numpy(wl.get("head.weight", (CLASSES, n))))
        tm.head.bias.copy_(torch.from_numpy(wl.get("head.bias", (CLASSES,))))
    tensors = {f"l1.weight.{k}": getattr(l1, k) for k in p if k != "bias"}
    tensors.update({"l1.bias": l1.bias, "head.weight": tm.head.weight, "head.bias": tm.head.bias})
    for name, (_, trainable) in info.items():  # the same split into trained and frozen tensors
        if name not in tensors:
            raise RuntimeError(f"{key}: the library has a tensor {name} the peer does not know")
        if trainable != tensors[name].requires_grad:
            raise RuntimeError(f"{key}: {name} is {'' if trainable else 'not '}trainable in the library")
    opt = torch.optim.AdamW([t for t in tm.parameters() if t.requires_grad],
                            lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    return tm, opt, tensors


def structure_check(wl, tensors, l_wl, l_t):
    """One line: both losses, the gradients of the step (the largest of max |g_wl - g_torch| /
    max |g_torch| over the trainable tensors) and, per tensor, max |θ_wl - θ_torch| after the step
    (a frozen tensor must not change). AdamW's first update is lr·g/(|g| + eps), so entries with
    |g| near eps = 1e-8 turn the gradients' float rounding into a visible parameter difference."""
    parts, grel = [], 0.0
    for name, t in tensors.items():
        a = t.detach().numpy()
        d = float(np.max(np.abs(wl.get(name, a.shape) - a)))
        short = name.replace("l1.weight.", "")
        parts.append(f"{short} {d:.1e}" + ("" if t.requires_grad else " (frozen)"))
        if t.requires_grad and t.grad is not None:
            g = t.grad.numpy()
            dg = float(np.max(np.abs(wl.grad(name, g.shape) - g)))
            scale = float(np.max(np.abs(g)))
            grel = max(grel, dg / scale if scale > 0 else (0.0 if dg == 0 else float("inf")))
    return (f"loss wl {l_wl:.6f} vs torch {l_t:.6f}; gradients: max |g_wl − g_torch|/max |g_torch| ≤ {grel:.1e}; "
            f"max |θ_wl − θ_torch| after one step (lr {LR}): {', '.join(parts)}")


def peer_what(key, factored, hp):
    """What the torch peer of line `key` does (the line's notes)."""
    if key == "lowrank":
        return "(x V) Uᵀ: two matmuls"
    if key == "kronecker":
        return ("A X Bᵀ on x as [n1, n2] (matmul + reshape)" if factored else
                "PEFT LoKr-style W = kron(A, B) in every forward, then F.linear")
    if key == "monarch":
        return "two bmm over the blocks with reshape/transpose (Dao et al.)"
    if key == "blockdiag":
        return "one bmm over the blocks"
    return f"PEFT-style LoRA: frozen F.linear(x, W0) + (α/r)·(x Aᵀ) Bᵀ, α/r = {LORA_ALPHA / hp['r']:g}"


class StructureRun:
    """The structure-step lines at one (B, n): one wl_train_step vs one torch eager step (forward,
    cross_entropy, backward, AdamW) of an MLP n -> n -> 10 whose hidden layer l1 is structured,
    alternated. The dense train-step line at (B, n), when it ran (ctx.dense_ref), is the `dense`
    line and the reference of the others; else the `dense` line runs here and becomes it."""

    def __init__(self, ctx, size):
        self.ctx = ctx
        self.B, self.n = B, n = size
        rng = np.random.default_rng(2)  # independent of which other sections run
        self.x = rng.random((B, n), dtype=np.float32)
        self.labels = rng.integers(0, CLASSES, B).astype(np.int32)
        self.tx, self.ty = torch.from_numpy(self.x), torch.from_numpy(self.labels.astype(np.int64))
        self.specs = structure_specs(n)
        self.dense_flops = structure_flops("dense", n, {})
        self.ref = ctx.dense_ref.get((B, n))
        self.ref_name = f"train step B={B} n={n}"

    def run(self, lines):
        ref = self.ref
        if "dense" in lines and ref is not None:
            self.ctx.say(f"  structure dense: the `{self.ref_name}` line ({ref[0]:.3f} ms wl, {ref[1]:.3f} ms torch)")
        for key in lines:
            if key == "dense" and self.ref is not None:
                continue
            self.line(key)

    def peers(self, key, wl, hp):
        """[(name suffix, torch step, check(l_wl, l_t), what)] of line `key`: one peer, two for
        kronecker (materialised as PEFT's LoKr, and factored)."""
        def checker(tensors):
            return lambda l_wl, l_t: structure_check(wl, tensors, l_wl, l_t)
        if key == "dense":  # the train-step line's workload (that line did not run at this size)
            tm, opt = torch_peer(self.n, wl)
            tensors = {f"{ly}.{k}": getattr(getattr(tm, ly), k) for ly in ("fc1", "head") for k in ("weight", "bias")}
            return [("", torch_step_fn(tm, opt, self.tx, self.ty), checker(tensors),
                     "nn.Linear + AdamW (the train-step lines' workload)")]
        peers = []
        variants = [(False, "")] + ([(True, " (factored torch)")] if key == "kronecker" else [])
        for factored, suffix in variants:
            tm, opt, tensors = structure_peer(key, wl, self.n, hp, factored)
            peers.append((suffix, torch_step_fn(tm, opt, self.tx, self.ty), checker(tensors),
                          f"{peer_what(key, factored, hp)} + AdamW"))
        return peers

    def first_steps(self, title, wl, wl_fn, peers):
        """Same-math check: one step of wl and of every peer from the same parameters on the
        same batch; timed, as it is the only warm-up of a slow line. Returns (wl s, [peer s])."""
        t0 = time.perf_counter()
        wl_fn()
        t_wl1 = time.perf_counter() - t0
        l_wl = float(wl._loss.value)
        t_t1 = []
        for suffix, t_fn, check, _ in peers:
            t0 = time.perf_counter()
            l_t = float(t_fn())
            t_t1.append(time.perf_counter() - t0)
            msg = f"{check(l_wl, l_t)}; first step wl {t_wl1:.2f} s, torch {t_t1[-1]:.2f} s"
            self.ctx.checks.append(f"structure {title}{suffix}, B={self.B}, n={self.n}: {msg}")
            self.ctx.say(f"  check {title}{suffix}: {msg}")
        return t_wl1, t_t1

    def line(self, key):
        ctx, B, n = self.ctx, self.B, self.n
        title, weight, hp = self.specs[key]
        name = f"structure step B={B} n={n}: {title}"
        ctx.say(f"  [{ctx.elapsed():4.0f} s] running {name}")
        text = (mlp_wl(n, "Bench_dense") if key == "dense" else
                constrained_wl(n, weight, [f"default: {ADAMW_GROUP}"], f"Bench_{key}"))
        compiled = compile_or_skip(ctx, text, f"struct_{key}_n{n}", name, any_error_ok=True)
        if compiled is None:
            return
        lib, ct = compiled
        wl = WLModel(lib, seed=0)
        stem = f"struct_{key}_B{B}_n{n}"
        params = saved_params(ctx, wl, stem)
        try:
            peers = self.peers(key, wl, hp)
            wl_fn = wl.train_step_fn(self.x, self.labels)
            t_wl1, t_t1 = self.first_steps(title, wl, wl_fn, peers)
        except RuntimeError as e:
            ctx.rows.append((name, None, None, None, f"skipped: {e}"))
            ctx.say(f"  {name:<26} skipped: {e}")
            wl.close()
            return
        batch = dict(x=self.x, labels=self.labels)
        t = None  # a second peer (Kronecker's factored torch) reuses the first line's wl process
        for (suffix, t_fn, _, what), t1 in zip(peers, t_t1):
            spec = dict(kind="structure", key=key, n=n, lib=lib, params=params, factored=bool(suffix))
            t = measure_line(ctx, stem + ("_factored" if suffix else ""), spec, batch, wl_fn, t_fn, t_wl1, t1,
                             same_wl=t)
            ctx.flops[name + suffix] = train_flops(B, n, structure_flops(key, n, hp)[1])
            add_line(ctx, name + suffix, t, self.notes(key, name, hp, what, t, ct))
        wl.close()

    def notes(self, key, name, hp, what, t, ct):
        """A timed line's notes: the peer, l1's FLOPs against a dense l1, the comparison with the
        dense step (which a `dense` line run here becomes), the method, wlc's time."""
        dense_fwd, dense_train, dense_params = self.dense_flops
        fwd, train, params = structure_flops(key, self.n, hp)
        flop_note = (f"l1 / dense l1: FLOPs fwd {fwd / dense_fwd:.3f}×, fwd+bwd {train / dense_train:.3f}×, "
                     f"trainable params {params / dense_params:.3f}×")
        ref = self.ref
        if key == "dense":
            self.ref, self.ref_name = (t.wl_ms, t.peer_ms), name
            dense_note = ""
        elif ref is not None:
            dense_note = (f"dense step / this step: wl {ref[0] / t.wl_ms:.2f}× (vs wl dense step {ref[0]:.3f} ms), "
                          f"torch {ref[1] / t.peer_ms:.2f}× (dense {ref[1]:.3f} ms; `{self.ref_name}`), "
                          f"l1 FLOPs predict {dense_train / train:.2f}×")
        else:
            dense_note = "no dense step at this size in this run (line `dense`)"
        notes = [f"wl_train_step vs torch eager {what}"] + ([] if key == "dense" else [flop_note])
        notes += ([dense_note] if dense_note else []) + [t.notes(), f"wlc {ct:.1f} s"]
        return "; ".join(notes)


def run_structures(ctx, lines, size):
    """The structure-step lines `lines` at size (B, n): StructureRun."""
    StructureRun(ctx, size).run(lines)
