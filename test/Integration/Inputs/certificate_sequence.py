"""Certificates of sequence models against an adversarial search.

    usage: certificate_sequence.py libCertSeq.so libCertSeqFloat.so libCertSeqOpen.so
                                   (CPU/certificate_sequence.wl)

For each model, a float64 torch re-implementation f of the forward from the certificate's
continuous input X ([T, d]: the embedding's output for token ids, the input itself for
floats) is first checked against wl_forward (forward_<model>). Then, at the initial weights
(search_<model>_init) and with q, k scaled by SHARP (search_<model>_sharp: near-hard
attention, where softmax is least Lipschitz), gradient ascent (Adam on log of the ratio)
over pairs X, X' in the certificate's domain maximises

    r(X, X') = max_t ||f(X)_t - f(X')_t||_2 / max_t ||X_t - X'_t||_2

(the output's norm is per position for per-position logits, l2 for a pooled classifier;
the domain: every row's l2 norm <= E's largest row norm for tokens, <= the declared bound
c for floats; kept by rescaling rows). STARTS pairs per phase: near pairs (X' = X +
small noise: the local Lipschitz constant) and far pairs, X from embedded random tokens,
random directions or the domain's boundary. r must never exceed wl_lipschitz_bound; each
OK line prints the worst ratio, the certificate and their quotient. CertSeqOpen (no input
domain) must give +inf with the reason in wl_last_error (unbounded_CertSeqOpen).
"""
import math
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402

import wl  # noqa: E402

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)

STARTS = 48     # pairs per phase, as one batch
STEPS = 300     # Adam steps per phase
SHARP = 4.0     # factor on q and k weights for the sharp phase


def fail(name, detail):
    print("FAIL %s %s" % (name, detail))
    sys.stdout.flush()
    print("FAIL %s %s" % (name, detail), file=sys.stderr)
    sys.exit(1)


def check(name, ok, detail):
    if not ok:
        fail(name, detail)
    print("OK %s %s" % (name, detail))
    sys.stdout.flush()


# -- the re-implementation ----------------------------------------------------------------
class Weights:
    """Every layer's effective W [out, in] and bias of model m, as float64 tensors."""

    def __init__(self, m):
        self.w, self.b = {}, {}
        for layer in m.lib.layers:
            self.w[layer.name] = torch.tensor(m.weight(layer.name).astype(np.float64))
            bias = layer.name + ".bias"
            self.b[layer.name] = (torch.tensor(m.params[bias].astype(np.float64))
                                  if bias in m.params else None)

    def lin(self, name, x):
        y = x @ self.w[name].T
        return y if self.b[name] is None else y + self.b[name]


def rope(x, base=10000.0):
    """rotate_half RoPE on [B, T, H, m] (ALGORITHMS.md): theta_j = base^(-2j/m)."""
    T, m = x.shape[1], x.shape[3]
    j = torch.arange(m // 2, dtype=torch.float64)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * base ** (-2.0 * j / m)[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1)[None, :, None, :]
    sin = torch.cat([ang.sin(), ang.sin()], -1)[None, :, None, :]
    x1, x2 = x[..., : m // 2], x[..., m // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def attention(q, k, v, heads, scale, causal=False, use_rope=False):
    B, T, D = q.shape
    m = D // heads
    q, k, v = (a.reshape(B, T, heads, m) for a in (q, k, v))
    if use_rope:
        q, k = rope(q), rope(k)
    s = scale * torch.einsum("bthm,bshm->bhts", q, k)
    if causal:
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    a = torch.softmax(s, -1)
    return torch.einsum("bhts,bshm->bthm", a, v).reshape(B, T, D)


def rms_norm(h, eps):
    return h / torch.sqrt((h * h).mean(-1, keepdim=True) + eps)


def layer_norm(h, eps):
    c = h - h.mean(-1, keepdim=True)
    return c / torch.sqrt((c * c).mean(-1, keepdim=True) + eps)


def cert_seq(W, X):
    """CertSeq from X = E(tokens) [B, 6, 8]: per-position logits [B, 6, 11]."""
    h = X + W.w["P"][: X.shape[1]][None]
    a = attention(W.lin("q", h), W.lin("k", h), W.lin("v", h), 2, 0.25, causal=True,
                  use_rope=True)
    h = 5 / 6 * h + 1 / 6 * W.lin("o", a)
    h = h + W.lin("m2", torch.nn.functional.gelu(W.lin("m1", rms_norm(h, 0.5))))
    return W.lin("head", h)


def cert_seq_float(W, X):
    """CertSeqFloat from x [B, 5, 4]: logits [B, 1, 3] (pooled: one 'position')."""
    h = X + attention(W.lin("q", X), W.lin("k", X), W.lin("v", X), 2, 0.5)
    h = torch.sigmoid(layer_norm(h, 1.0))
    h = h + attention(W.lin("q2", h), W.lin("k2", h), h, 1, 1.0 / math.sqrt(4))
    return W.lin("head", h.mean(1))[:, None, :]


# -- the search --------------------------------------------------------------------------
def rowmax(z):
    """max_t ||z_t||_2 per example of [B, T, n]."""
    return torch.sqrt((z * z).sum(-1) + 1e-300).max(-1).values


def project(u, radius):
    """Rows of u rescaled into the ball of the given radius."""
    n = torch.sqrt((u * u).sum(-1, keepdim=True))
    return u * torch.clamp(radius / torch.clamp(n, min=1e-300), max=1.0)


def starts(rng, shape, radius, base):
    """(U, U') for STARTS pairs: near and far, from `base` rows (embedded tokens) or
    random directions at random radii or on the boundary."""
    B, T, d = STARTS, shape[0], shape[1]
    dirs = rng.normal(size=(B, T, d))
    dirs /= np.linalg.norm(dirs, axis=-1, keepdims=True)
    u = dirs * radius * rng.uniform(0.2, 1.0, size=(B, T, 1))
    if base is not None:
        u[: B // 3] = base(B // 3)
    u[B // 3: B // 2] = dirs[B // 3: B // 2] * radius  # the boundary
    near = rng.normal(size=(B, T, d)) * radius * 10.0 ** rng.uniform(-4, -1, size=(B, 1, 1))
    far = rng.normal(size=(B, T, d)) * radius
    u2 = u + np.where(np.arange(B)[:, None, None] % 2 == 0, near, far)
    return torch.tensor(u), torch.tensor(u2)


def search(f, W, shape, radius, seed, base=None):
    rng = np.random.default_rng(seed)
    u, u2 = starts(rng, shape, radius, base)
    u.requires_grad_(True)
    u2.requires_grad_(True)
    opt = torch.optim.Adam([u, u2], lr=0.02 * radius)
    best = 0.0
    for _ in range(STEPS):
        x, x2 = project(u, radius), project(u2, radius)
        r = rowmax(f(W, x) - f(W, x2)) / rowmax(x - x2)
        best = max(best, float(r.detach().max()))
        loss = -torch.log(r + 1e-300).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        x, x2 = project(u, radius), project(u2, radius)
        r = rowmax(f(W, x) - f(W, x2)) / rowmax(x - x2)
        best = max(best, float(r.max()))
    return best


def run_model(name, lib_path, f, shape, phases):
    lib = wl.load_library(lib_path)
    with lib.create(seed=7) as m:
        rng = np.random.default_rng(1)
        if lib.input_kind == "tokens":
            E = m.weight("E").astype(np.float64)
            radius = float(np.linalg.norm(E, axis=1).max())
            ids = rng.integers(0, E.shape[0], size=(4, shape[0])).astype(np.int32)
            x = torch.tensor(E[ids])
            y = m.forward(ids)

            def base(n):
                return E[rng.integers(0, E.shape[0], size=(n, shape[0]))]
        else:
            radius = 1.5
            x = project(torch.tensor(rng.normal(size=(4,) + shape)), radius)
            y = m.forward(x.numpy().astype(np.float32))
            base = None
        got = f(Weights(m), x).detach().numpy().reshape(y.shape)
        err = float(np.abs(got - y).max() / max(1.0, np.abs(y).max()))
        check("forward_" + name, err < 1e-4, "max rel err %.2e vs wl_forward" % err)
        for phase in phases:
            if phase == "sharp":
                for layer in ("q", "k", "q2", "k2"):
                    if layer + ".weight" in m.params:
                        m.params[layer + ".weight"] = m.params[layer + ".weight"] * SHARP
            bound = m.lipschitz_bound()
            if not (bound > 0 and math.isfinite(bound)):
                fail("search_%s_%s" % (name, phase), "bound %r: %s" % (bound, m.last_error()))
            seed = {"init": 1, "sharp": 2}[phase]
            worst = search(f, Weights(m), shape, radius, seed, base=base)
            check("search_%s_%s" % (name, phase), worst <= bound,
                  "worst ratio %.6g certificate %.6g quotient %.4f (radius %.4g)"
                  % (worst, bound, worst / bound, radius))


def main():
    tok, flt, open_ = sys.argv[1:4]
    run_model("CertSeq", tok, cert_seq, (6, 8), ("init", "sharp"))
    run_model("CertSeqFloat", flt, cert_seq_float, (5, 4), ("init", "sharp"))
    with wl.load_library(open_).create(seed=0) as m:
        b = m.lipschitz_bound()
        msg = m.last_error()
        check("unbounded_CertSeqOpen", math.isinf(b) and b > 0 and "no declared domain" in msg,
              "bound %r: %s" % (b, msg))


if __name__ == "__main__":
    main()
