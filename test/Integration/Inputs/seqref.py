"""Float64 PyTorch references for the sequence models of the integration tests
(sequence_*.wl): attention written out by hand (torch 1.13 has no fused
attention with RoPE), RoPE in the rotate_half convention (ALGORITHMS.md), and
the checks they share: forward, every parameter gradient through wl_backward,
one optimizer step, causality, id and domain errors."""
import sys

import numpy as np
import torch

import wl
import wlcheck

F = torch.nn.functional
f64 = torch.float64
TOL = 2e-5  # max |a - a_ref| / max |a_ref| for float32 results


def attention(q, k, v, heads, causal=False, scale=None, rope=False, base=10000.0):
    """q, k, v [B, T, D] -> [B, T, D], per head softmax(scale q kᵀ) v."""
    B, T, D = q.shape
    m = D // heads
    if scale is None:
        scale = 1 / m ** 0.5

    def split(x):
        return x.reshape(B, T, heads, m).transpose(1, 2)

    q, k, v = split(q), split(k), split(v)
    if rope:
        j = torch.arange(m // 2, dtype=f64)
        angle = torch.arange(T, dtype=f64)[:, None] * base ** (-2 * j / m)[None, :]
        c, s = torch.cos(angle), torch.sin(angle)

        def rotate(x):
            x1, x2 = x[..., : m // 2], x[..., m // 2:]
            return torch.cat([x1 * c - x2 * s, x2 * c + x1 * s], -1)

        q, k = rotate(q), rotate(k)
    z = scale * q @ k.transpose(-1, -2)
    if causal:
        z = z.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
    return (torch.softmax(z, -1) @ v).transpose(1, 2).reshape(B, T, D)


def linear(p, name, x, weight=None):
    w = p[name + ".weight"] if weight is None else weight
    y = x @ w.T
    return y + p[name + ".bias"] if name + ".bias" in p else y


def rms_norm(h, eps=1e-6):
    return h / torch.sqrt((h * h).mean(-1, keepdim=True) + eps)


def params_of(m):
    """The model's parameters as float64 tensors that track gradients."""
    return {k: torch.tensor(v, dtype=f64, requires_grad=True) for k, v in m.params.items()}


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / (np.abs(b).max() + 1e-30))


def check_forward_and_grads(m, forward, x, x_ref, rng, dx_expected):
    """forward at this batch, then wl_backward's parameter gradients (and dx)
    for a random dy against autograd on the reference."""
    p = params_of(m)
    y = m.forward(x)
    out = forward(p, x_ref)
    wlcheck.ok("forward_b%d" % len(x), rel(y, out.detach().numpy()), TOL)
    dy = rng.normal(size=y.shape)
    if dx_expected:
        x_ref = x_ref.clone().requires_grad_(True)
        out = forward(p, x_ref)
    (out * torch.tensor(dy)).sum().backward()
    m.zero_grad()
    dx = m.backward(x, dy.astype(np.float32))
    g = m.grads
    for k in g:
        wlcheck.ok("grad_" + k, rel(g[k], p[k].grad.numpy()), TOL)
    if dx_expected:
        wlcheck.ok("grad_dx", rel(dx, x_ref.grad.numpy()), TOL)
    else:
        wlcheck.expect(dx is None, "no_dx", "a token model has no input gradient, got %r" % (dx,))


def check_step(m, forward, loss_of, x, x_ref, labels, make_optimizer, name, project=None):
    """One wl_train_step against the same loss and optimizer in float64, then
    `project(p)` (the constraints' projection after the step)."""
    p = params_of(m)
    loss_ref = loss_of(forward(p, x_ref), labels)
    loss_ref.backward()
    opt = make_optimizer([p[k] for k in m.grads])  # the trainable ones
    opt.step()
    if project:
        with torch.no_grad():
            project(p)
    loss = m.train_step(x, labels)
    wlcheck.ok("loss", abs(loss - loss_ref.item()) / abs(loss_ref.item()), TOL)
    after = m.params
    wlcheck.ok("step_" + name, max(rel(after[k], p[k].detach().numpy()) for k in after), 1e-4)


def row_norm_bound(w, c):
    """norm_bound(c, norm = row): each row scaled to l2 norm <= c."""
    w.mul_(torch.clamp(c / w.norm(dim=1, keepdim=True), max=1.0))


def svd_clip(w, c):
    """spectral_bound(c, method = svd_clip): singular values clipped at c."""
    u, s, vh = torch.linalg.svd(w, full_matrices=False)
    w.copy_(u @ torch.diag(torch.clamp(s, max=c)) @ vh)


def gradcheck_reference(forward, p, x_ref, names):
    """The hand-written reference itself against central finite differences
    (torch.autograd.gradcheck, float64) for the parameters `names`."""
    fixed = {k: v.detach() for k, v in p.items()}

    def f(*ws):
        q = dict(fixed)
        q.update(zip(names, ws))
        return forward(q, x_ref)

    ok = torch.autograd.gradcheck(f, tuple(fixed[n].clone().requires_grad_(True) for n in names),
                                  eps=1e-6, atol=1e-6, rtol=1e-4)
    wlcheck.expect(ok, "reference_vs_fd64")


def check_refused(m, x, labels, name, where):
    """wl_train_step refuses x (WL_ERR_ARG naming `where`, e.g. "example 2,
    position 6") and leaves every parameter as it was."""
    before = {k: v.copy() for k, v in m.params.items()}
    try:
        m.train_step(x, labels)
        wlcheck.expect(False, name, "the input was accepted")
    except wl.WLError as e:
        wlcheck.expect(where in str(e), name, str(e))
    wlcheck.expect(all(np.array_equal(before[k], v) for k, v in m.params.items()),
                   "unchanged_after_error")


def run(main):
    """Runs a test's main; a failed check exits 1 with its message."""
    try:
        main()
    except wlcheck.Failure as e:
        print("FAIL", e, file=sys.stderr)
        sys.exit(1)
