"""One side of a sequence line, in its own process (wlbench/sequence.py starts it):

    cd bench && WLBENCH_SIDE=wl|torch /usr/bin/python3 -m wlbench.seqside --threads N spec.json result.json

Its own process so that its peak resident memory (VmHWM, see rss_mb) is that side's alone: the wl process never imports torch
(env.py), the torch process never loads a generated library. The spec (JSON) names the workload,
the batch (.npz) and where the wl side's initial parameters go (the torch side starts from them);
the result (JSON) has the check step's time and loss, the per-call seconds of each round and the
peak RSS after the imports and at the end. The tensors the parent compares (parameters and
gradients after one step; attention's y and dx) go to spec["after"] (.npz)."""
import json
import os
import resource
import sys

import numpy as np

from .harness import time_alone, timed

SIDE = os.environ.get("WLBENCH_SIDE", "torch")


def rss_mb():
    """Peak resident set of this process image so far, in MB: VmHWM, the high-water mark of its own
    address space. Not ru_maxrss: Linux carries the forking parent's peak over fork and exec, so a
    worker started by the harness (torch loaded, ~250 MB) would report at least the parent's RSS."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # may include the parent's peak


# ---- the wl side -------------------------------------------------------------------------

def wl_lm(spec):
    from .abi import WLModel
    m = WLModel(spec["lib"], seed=0)
    info = m.param_info()
    np.savez(spec["init"], **{k: m.get(k, shape) for k, (shape, _) in info.items()})
    b = np.load(spec["batch"])
    ids, labels = np.ascontiguousarray(b["ids"]), np.ascontiguousarray(b["labels"])
    fn = m.train_step_fn(ids, labels)
    _, t1 = timed(fn)
    loss = float(m._loss.value)
    after = {f"p:{k}": m.get(k, shape) for k, (shape, _) in info.items()}
    after.update({f"g:{k}": m.grad(k, shape) for k, (shape, tr) in info.items() if tr})
    np.savez(spec["after"], **after)
    del after
    return fn, t1, loss, (ids, labels)  # the step holds raw pointers: keep its arrays alive


def wl_attention(spec):
    from .abi import WLModel
    m = WLModel(spec["lib"], seed=0)
    b = np.load(spec["batch"])
    x, dy = np.ascontiguousarray(b["x"]), np.ascontiguousarray(b["dy"])
    y, dx = np.empty_like(x), np.empty_like(x)
    fwd = m.forward_fn(x, y)
    bwd = m.backward_fn(x, dy, dx)  # wl_backward runs the forward itself: forward + backward
    fn = fwd if spec["mode"] == "fwd" else bwd
    _, t1 = timed(fn)
    if spec["mode"] == "fwd":
        np.savez(spec["after"], y=y)
    else:
        fwd()
        np.savez(spec["after"], y=y, dx=dx)
    return fn, t1, None, (x, dy, y, dx)  # the calls hold raw pointers: keep their arrays alive


# ---- the torch side ----------------------------------------------------------------------

def torch_attention_fn(spec):
    """Hand-written causal attention (torch 1.13 has no fused attention) in float32, as
    test/Integration/Inputs/seqref.py writes it: softmax((scale q) kᵀ, masked) v per head, RoPE in
    the rotate_half convention; the mask and RoPE's cos/sin are built once, outside the step."""
    import torch
    T, heads, d = spec["T"], spec["heads"], spec["d"]
    m = d // heads
    scale = 1 / m ** 0.5
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    j = torch.arange(m // 2, dtype=torch.float64)
    angle = torch.arange(T, dtype=torch.float64)[:, None] * 10000.0 ** (-2 * j / m)[None, :]
    cos, sin = torch.cos(angle).float(), torch.sin(angle).float()

    def rotate(x):
        x1, x2 = x[..., : m // 2], x[..., m // 2:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1)

    def attention(q, k, v, rope):
        B = q.shape[0]

        def split(x):
            return x.reshape(B, T, heads, m).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        if rope:
            q, k = rotate(q), rotate(k)
        z = (scale * q) @ k.transpose(-1, -2)
        z = z.masked_fill(mask, float("-inf"))
        return (torch.softmax(z, -1) @ v).transpose(1, 2).reshape(B, T, d)
    return attention


def torch_lm(spec):
    import torch
    import torch.nn.functional as F
    from .config import BETAS, CONSTRAINT_C, EPS, LR, MUON_LR, WD
    from .constraints import soft_cap_, soft_cap_alpha
    from .optimizers import muon_update_
    from .programs import lm_layers
    blocks, d, V = spec["blocks"], spec["d"], spec["vocab"]
    attention = torch_attention_fn(spec)
    init = np.load(spec["init"])
    P = {k: torch.tensor(init[k], requires_grad=True) for k in init.files}
    layers = lm_layers(blocks, d, V)
    b = np.load(spec["batch"])
    ids, labels = torch.from_numpy(b["ids"].astype(np.int64)), torch.from_numpy(b["labels"].astype(np.int64))
    T = ids.shape[1]

    def lin(name, x):
        return F.linear(x, P[name + ".weight"], P.get(name + ".bias"))

    def rms_norm(h):
        return h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + 1e-6)

    def forward():
        h = F.embedding(ids, P["tok.weight"]) + P["pos.weight"][:T]
        for i in range(1, blocks + 1):
            a = rms_norm(h)
            h = h + lin(f"o{i}", attention(lin(f"q{i}", a), lin(f"k{i}", a), lin(f"v{i}", a), True))
            h = h + lin(f"down{i}", F.gelu(lin(f"up{i}", rms_norm(h))))
        return lin("head", F.layer_norm(h, (d,), eps=1e-5))

    muon = spec["variant"] == "muon_soft_cap"
    matrices = [(P[ly + ".weight"], soft_cap_alpha(CONSTRAINT_C, MUON_LR, 0.0, o, i)) for ly, i, o, _ in layers] \
        if muon else []
    mats = {id(w) for w, _ in matrices}
    opt = torch.optim.AdamW([p for p in P.values() if id(p) not in mats], lr=LR, betas=BETAS, eps=EPS,
                            weight_decay=WD)
    moms = [torch.zeros_like(w) for w, _ in matrices]

    def step():
        for p in P.values():
            p.grad = None
        loss = F.cross_entropy(forward().reshape(-1, V), labels.reshape(-1))
        loss.backward()
        opt.step()
        with torch.no_grad():
            for (w, alpha), mom in zip(matrices, moms):
                muon_update_(w, w.grad, mom)
                # soft_cap on the smaller Gram matrix (M(I - αMᵀM) = (I - αMMᵀ)M): the cheaper form
                soft_cap_(w.T if w.shape[0] < w.shape[1] else w, alpha)
        return loss

    loss, t1 = timed(step)
    after = {f"p:{k}": p.detach().numpy().copy() for k, p in P.items()}
    after.update({f"g:{k}": p.grad.numpy().copy() for k, p in P.items()})
    np.savez(spec["after"], **after)
    del after
    return step, t1, float(loss), None


def torch_attention(spec):
    import torch
    attention = torch_attention_fn(spec)
    b = np.load(spec["batch"])
    x, dy = torch.from_numpy(b["x"]), torch.from_numpy(b["dy"])
    B, T, d = x.shape[0], spec["T"], spec["d"]
    x, dy = x.reshape(B, T, d), dy.reshape(B, T, d)
    xg = x.clone().requires_grad_(True)

    def fwd():  # inference: no autograd graph, as wl_forward keeps nothing for a backward
        with torch.no_grad():
            return attention(x, x, x, False)

    def fwd_bwd():
        xg.grad = None
        attention(xg, xg, xg, False).backward(dy)

    fn = fwd if spec["mode"] == "fwd" else fwd_bwd
    _, t1 = timed(fn)
    y = fwd().reshape(B, T * d).numpy()
    if spec["mode"] == "fwd":
        np.savez(spec["after"], y=y)
    else:
        fwd_bwd()
        np.savez(spec["after"], y=y, dx=xg.grad.reshape(B, T * d).numpy())
    return fn, t1, None, None


def main():
    spec_path, out_path = sys.argv[-2], sys.argv[-1]
    with open(spec_path) as f:
        spec = json.load(f)
    rss_import = rss_mb()  # Python, numpy (and torch on the torch side) before the workload
    make = {("wl", "lm"): wl_lm, ("wl", "attention"): wl_attention,
            ("torch", "lm"): torch_lm, ("torch", "attention"): torch_attention}[(SIDE, spec["kind"])]
    fn, t1, loss, keep = make(spec)  # noqa: F841 (keep: arrays the wl calls point to)
    ts, k, slow = time_alone(fn, t1, spec, SIDE)
    with open(out_path, "w") as f:
        json.dump({"t_first": t1, "loss": loss, "times": ts, "k": k, "slow": slow,
                   "rss_import_mb": rss_import, "rss_peak_mb": rss_mb()}, f)


if __name__ == "__main__":
    main()
