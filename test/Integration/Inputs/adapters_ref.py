"""float64 references of the factorised structures and of frozen bases with adapters
(LANGUAGE.md "Structures" / "Parameter names", ALGORITHMS.md "Structures"), written from
those formulas independently of the compiler. Shared by adapters.py and
adapters_resplit.py (CPU/adapters*.wl).

A layer is ALayer(name, OUT, IN, terms, bias): its weight is the sum of its terms. Terms
(tuples) and their tensors (L.weight.<role>, ABI order = term order, then L.bias):

  ("dense",)                     L.weight [OUT, IN]                     W
  ("lowrank", r)                 U [OUT, r], V [IN, r]                  U V^T
  ("kronecker", (m1, n1), (m2, n2), k)
                                 A [k, m1, n1], B [k, m2, n2]           sum_i A_i (x) B_i
  ("monarch", b)                 R [b, c, c], L [c, b, b], n = b c      P^T blockdiag(L) P blockdiag(R)
  ("blockdiag", b)               blocks [b, OUT/b, IN/b]                diag(W_1 .. W_b)
  ("diagonal",)                  d [n]                                  diag(d)
  ("cayley",), ("exp",)          S [n, n], n = max(OUT, IN)             Q(S - S^T)[:OUT, :IN]
  ("polar",)                     L.weight [OUT, IN]                     W
  ("householder", k)             v [k, n], n = max(OUT, IN)             (H_1 .. H_k)[:OUT, :IN]
  ("svd", r)                     U [OUT, r], s [r], V [IN, r]           U diag(s) V^T
  ("frozen", init)               base [OUT, IN] (not trainable)         W0
  ("lora", r, alpha)             lora_A [r, IN], lora_B [OUT, r]        (alpha / r) B A
  ("pissa", r)                   lora_A, lora_B as lora                 B A (scale 1)
  ("bone", r, "shared")          bone_B [r, OUT]                        dW[:, jr:(j+1)r] = B^T
  ("bone", r, "bat")             bone_B [OUT/r, r, r]                   dW(i,j) = W0(i,j) B_i + B_i
  ("svfit", r)                   s [r]; U [OUT, r], V [IN, r] frozen    U diag(s) V^T
  ("kpsvd", (m1, n1), (m2, n2), k)  A, B as kronecker                   sum_i A_i (x) B_i
where W0 is the layer's frozen base (bone bat's blocks are those of the frozen base).

The numpy references build W from explicit loops / explicit matrices (np.kron, an
explicit permutation matrix and block-diagonal matrices for Monarch, block loops for Bone);
the torch references (autograd) use other formulations (einsum over reshaped factors, the
index formula W[(b',c'),(g,c)] = L[c',b',g] R[g,c',c] for Monarch, repeat / reshape for
Bone); selftest_weights() checks that both agree.
"""

import numpy as np

import safetensors_raw
import structures_ref as SR


class ALayer:
    def __init__(self, name, out, inp, terms, bias=True):
        self.name, self.out, self.inp, self.terms, self.bias = name, out, inp, terms, bias
        self.n = max(out, inp)

    def term_tensors(self, t):
        """[(role, shape, trainable)] of one term."""
        o, i = self.out, self.inp
        k = t[0]
        if k in ("dense", "polar"):
            return [("weight", (o, i), True)]
        if k in ("cayley", "exp"):
            return [("weight.S", (self.n, self.n), True)]
        if k == "lowrank":
            return [("weight.U", (o, t[1]), True), ("weight.V", (i, t[1]), True)]
        if k in ("kronecker", "kpsvd"):
            (m1, n1), (m2, n2), q = t[1], t[2], t[3]
            return [("weight.A", (q, m1, n1), True), ("weight.B", (q, m2, n2), True)]
        if k == "monarch":
            b = t[1]
            c = o // b
            return [("weight.R", (b, c, c), True), ("weight.L", (c, b, b), True)]
        if k == "blockdiag":
            b = t[1]
            return [("weight.blocks", (b, o // b, i // b), True)]
        if k == "diagonal":
            return [("weight.d", (o,), True)]
        if k == "householder":
            return [("weight.v", (t[1], self.n), True)]
        if k == "svd":
            r = t[1]
            return [("weight.U", (o, r), True), ("weight.s", (r,), True), ("weight.V", (i, r), True)]
        if k == "frozen":
            return [("weight.base", (o, i), False)]
        if k in ("lora", "pissa"):
            r = t[1]
            return [("weight.lora_A", (r, i), True), ("weight.lora_B", (o, r), True)]
        if k == "bone":
            r, mode = t[1], t[2]
            if mode == "shared":
                return [("weight.bone_B", (r, o), True)]
            return [("weight.bone_B", (o // r, r, r), True)]
        if k == "svfit":
            r = t[1]
            return [("weight.s", (r,), True), ("weight.U", (o, r), False), ("weight.V", (i, r), False)]
        raise ValueError(k)

    def tensors(self):
        """[(name, shape, trainable)] in ABI order (LANGUAGE.md's parameter-name table)."""
        out = [(self.name + "." + role, shape, tr) for t in self.terms
               for role, shape, tr in self.term_tensors(t)]
        if self.bias:
            out.append((self.name + ".bias", (self.out,), True))
        return out

    def frozen_names(self):
        return [n for n, _, tr in self.tensors() if not tr]


def param_table(layers):
    return [t for l in layers for t in l.tensors()]


# ---------------------------------------------------------------------------
# numpy float64


def _g(p, name):
    return np.asarray(p[name], np.float64)


def monarch_np(R, L):
    """P^T blockdiag(L_0..L_{c-1}) P blockdiag(R_0..R_{b-1}) (ALGORITHMS.md: x -> R x ->
    view [b, c] -> transpose [c, b] -> L -> transpose back -> flatten)."""
    b, c = R.shape[0], R.shape[1]
    n = b * c
    Rbd = np.zeros((n, n))
    for g in range(b):
        Rbd[g * c:(g + 1) * c, g * c:(g + 1) * c] = R[g]
    Lbd = np.zeros((n, n))
    for q in range(c):
        Lbd[q * b:(q + 1) * b, q * b:(q + 1) * b] = L[q]
    P = np.zeros((n, n))  # (P v)[c' b + b'] = v[b' c + c']: view [b, c], transpose, flatten
    for bp in range(b):
        for cp in range(c):
            P[cp * b + bp, bp * c + cp] = 1.0
    return P.T @ Lbd @ P @ Rbd


def term_np(layer, t, p, base):
    L, o, i = layer.name, layer.out, layer.inp
    g = lambda role: _g(p, L + "." + role)
    k = t[0]
    if k in ("dense", "polar"):
        return g("weight")
    if k == "cayley":
        return SR.cayley(SR.skew(g("weight.S")))[:o, :i]
    if k == "exp":
        return SR.expm_skew(SR.skew(g("weight.S")))[:o, :i]
    if k in ("lowrank",):
        return g("weight.U") @ g("weight.V").T
    if k in ("kronecker", "kpsvd"):
        A, B = g("weight.A"), g("weight.B")
        return sum(np.kron(A[q], B[q]) for q in range(A.shape[0]))
    if k == "monarch":
        return monarch_np(g("weight.R"), g("weight.L"))
    if k == "blockdiag":
        blk = g("weight.blocks")
        b, ro, ci = blk.shape
        W = np.zeros((o, i))
        for q in range(b):
            W[q * ro:(q + 1) * ro, q * ci:(q + 1) * ci] = blk[q]
        return W
    if k == "diagonal":
        return np.diag(g("weight.d"))
    if k == "householder":
        return SR.householder_product(g("weight.v"))[:o, :i]
    if k in ("svd", "svfit"):
        return g("weight.U") @ np.diag(g("weight.s")) @ g("weight.V").T
    if k == "frozen":
        return g("weight.base")
    if k == "lora":
        r, alpha = t[1], t[2]
        return (alpha / r) * g("weight.lora_B") @ g("weight.lora_A")
    if k == "pissa":
        return g("weight.lora_B") @ g("weight.lora_A")
    if k == "bone":
        r, mode = t[1], t[2]
        B = g("weight.bone_B")
        dW = np.zeros((o, i))
        if mode == "shared":
            for j in range(i // r):
                dW[:, j * r:(j + 1) * r] = B.T
            return dW
        for bi in range(o // r):
            for bj in range(i // r):
                blk = base[bi * r:(bi + 1) * r, bj * r:(bj + 1) * r]
                dW[bi * r:(bi + 1) * r, bj * r:(bj + 1) * r] = blk @ B[bi] + B[bi]
        return dW
    raise ValueError(k)


def weight_np(layer, p):
    """The effective W [OUT, IN] in float64 from the stored tensors p[name]."""
    base = _g(p, layer.name + ".weight.base") if any(t[0] == "frozen" for t in layer.terms) else None
    return sum(term_np(layer, t, p, base) for t in layer.terms)


def forward_np(layers, forward, p, x, act=np.tanh):
    """float64 chain: act(W h + b) for every application but the last."""
    by = {l.name: l for l in layers}
    W = {l.name: weight_np(l, p) for l in layers}
    h = np.asarray(x, np.float64)
    for j, name in enumerate(forward):
        h = h @ W[name].T
        if by[name].bias:
            h = h + _g(p, name + ".bias")
        if j + 1 < len(forward):
            h = act(h)
    return h


# ---------------------------------------------------------------------------
# torch float64 (autograd)


def term_torch(layer, t, tt, base):
    import torch
    L, o, i = layer.name, layer.out, layer.inp
    g = lambda role: tt[L + "." + role]
    k = t[0]
    if k in ("dense", "polar"):
        return g("weight")
    if k in ("cayley", "exp"):
        X = g("weight.S") - g("weight.S").T
        I = torch.eye(X.shape[0], dtype=torch.float64)
        Q = torch.linalg.solve(I - X / 2, I + X / 2) if k == "cayley" else torch.matrix_exp(X)
        return Q[:o, :i]
    if k == "lowrank":
        return torch.einsum("or,ir->oi", g("weight.U"), g("weight.V"))
    if k in ("kronecker", "kpsvd"):
        A, B = g("weight.A"), g("weight.B")
        q, m1, n1 = A.shape
        _, m2, n2 = B.shape
        # W[a m2 + c, b n2 + d] = sum_q A[q, a, b] B[q, c, d]
        return torch.einsum("qab,qcd->acbd", A, B).reshape(m1 * m2, n1 * n2)
    if k == "monarch":
        R, Lf = g("weight.R"), g("weight.L")
        b, c = R.shape[0], R.shape[1]
        # W[(b', c'), (g, cc)] = L[c', b', g] R[g, c', cc]
        return torch.einsum("pbg,gpc->bpgc", Lf, R).reshape(b * c, b * c)
    if k == "blockdiag":
        return torch.block_diag(*g("weight.blocks").unbind(0))
    if k == "diagonal":
        return torch.diag(g("weight.d"))
    if k == "householder":
        v = g("weight.v")
        n = v.shape[1]
        Q = torch.eye(n, dtype=torch.float64)
        for r in range(v.shape[0]):
            vi = v[r]
            Q = Q - 2.0 * torch.outer(Q @ vi, vi) / torch.dot(vi, vi)
        return Q[:o, :i]
    if k in ("svd", "svfit"):
        return (g("weight.U") * g("weight.s")) @ g("weight.V").T
    if k == "frozen":
        return g("weight.base")
    if k == "lora":
        r, alpha = t[1], t[2]
        return (alpha / r) * (g("weight.lora_B") @ g("weight.lora_A"))
    if k == "pissa":
        return g("weight.lora_B") @ g("weight.lora_A")
    if k == "bone":
        r, mode = t[1], t[2]
        B = g("weight.bone_B")
        if mode == "shared":
            return B.T.repeat(1, i // r)
        W4 = base.reshape(o // r, r, i // r, r)            # [bi, row, bj, col]
        d4 = torch.einsum("iajc,icd->iajd", W4, B) + B[:, :, None, :]
        return d4.reshape(o, i)
    raise ValueError(k)


def weight_torch(layer, tt):
    base = tt[layer.name + ".weight.base"] if any(t[0] == "frozen" for t in layer.terms) else None
    W = None
    for t in layer.terms:
        w = term_torch(layer, t, tt, base)
        W = w if W is None else W + w
    return W


def loss_torch(layers, forward, tt, x, labels, weights=None):
    """structures_ref's tanh-chain loss with this file's weights (terms summed)."""
    return SR.loss_torch(layers, forward, tt, x, labels, weights, weight_fn=weight_torch)


def grads_torch(layers, forward, p, x, labels):
    """(loss, {trainable tensor: grad}, dloss/dx) in float64."""
    import torch
    trainable = {n for n, _, tr in param_table(layers) if tr}
    tt = {k: torch.tensor(np.asarray(v, np.float64), requires_grad=k in trainable)
          for k, v in p.items()}
    xt = torch.tensor(np.asarray(x, np.float64), requires_grad=True)
    loss = loss_torch(layers, forward, tt, xt, labels)
    loss.backward()
    return (float(loss), {k: v.grad.numpy().copy() for k, v in tt.items() if k in trainable},
            xt.grad.numpy().copy())


def selftest_weights(layers, p, tol=1e-12):
    """numpy and torch formulations of every layer's weight agree (float64)."""
    import torch
    worst = 0.0
    tt = {k: torch.tensor(np.asarray(v, np.float64)) for k, v in p.items()}
    for l in layers:
        a = weight_np(l, p)
        b = weight_torch(l, tt).numpy()
        worst = max(worst, float(np.abs(a - b).max() / max(np.abs(a).max(), 1e-300)))
    if not worst <= tol:
        raise Failure("reference self-test: numpy vs torch weights differ by %.3g" % worst)
    return worst


# ---------------------------------------------------------------------------
# the runtime's initialisers (runtime/README.md "Random numbers"): counter-based
# SplitMix64, draw c of parameter p (its index in ABI order) = mix64(key(seed, p) + g (c + 1))

_M64 = (1 << 64) - 1
_GAMMA = 0x9e3779b97f4a7c15


def _mix64(z):
    z &= _M64
    z ^= z >> 30
    z = (z * 0xbf58476d1ce4e5b9) & _M64
    z ^= z >> 27
    z = (z * 0x94d049bb133111eb) & _M64
    return z ^ (z >> 31)


def _u(key, c):
    return ((_mix64(key + _GAMMA * (c + 1)) >> 11) + 0.5) * 2.0 ** -53


def init_replica(seed, p, shape, init):
    """float32 values of init ("normal", std) / ("uniform", a) for parameter index p."""
    key = _mix64(seed + _GAMMA * (p + 1))
    n = int(np.prod(shape))
    if init[0] == "normal":
        z = [np.sqrt(-2.0 * np.log(_u(key, 2 * i))) * np.cos(2.0 * np.pi * _u(key, 2 * i + 1))
             for i in range(n)]
        v = init[1] * np.array(z)
    elif init[0] == "uniform":
        v = init[1] * (2.0 * np.array([_u(key, i) for i in range(n)]) - 1.0)
    else:
        raise ValueError(init)
    return v.astype(np.float32).reshape(shape)


# ---------------------------------------------------------------------------
# safetensors: the values through wl.safetensors (runtime/python/wl/safetensors.py), the layout
# as stored through safetensors_raw


def _safetensors():
    """wl.safetensors (importing wlharness first puts runtime/python on sys.path when
    PYTHONPATH lacks it, as in a run by hand)."""
    import wlharness  # noqa: F401
    from wl import safetensors
    return safetensors


def write_safetensors(path, tensors):
    """tensors: {name: float32 or float64 array} (F64 for float64, F32 for anything else)."""
    def stored(a):
        a = np.asarray(a)
        return a.astype(np.float64 if a.dtype == np.float64 else np.float32, copy=False)
    _safetensors().save_file({name: stored(a) for name, a in tensors.items()}, path)


def read_safetensors(path, dtypes=("F32",)):
    """{name: array (F32 -> float32, F64 -> float64)}, the "__metadata__" entry; checks the
    layout strictly (dtypes allowed, offsets, contiguous data, no trailing bytes)."""
    header, body = safetensors_raw.read_split(path)
    meta = header.pop("__metadata__", None)
    for name, d in header.items():
        if d["dtype"] not in dtypes:
            raise Failure("safetensors: %s has dtype %s" % (name, d["dtype"]))
    try:
        out = _safetensors().load_file(path)  # offsets inside the data, sizes matching the shapes
    except ValueError as e:
        raise Failure("safetensors: %s" % e) from None
    pos = 0
    for a, b in sorted(d["data_offsets"] for d in header.values()):
        if a != pos:
            raise Failure("safetensors: data not contiguous at %d" % a)
        pos = b
    if pos != len(body):
        raise Failure("safetensors: %d trailing bytes" % (len(body) - pos))
    return out, meta


# ---------------------------------------------------------------------------
# checks


# The same check helpers as the structures tests (one Failure class for both).
Failure, ok, expect = SR.Failure, SR.ok, SR.expect


def rel(a, b):
    """|a - b|_max / |b|_max."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def relnorm(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def sigma_max(W):
    return float(np.linalg.svd(np.asarray(W, np.float64), compute_uv=False)[0])
