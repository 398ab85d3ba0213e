"""The dense training-step lines: one wl_train_step of the MLP n -> n -> 10 vs PyTorch eager."""
import numpy as np
import torch
import torch.nn.functional as F

from .abi import WLModel
from .apart import measure_line, saved_params
from .config import BETAS, CLASSES, EPS, LR, WD
from .harness import add_line, max_rel_diff, timed
from .programs import mlp_wl


class TorchMLP(torch.nn.Module):
    """The peer of constrained_wl / mlp_wl: hidden layer `hidden` + relu + head."""

    def __init__(self, n, hidden="fc1"):
        super().__init__()
        self.hidden = hidden
        setattr(self, hidden, torch.nn.Linear(n, n))
        self.head = torch.nn.Linear(n, CLASSES)

    def forward(self, x):
        return self.head(F.relu(getattr(self, self.hidden)(x)))


def train_flops(B, n, l1_train_macs=None):
    """Nominal FLOPs of one training step of the MLP n -> n -> 10: l1's forward and weight
    gradient (2 B n² each; no dx, x needs no gradient) unless l1_train_macs (its multiply-adds per
    example, forward + backward) is given, plus the head's forward, weight gradient and dh."""
    l1 = 2 * B * (2 * n * n if l1_train_macs is None else l1_train_macs)
    return l1 + 3 * 2 * B * CLASSES * n


def torch_peer(n, wl):
    """PyTorch eager model + AdamW with the same hyper-parameters, starting from wl's initial weights."""
    m = TorchMLP(n)
    with torch.no_grad():
        for layer, out_dim in (("fc1", n), ("head", CLASSES)):
            mod = getattr(m, layer)
            mod.weight.copy_(torch.from_numpy(wl.get(layer + ".weight", (out_dim, n))))
            mod.bias.copy_(torch.from_numpy(wl.get(layer + ".bias", (out_dim,))))
    opt = torch.optim.AdamW(m.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    return m, opt


def torch_step_fn(m, opt, x, y):
    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def train_check(ctx, name, B, n, wl, tm, wl_fn, t_fn):
    """Same-math check: one step from the same weights on the same batch; timed, as it is the
    only warm-up of a slow line (n = 4096 at large B). Returns both steps' seconds."""
    _, t_wl1 = timed(wl_fn)
    l_wl = float(wl._loss.value)
    l_t, t_t1 = timed(t_fn)
    dmax = max(float(np.max(np.abs(wl.get(f"{ly}.weight", (o, n)) - getattr(tm, ly).weight.detach().numpy())))
               for ly, o in (("fc1", n), ("head", CLASSES)))
    # The step's weight gradients too: AdamW's first update is about lr·sign(g), so an entry whose
    # gradient is float rounding away from 0 can differ by up to 2·lr in W with the same math.
    grel = max(max_rel_diff(wl.grad(f"{ly}.weight", (o, n)), getattr(tm, ly).weight.grad.numpy())
               for ly, o in (("fc1", n), ("head", CLASSES)))
    ctx.checks.append(f"B={B}, n={n}: loss wl {l_wl:.6f} vs torch {float(l_t):.6f}; "
                      f"weight gradients: max |g_wl − g_torch|/max |g_torch| ≤ {grel:.1e}; "
                      f"max |W_wl - W_torch| after one step {dmax:.2e} (lr {LR}); "
                      f"first step wl {t_wl1:.2f} s, torch {t_t1:.2f} s")
    ctx.say(f"  check {name}: loss wl {l_wl:.6f} vs torch {float(l_t):.6f}; gradients rel {grel:.1e}; "
            f"max |W_wl - W_torch| {dmax:.2e}")
    return t_wl1, t_t1


def run_train_step(ctx, B, n):
    """The `train step B=… n=…` line: wl_train_step vs PyTorch eager (nn.Linear, AdamW)."""
    name = f"train step B={B} n={n}"
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running {name}")
    lib, ct = ctx.compiled(mlp_wl(n), f"mlp_n{n}")
    wl = WLModel(lib, seed=0)
    stem = f"train_B{B}_n{n}"
    params = saved_params(ctx, wl, stem)
    x = ctx.rng.random((B, n), dtype=np.float32)
    labels = ctx.rng.integers(0, CLASSES, B).astype(np.int32)
    tm, opt = torch_peer(n, wl)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    wl_fn, t_fn = wl.train_step_fn(x, labels), torch_step_fn(tm, opt, tx, ty)
    t_wl1, t_t1 = train_check(ctx, name, B, n, wl, tm, wl_fn, t_fn)
    t = measure_line(ctx, stem, dict(kind="train", n=n, lib=lib, params=params), dict(x=x, labels=labels),
                     wl_fn, t_fn, t_wl1, t_t1)
    ctx.dense_ref[(B, n)] = (t.wl_ms, t.peer_ms)
    ctx.flops[name] = train_flops(B, n)
    add_line(ctx, name, t, f"vs torch eager AdamW; {t.notes()}; wlc {ct:.1f} s")
    wl.close()
