"""reference: an independent numpy model of what a compiled .wl library computes.

Float64 by default (dtype-generic: float32 inputs stay float32). Each test script
writes its model's forward explicitly with the ops below, e.g.

    def forward(p, x):
        h = relu(linear(p, "fc1", x))
        return linear(p, "head", h)

A tiny reverse-mode autodiff (Var) gives exact gradients; tests cross-check it
against central finite differences. Losses, optimizers (PyTorch semantics,
ALGORITHMS.md) and schedules (LANGUAGE.md) follow the contract's formulas.
"""
import math

import numpy as np

# ---------------------------------------------------------------------------
# Reverse-mode autodiff on numpy arrays.


class Var:
    def __init__(self, value, parents=(), vjp=None):
        self.value = value
        self.parents = parents  # tuple of Var
        self.vjp = vjp  # g -> tuple of parent cotangents (None = no contribution)
        self.grad = None

    def __add__(self, other):
        return add(self, other)

    __radd__ = __add__

    def __mul__(self, c):
        return scale(c, self)

    __rmul__ = __mul__

    @property
    def shape(self):
        return self.value.shape


def const(a):
    return a if isinstance(a, Var) else Var(np.asarray(a))


def backprop(out, seed):
    """Accumulate d<seed, out>/d(leaf) into every reachable Var's .grad."""
    order, seen = [], set()

    def visit(v):
        if id(v) in seen:
            return
        seen.add(id(v))
        for p in v.parents:
            visit(p)
        order.append(v)

    visit(out)
    for v in order:
        v.grad = None
    out.grad = np.asarray(seed, dtype=out.value.dtype)
    for v in reversed(order):
        if v.vjp is None or v.grad is None:
            continue
        for p, g in zip(v.parents, v.vjp(v.grad)):
            if g is None:
                continue
            p.grad = g if p.grad is None else p.grad + g


def add(a, b):
    a, b = const(a), const(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    return Var(a.value + b.value, (a, b), lambda g: (g, g))


def scale(c, a):
    c = float(c)
    return Var(c * a.value, (a,), lambda g: (c * g,))


def matmul_t(x, w):
    """x @ w.T for x [B, IN], w [OUT, IN]."""
    return Var(x.value @ w.value.T, (x, w), lambda g: (g @ w.value, g.T @ x.value))


def add_bias(h, b):
    return Var(h.value + b.value, (h, b), lambda g: (g, g.sum(axis=0)))


def linear(p, layer, x):
    """y = x W^T + b for layer `layer` of params dict p (bias optional)."""
    x = const(x)
    y = matmul_t(x, p[layer + ".weight"])
    if layer + ".bias" in p:
        y = add_bias(y, p[layer + ".bias"])
    return y


def _elementwise(f, df):
    def op(a):
        a = const(a)
        x = a.value
        return Var(f(x).astype(x.dtype, copy=False), (a,), lambda g: (g * df(x).astype(x.dtype, copy=False),))
    return op


_erf = np.vectorize(math.erf, otypes=[np.float64])
_SQRT2 = math.sqrt(2.0)
_GT_C = math.sqrt(2.0 / math.pi)


def _gelu(x):
    return 0.5 * x * (1.0 + _erf(x / _SQRT2))


def _dgelu(x):
    return 0.5 * (1.0 + _erf(x / _SQRT2)) + x * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(_GT_C * (x + 0.044715 * x ** 3)))


def _dgelu_tanh(x):
    t = np.tanh(_GT_C * (x + 0.044715 * x ** 3))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _GT_C * (1.0 + 3 * 0.044715 * x * x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for large |x|


relu = _elementwise(lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(x.dtype))
gelu = _elementwise(_gelu, _dgelu)
gelu_tanh = _elementwise(_gelu_tanh, _dgelu_tanh)
tanh = _elementwise(np.tanh, lambda x: 1.0 - np.tanh(x) ** 2)
sigmoid = _elementwise(_sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x)))
absolute = _elementwise(np.abs, np.sign)
identity = _elementwise(lambda x: x, np.ones_like)
ACTIVATIONS = {"relu": relu, "gelu": gelu, "gelu_tanh": gelu_tanh, "tanh": tanh,
               "sigmoid": sigmoid, "abs": absolute, "identity": identity}


def groupsort(a, k):
    """Sort ascending within consecutive groups of k features; VJP permutes back."""
    a = const(a)
    b, n = a.shape
    assert n % k == 0
    xg = a.value.reshape(b, n // k, k)
    idx = np.argsort(xg, axis=-1, kind="stable")
    y = np.take_along_axis(xg, idx, axis=-1).reshape(b, n)

    def vjp(g):
        dx = np.zeros_like(xg)
        np.put_along_axis(dx, idx, g.reshape(b, n // k, k), axis=-1)
        return (dx.reshape(b, n),)

    return Var(y, (a,), vjp)


def _row_norm(a, eps, centre):
    """y = (x - mean x) / sqrt(mean((x - mean x)^2) + eps) per row (no centring
    for rms_norm); the VJP r (g - mean g - y mean(g y)) without the mean g term
    for rms (ALGORITHMS.md)."""
    a = const(a)
    x = a.value
    c = x - x.mean(axis=1, keepdims=True) if centre else x
    r = 1.0 / np.sqrt((c * c).mean(axis=1, keepdims=True) + eps)
    y = c * r

    def vjp(g):
        t = g - y * (g * y).mean(axis=1, keepdims=True)
        if centre:
            t = t - g.mean(axis=1, keepdims=True)
        return (r * t,)

    return Var(y, (a,), vjp)


def rms_norm(a, eps=1e-6):
    return _row_norm(a, eps, centre=False)


def layer_norm(a, eps=1e-5):
    return _row_norm(a, eps, centre=True)


# ---------------------------------------------------------------------------
# Losses: value and d loss / d output (PyTorch's mean reductions).


def cross_entropy(z, labels):
    z = np.asarray(z, dtype=np.float64)
    labels = np.asarray(labels).astype(np.int64)
    b = z.shape[0]
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    lse = (m + np.log(s))[:, 0]
    loss = float(np.mean(lse - z[np.arange(b), labels]))
    dz = e / s
    dz[np.arange(b), labels] -= 1.0
    return loss, dz / b


def mse(z, target):
    z = np.asarray(z, dtype=np.float64)
    d = z - np.asarray(target, dtype=np.float64)
    return float(np.mean(d * d)), 2.0 * d / d.size


LOSSES = {"cross_entropy": cross_entropy, "mse": mse}

# ---------------------------------------------------------------------------
# Model spec: what a test script knows about its .wl model.


class Spec:
    """Param shapes (ABI order), forward(p, x) built from the ops above, the loss,
    the optimizer per group and the schedule, as written in the .wl file."""

    def __init__(self, name, input_size, output_size, params, forward, loss,
                 optimizer=None, schedule=None):
        self.name, self.input_size, self.output_size = name, input_size, output_size
        self.params = dict(params)  # name -> shape (all trainable here: dense only)
        self.forward_fn, self.loss = forward, loss
        self.optimizer = optimizer or {"default": adamw(lr=1e-3)}
        self.schedule = schedule or constant()
        self.label_kind = 0 if loss == "cross_entropy" else 1

    def forward(self, p, x):
        """Forward value only (float64 unless given float32 arrays)."""
        pv = {k: Var(np.asarray(v)) for k, v in p.items()}
        return self.forward_fn(pv, Var(np.asarray(x))).value

    def vjp(self, p, x, dy):
        """(y, {param: d<dy, y>/dparam}, dx), exact, in the dtype of the inputs."""
        pv = {k: Var(np.asarray(v)) for k, v in p.items()}
        xv = Var(np.asarray(x))
        y = self.forward_fn(pv, xv)
        backprop(y, dy)
        grads = {k: (v.grad if v.grad is not None else np.zeros_like(v.value)) for k, v in pv.items()}
        dx = xv.grad if xv.grad is not None else np.zeros_like(xv.value)
        return y.value, grads, dx

    def loss_value(self, p, x, labels):
        return LOSSES[self.loss](self.forward(p, x), labels)[0]

    def loss_and_grads(self, p, x, labels):
        y = self.forward(p, x)
        loss, dy = LOSSES[self.loss](y, labels)
        _, grads, _ = self.vjp(p, x, dy.astype(y.dtype))
        return loss, grads

    def random_params(self, rng, scale=1.0):
        """Random weights (std scale/sqrt(IN)) and non-zero biases."""
        out = {}
        for n, s in self.params.items():
            if len(s) == 2:
                out[n] = rng.normal(0.0, scale / math.sqrt(s[1]), s)
            else:
                out[n] = rng.normal(0.0, 0.5, s)
        return out

    def optimizer_for(self, pname):
        """Group lookup (LANGUAGE.md): exact tensor name, then `L.weight`, then default."""
        for key in (pname, pname.rsplit(".", 1)[0] if pname.count(".") >= 2 else None):
            if key is not None and key in self.optimizer:
                return self.optimizer[key]
        return self.optimizer["default"]


# ---------------------------------------------------------------------------
# Optimizers (ALGORITHMS.md; PyTorch semantics) and schedules (LANGUAGE.md).


def sgd(lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    return {"kind": "sgd", "lr": lr, "momentum": momentum, "nesterov": nesterov,
            "weight_decay": weight_decay}


def adamw(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    return {"kind": "adamw", "lr": lr, "betas": tuple(betas), "eps": eps,
            "weight_decay": weight_decay}


def muon(lr=0.02, momentum=0.95, nesterov=True, ns_steps=5, weight_decay=0.0):
    return {"kind": "muon", "lr": lr, "momentum": momentum, "nesterov": nesterov,
            "ns_steps": ns_steps, "weight_decay": weight_decay}


def lion(lr, betas=(0.9, 0.99), weight_decay=0.0):
    return {"kind": "lion", "lr": lr, "betas": tuple(betas), "weight_decay": weight_decay}


def adamp(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, delta=0.1, wd_ratio=0.1):
    return {"kind": "adamp", "lr": lr, "betas": tuple(betas), "eps": eps,
            "weight_decay": weight_decay, "delta": delta, "wd_ratio": wd_ratio}


def constant():
    return {"kind": "constant"}


def warmup_linear(warmup, total):
    return {"kind": "warmup_linear", "warmup": warmup, "total": total}


def warmup_cosine(warmup, total):
    return {"kind": "warmup_cosine", "warmup": warmup, "total": total}


def schedule_factor(s, t):
    """lr multiplier at step t (t = 1 for the first step)."""
    if s["kind"] == "constant":
        return 1.0
    w, total = s["warmup"], s["total"]
    if t <= w:
        return t / w
    if s["kind"] == "warmup_linear":
        return max(0.0, (total - t) / (total - w))
    return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (t - w) / (total - w))))


# Newton-Schulz quintic for Muon (Keller Jordan's coefficients).
NS5_COEFFS = (3.4445, -4.7750, 2.0315)
NS_EPS = 1e-7


def newton_schulz(g, steps=5, coeffs=None, eps=NS_EPS):
    """Muon's orthogonalisation of each matrix g[..., m, n]: X = G / (|G|_F + eps),
    worked on as X^T when m > n; `steps` times A = X X^T, B = bA + cA^2, X = aX + BX.
    Computes in the dtype of g (float64 for the reference, float32 for the mock)."""
    g = np.asarray(g)
    if g.ndim > 2:
        return np.stack([newton_schulz(gi, steps, coeffs, eps) for gi in g])
    a, b, c = coeffs or NS5_COEFFS
    x = g / (np.sqrt(np.sum(g * g)) + eps)
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T
    for _ in range(steps):
        s = x @ x.T
        x = a * x + (b * s + c * (s @ s)) @ x
    return x.T if tall else x


def muon_scale(shape):
    """sqrt(max(1, OUT/IN)) for a matrix [OUT, IN] (or each of a stack [k, OUT, IN])."""
    return math.sqrt(max(1.0, shape[-2] / shape[-1]))


def adamp_projection(w, g, p, delta, wd_ratio, eps):
    """AdamP's projection (clovaai/AdamP, Heo et al. 2021) of the Adam direction p of a
    matrix w with grad g. Views: per row (channel, [OUT, IN]) then the whole tensor
    ([1, OUT*IN]); the first view whose max |cos(g_i, w_i)| < delta/sqrt(row length)
    removes the radial part of p in that view. Returns (p, wd factor, info) with
    info = {"branch": "channel"|"whole"|"none", "ratio_channel", "ratio_whole"}:
    max cos / threshold per view (margins the tests check)."""
    info = {"branch": "none"}
    out = None
    for name, rows in (("channel", w.shape[0]), ("whole", 1)):
        wv, gv, pv = w.reshape(rows, -1), g.reshape(rows, -1), p.reshape(rows, -1)
        wn = np.sqrt(np.sum(wv * wv, axis=1))
        gn = np.sqrt(np.sum(gv * gv, axis=1))
        cos = np.abs(np.sum(gv * wv, axis=1)) / (np.maximum(gn, eps) * np.maximum(wn, eps))
        thr = delta / math.sqrt(wv.shape[1])
        info["ratio_" + name] = float(cos.max() / thr)
        if out is None and cos.max() < thr:
            u = wv / (wn + eps)[:, None]
            out = (pv - u * np.sum(u * pv, axis=1)[:, None]).reshape(p.shape)
            info["branch"] = name
    if out is None:
        return p, 1.0, info
    return out, wd_ratio, info


def opt_update(cfg, w, g, state, t, lr, info=None):
    """One update of tensor w with grad g at step t and scheduled lr; returns new w.
    `state` is a dict mutated in place, keyed by the checkpoint's state names
    (optim.<param>.<state>): momentum_buffer (sgd with momentum, muon), exp_avg
    (adamw, lion, adamp), exp_avg_sq (adamw, adamp). `info`, when given, receives
    diagnostics (adamp: the projection branch and its margins)."""
    if cfg["kind"] == "sgd":
        mu, wd = cfg["momentum"], cfg["weight_decay"]
        g = g + wd * w
        if mu != 0.0:
            b = state.get("momentum_buffer")
            b = g.copy() if b is None else mu * b + g  # b0 = 0: the first step gives b = g
            state["momentum_buffer"] = b
            d = g + mu * b if cfg["nesterov"] else b
        else:
            d = g
        return w - lr * d
    if cfg["kind"] == "adamw":
        b1, b2 = cfg["betas"]
        w = w * (1.0 - lr * cfg["weight_decay"])
        m = b1 * state.get("exp_avg", 0.0) + (1.0 - b1) * g
        v = b2 * state.get("exp_avg_sq", 0.0) + (1.0 - b2) * g * g
        state["exp_avg"], state["exp_avg_sq"] = m, v
        mhat = m / (1.0 - b1 ** t)
        vhat = v / (1.0 - b2 ** t)
        return w - lr * mhat / (np.sqrt(vhat) + cfg["eps"])
    if cfg["kind"] == "muon":
        assert w.ndim >= 2, "muon trains matrices only"
        beta = cfg["momentum"]
        m = beta * state.get("momentum_buffer", 0.0) + (1.0 - beta) * g
        state["momentum_buffer"] = m
        u = (1.0 - beta) * g + beta * m if cfg["nesterov"] else m
        o = newton_schulz(u, cfg["ns_steps"]) * muon_scale(w.shape)
        return w * (1.0 - lr * cfg["weight_decay"]) - lr * o
    if cfg["kind"] == "lion":
        b1, b2 = cfg["betas"]
        m = state.get("exp_avg", np.zeros_like(w))
        c = b1 * m + (1.0 - b1) * g
        state["exp_avg"] = b2 * m + (1.0 - b2) * g
        if info is not None:  # how close a sign came to flipping (exact zeros excluded)
            nz = np.abs(c[c != 0])
            info["lion_min_rel_c"] = float(nz.min() / nz.max()) if nz.size else 1.0
        return w * (1.0 - lr * cfg["weight_decay"]) - lr * np.sign(c)
    if cfg["kind"] == "adamp":
        b1, b2 = cfg["betas"]
        m = b1 * state.get("exp_avg", 0.0) + (1.0 - b1) * g
        v = b2 * state.get("exp_avg_sq", 0.0) + (1.0 - b2) * g * g
        state["exp_avg"], state["exp_avg_sq"] = m, v
        bc1, bc2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        p = m / (np.sqrt(v) / math.sqrt(bc2) + cfg["eps"])
        ratio = 1.0
        if w.ndim > 1:
            p, ratio, pinfo = adamp_projection(w, g, p, cfg["delta"], cfg["wd_ratio"], cfg["eps"])
            if info is not None:
                info.update(pinfo)
        return w * (1.0 - lr * cfg["weight_decay"] * ratio) - (lr / bc1) * p
    raise ValueError(cfg["kind"])


class Trainer:
    """Float64 replica of wl_train_step for a Spec: zero_grad + loss + backward + step."""

    def __init__(self, spec, params, dtype=np.float64):
        self.spec, self.dtype = spec, dtype
        self.p = {k: np.array(v, dtype=dtype) for k, v in params.items()}
        self.state = {k: {} for k in self.p}
        self.info = {k: {} for k in self.p}  # per tensor: diagnostics of the last step
        self.t = 0
        self.update = opt_update  # replaceable (mock_wl injects bugs here)

    def train_step(self, x, labels):
        loss, grads = self.spec.loss_and_grads(self.p, np.asarray(x, self.dtype), labels)
        self.step(grads)
        return loss

    def step(self, grads):
        self.t += 1
        f = schedule_factor(self.spec.schedule, self.t)
        for k in self.p:
            cfg = self.spec.optimizer_for(k)
            self.info[k] = {}
            self.p[k] = self.update(cfg, self.p[k], np.asarray(grads[k], self.dtype),
                                    self.state[k], self.t, cfg["lr"] * f, self.info[k]).astype(self.dtype)


# ---------------------------------------------------------------------------
# Finite differences.


def fd_grad(f, p, names=None, eps=1e-6, coords=None, rng=None):
    """Central differences of scalar f(p) w.r.t. params (float64). `coords` limits the
    number of coordinates per tensor (random subset); returns {name: (flat_idx, grads)}."""
    out = {}
    for n in (names or list(p)):
        a = p[n]
        size = a.size
        idx = np.arange(size) if coords is None or coords >= size else \
            np.sort(rng.choice(size, coords, replace=False))
        g = np.empty(len(idx))
        flat = a.reshape(-1)
        for j, i in enumerate(idx):
            old = flat[i]
            flat[i] = old + eps
            fp = f(p)
            flat[i] = old - eps
            fm = f(p)
            flat[i] = old
            g[j] = (fp - fm) / (2 * eps)
        out[n] = (idx, g)
    return out


def rel_err(a, b):
    """max |a - b| / max(|b|, tiny): the error relative to the reference's scale."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(np.max(np.abs(b)) if b.size else 0.0, 1e-30)
    return float(np.max(np.abs(a - b)) / scale) if a.size else 0.0
