"""Shared helpers of structures.py, structures_train.py and constraints_structures.py
(CPU/structures*.wl, CPU/constraints_structures.wl): float64
references of the structured weights (LANGUAGE.md "Structures" / "Parameter names",
ALGORITHMS.md "Orthogonality"), computed independently of the compiler's algorithms.

A model is described by LAYERS, a list of Layer(name, kind, OUT, IN, ...) in ABI order,
and FORWARD, the layer names in application order (tanh after every layer but the last;
a name may repeat: weight sharing). Kinds and their tensors:

  cayley, exp   L.weight.S [n, n], n = max(OUT, IN); X = S - S^T;
                cayley Q = (I - X/2)^-1 (I + X/2) (np.linalg.solve),
                exp    Q = exp(X) through the eigendecomposition of the Hermitian iX
                       (not a Taylor / Pade series: independent of the compiler's);
  householder   L.weight.v [k, n]; Q = H_1 ... H_k, H_i = I - 2 v_i v_i^T / |v_i|^2, an
                explicit product of n x n matrices;
  polar, dense  L.weight [OUT, IN] is W;
  svd           L.weight.U [OUT, r], L.weight.s [r], L.weight.V [IN, r]; W = U diag(s) V^T;
  diagonal      L.weight.d [n]; W = diag(d);
and for the orthogonal kinds W = Q[:OUT, :IN].
"""
import ctypes
import sys

import numpy as np

ORTHOGONAL = ("cayley", "exp", "householder", "polar")


class Layer:
    def __init__(self, name, kind, out, inp, bias=True, rank=None, reflectors=None, c=None):
        self.name, self.kind, self.out, self.inp = name, kind, out, inp
        self.bias, self.rank, self.c = bias, rank, c
        self.n = max(out, inp)
        self.reflectors = reflectors if reflectors is not None else self.n

    def tensors(self):
        """[(param name, shape)] of LANGUAGE.md's parameter-name table, ABI order."""
        L, o, i, n = self.name, self.out, self.inp, self.n
        t = {"cayley": [("weight.S", (n, n))], "exp": [("weight.S", (n, n))],
             "householder": [("weight.v", (self.reflectors, n))],
             "polar": [("weight", (o, i))], "dense": [("weight", (o, i))],
             "svd": [("weight.U", (o, self.rank)), ("weight.s", (self.rank,)),
                     ("weight.V", (i, self.rank))],
             "diagonal": [("weight.d", (o,))]}[self.kind]
        if self.bias:
            t = t + [("bias", (o,))]
        return [(L + "." + s, shape) for s, shape in t]

    def short(self):
        return min(self.out, self.inp)


def param_table(layers):
    return [t for l in layers for t in l.tensors()]


# ---------------------------------------------------------------------------
# float64 numpy references


def skew(S):
    return S - S.T


def expm_skew(X):
    """exp(X) for a real skew X: iX is Hermitian, iX = V diag(w) V^H, so
    exp(X) = V diag(exp(-i w)) V^H (real up to rounding)."""
    w, V = np.linalg.eigh(1j * X)
    E = (V * np.exp(-1j * w)) @ V.conj().T
    assert np.abs(E.imag).max() < 1e-10, np.abs(E.imag).max()
    return E.real


def cayley(X):
    I = np.eye(X.shape[0])
    return np.linalg.solve(I - X / 2, I + X / 2)


def householder_product(v):
    n = v.shape[1]
    Q = np.eye(n)
    for vi in v:
        Q = Q @ (np.eye(n) - 2.0 * np.outer(vi, vi) / vi.dot(vi))
    return Q


def weight_np(layer, p):
    """The effective W [OUT, IN] in float64 from the stored factors p[name]."""
    L, o, i = layer.name, layer.out, layer.inp
    g = lambda s: np.asarray(p[L + "." + s], np.float64)
    k = layer.kind
    if k == "cayley":
        return cayley(skew(g("weight.S")))[:o, :i]
    if k == "exp":
        return expm_skew(skew(g("weight.S")))[:o, :i]
    if k == "householder":
        return householder_product(g("weight.v"))[:o, :i]
    if k in ("polar", "dense"):
        return g("weight")
    if k == "svd":
        return g("weight.U") @ np.diag(g("weight.s")) @ g("weight.V").T
    if k == "diagonal":
        return np.diag(g("weight.d"))
    raise ValueError(k)


def forward_np(layers, forward, p, x):
    """float64 chain: tanh(W h + b) for every application but the last."""
    by = {l.name: l for l in layers}
    W = {l.name: weight_np(l, p) for l in layers}
    h = np.asarray(x, np.float64)
    for j, name in enumerate(forward):
        l = by[name]
        h = h @ W[name].T
        if l.bias:
            h = h + np.asarray(p[name + ".bias"], np.float64)
        if j + 1 < len(forward):
            h = np.tanh(h)
    return h


def ce_loss_grad(z, labels):
    """cross_entropy = mean_b(logsumexp(z_b) - z_b[y_b]) and dloss/dz, float64."""
    z = np.asarray(z, np.float64)
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    lse = (m + np.log(s))[:, 0]
    b = z.shape[0]
    loss = float(np.mean(lse - z[np.arange(b), labels]))
    dz = e / s
    dz[np.arange(b), labels] -= 1.0
    return loss, dz / b


def orth_defect(W):
    """|Q^T Q - I|_max on the short side (W^T W for tall or square, W W^T for wide)."""
    W = np.asarray(W, np.float64)
    G = W.T @ W if W.shape[0] >= W.shape[1] else W @ W.T
    return float(np.abs(G - np.eye(G.shape[0])).max())


def sigma_max(W):
    return float(np.linalg.svd(np.asarray(W, np.float64), compute_uv=False)[0])


# ---------------------------------------------------------------------------
# float64 torch references (autograd)


def weight_torch(layer, t):
    """The same W as weight_np, from torch float64 tensors t[name] (autograd)."""
    import torch
    L, o, i = layer.name, layer.out, layer.inp
    g = lambda s: t[L + "." + s]
    k = layer.kind
    if k in ("cayley", "exp"):
        S = g("weight.S")
        X = S - S.T
        I = torch.eye(X.shape[0], dtype=torch.float64)
        Q = torch.linalg.solve(I - X / 2, I + X / 2) if k == "cayley" else torch.matrix_exp(X)
        return Q[:o, :i]
    if k == "householder":
        v = g("weight.v")
        n = v.shape[1]
        Q = torch.eye(n, dtype=torch.float64)
        for r in range(v.shape[0]):
            vi = v[r]
            Q = Q @ (torch.eye(n, dtype=torch.float64) - 2.0 * torch.outer(vi, vi) / torch.dot(vi, vi))
        return Q[:o, :i]
    if k in ("polar", "dense"):
        return g("weight")
    if k == "svd":
        return g("weight.U") @ torch.diag(g("weight.s")) @ g("weight.V").T
    if k == "diagonal":
        return torch.diag(g("weight.d"))
    raise ValueError(k)


def loss_torch(layers, forward, t, x, labels, weights=None, weight_fn=None):
    """cross_entropy of the tanh chain in torch float64 (x: numpy or a torch tensor).
    `weights` (application index -> W) overrides a layer's W for one application
    (weight-sharing checks); `weight_fn(layer, tensors)` builds W (default weight_torch)."""
    import torch
    by = {l.name: l for l in layers}
    W = {l.name: (weight_fn or weight_torch)(l, t) for l in layers}
    h = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x, np.float64))
    for j, name in enumerate(forward):
        w = weights[j] if weights is not None and j in weights else W[name]
        h = h @ w.T
        if by[name].bias:
            h = h + t[name + ".bias"]
        if j + 1 < len(forward):
            h = torch.tanh(h)
    return torch.nn.functional.cross_entropy(h, torch.as_tensor(np.asarray(labels, np.int64)))


def grads_torch(layers, forward, p, x, labels):
    import torch
    t = {k: torch.tensor(np.asarray(v, np.float64), requires_grad=True) for k, v in p.items()}
    loss = loss_torch(layers, forward, t, x, labels)
    loss.backward()
    return float(loss), {k: v.grad.numpy().copy() for k, v in t.items()}


# ---------------------------------------------------------------------------
# the library's layer metadata (wl.h additions)


def layer_info(lib):
    d = lib.dll
    d.wl_num_layers.restype, d.wl_num_layers.argtypes = ctypes.c_int32, []
    d.wl_layer_name.restype, d.wl_layer_name.argtypes = ctypes.c_char_p, [ctypes.c_int32]
    d.wl_layer_in_size.restype, d.wl_layer_in_size.argtypes = ctypes.c_int64, [ctypes.c_int32]
    d.wl_layer_out_size.restype, d.wl_layer_out_size.argtypes = ctypes.c_int64, [ctypes.c_int32]
    return [(d.wl_layer_name(i).decode(), d.wl_layer_out_size(i), d.wl_layer_in_size(i))
            for i in range(d.wl_num_layers())]


class Failure(Exception):
    pass


def ok(name, err, tol, detail=""):
    """Pass when err <= tol (NaN fails)."""
    if not (err <= tol):
        raise Failure("%s: err=%.3g > tol=%.3g %s" % (name, err, tol, detail))
    print("OK %s err=%.3g tol=%.3g %s" % (name, err, tol, detail))
    sys.stdout.flush()


def expect(cond, name, detail=""):
    if not cond:
        raise Failure("%s: %s" % (name, detail))
    print("OK %s %s" % (name, detail))
    sys.stdout.flush()


def fd_checks(m, x, lab, p, g, gt, rng, eps, tol):
    """Central differences of wl_loss along sign(g) and 3 random directions, per trainable
    tensor: |fd - <g, d>| <= tol·|g_ref|·|d| + float32 noise of the two losses (g: the
    library's gradient, gt: the float64 reference). Returns the worst |fd - <g,d>| / scale."""
    worst = 0.0
    for name in sorted(g):
        base = p[name].astype(np.float64)
        dirs = [np.sign(g[name]) + 0.0] + [rng.normal(size=base.shape) for _ in range(3)]
        errs = []
        for u in dirs:
            pp = (base + eps * u).astype(np.float32)
            pm = (base - eps * u).astype(np.float32)
            m.set_param(name, pp)
            lp = m.loss(x, lab)
            m.set_param(name, pm)
            lm = m.loss(x, lab)
            step = pp.astype(np.float64) - pm.astype(np.float64)
            fd = lp - lm
            pred = float(np.sum(g[name] * step))
            noise = 4 * 2.0 ** -24 * (abs(lp) + abs(lm))
            err = abs(fd - pred)
            scale = np.linalg.norm(gt[name]) * np.linalg.norm(step)  # >= |<g, step>|
            errs.append((err, tol * scale + noise, fd, pred))
            worst = max(worst, err / scale)
        m.set_param(name, p[name])
        e = max(errs, key=lambda t: t[0] / t[1])
        ok("fd_" + name, e[0] / e[1], 1.0,
           "(worst |fd - <g,d>| = %.3g, allowed %.3g; fd %.4g vs %.4g)" % e)
    return worst


def main(models, run):
    """Runs `run(lib, *models[model name])` on the library named by argv[1]; a Failure
    prints FAIL and exits 1 (the drivers of structures.py and adapters.py)."""
    import wlharness
    lib = wlharness.Library(sys.argv[1])
    np.set_printoptions(precision=6, linewidth=120)
    try:
        if lib.model_name not in models:
            raise Failure("unknown model %r" % lib.model_name)
        run(lib, *models[lib.model_name])
    except Failure as e:
        print("FAIL", e)
        sys.exit(1)


class Worst:
    """Largest value of each check over the run, the step where it happened, pass/fail
    (a failing value wins over a passing one)."""

    def __init__(self):
        self.rows = {}  # name -> [value, tol, step, detail, failed, key]

    def add(self, name, value, tol, step, detail="", higher_is_bad=True):
        bad = not (value <= tol) if higher_is_bad else not (value >= tol)
        key = value if higher_is_bad else -value
        r = self.rows.get(name)
        if r is None or (bad and not r[4]) or (bad == r[4] and key > r[5]):
            self.rows[name] = [value, tol, step, detail, bad or (r is not None and r[4]), key]

    def report(self):
        failed = False
        for name, (value, tol, step, detail, bad, _) in self.rows.items():
            print("%s %s worst=%.7g tol=%.7g at step %d %s"
                  % ("FAIL" if bad else "OK", name, value, tol, step, detail))
            failed = failed or bad
        return failed
