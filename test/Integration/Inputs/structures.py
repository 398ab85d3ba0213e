"""Structured weights (CPU/structures.wl): orthogonal (cayley, exp, householder, polar),
svd and diagonal, square and rectangular (OUT > IN and OUT < IN), with biases, tanh
between layers, cross_entropy, one layer applied twice.   usage: structures.py lib.so

Checks (each prints `OK <name> ...`; the first failure prints FAIL and exits 1):
  meta           parameter names and shapes exactly as LANGUAGE.md's table, in ABI order
                 (wl_num_params / wl_param_name / wl_param_rank / wl_param_dim), all
                 trainable; layer names and sizes (wl_num_layers ...); input/output sizes.
  creation       orthogonal layers: |W^T W - I| (short side) < 1e-5 on wl_get_weight;
                 svd: U, V orthonormal (1e-5), |s| <= c (float32 c, no tolerance);
                 diagonal: |d| <= c; wl_get_weight == the float64 formula of the stored
                 factors (structures_ref.weight_np; 1e-5 relative); the per-layer bound
                 sound and tight (<= 1.001 sigma) (check_bound).
  random params  every tensor set to random values (wl_set_param stores them as is: S with
                 |S - S^T|_2 from 2 to 5; U, V not orthonormal; |s|, |d| beyond the clamps;
                 random biases), then
                 weight_<L>: wl_get_weight == the float64 formula (1e-5 relative);
                 bound_<L>: the layer bound is sound for these arbitrary factors: >= sigma_max
                 of the exact W (float64 from the stored factors; no tolerance) and of
                 wl_get_weight's float32 W up to its rounding (1e-6 relative);
                 forward: wl_forward == the float64 chain of the formulas (1e-4 rel);
                 lipschitz: wl_lipschitz_bound >= the product of sigma_max along the chain.
  gradients      wl_backward with dloss/dz of the library's own logits:
                 grad_<tensor>: vs torch float64 autograd of the same math
                 (torch.linalg.solve, torch.matrix_exp, an explicit Householder product,
                 U diag(s) V^T, diag(d)), |g - g_ref|_F / |g_ref|_F <= 1e-3;
                 fd_<tensor>: central differences of wl_loss (float32) along sign(g) and 3
                 random directions d (eps 3e-3 per entry; d is the float32 difference of
                 the two points actually evaluated): |fd - <g, d>| <= 2e-2 |g_ref| |d|
                 (Cauchy-Schwarz scale of <g, d>) + the float32 rounding floor of the two
                 losses; the printed err is |fd - <g, d>| / allowed;
                 loss_backward: the gradients that wl_train_step leaves (its generated
                 loss backward) == those of wl_backward (1e-4 rel); loss_value: wl_loss ==
                 torch (1e-5).
  large S        S of every cayley / exp layer times 10 (|S - S^T|_2 = 20..50): weight,
                 orthogonality (1e-5) and gradient vs torch (1e-3).
  weight sharing a layer applied twice: its gradient == the sum of the torch gradients of
                 the two applications computed with separate copies of the factors (1e-3),
                 and differs from each of them alone.
"""

import numpy as np

import structures_ref as R
from structures_ref import Layer, ok, expect

MODELS = {
    "Structures": (
        6, 4,
        [Layer("ca1", "cayley", 8, 6), Layer("ca2", "cayley", 5, 8),
         Layer("ex1", "exp", 7, 5), Layer("ex2", "exp", 6, 7, bias=False),
         Layer("hh1", "householder", 6, 6, reflectors=4),
         Layer("po1", "polar", 10, 6), Layer("po2", "polar", 8, 10),
         Layer("hh2", "householder", 7, 8),
         Layer("sv1", "svd", 5, 7, rank=3, c=0.8), Layer("sv2", "svd", 9, 5, rank=4),
         Layer("dg", "diagonal", 9, 9, c=0.9),
         Layer("sh", "exp", 9, 9, c=1.0),
         Layer("head", "dense", 4, 9)],
        ["ca1", "ca2", "ex1", "ex2", "hh1", "po1", "po2", "hh2", "sv1", "sv2", "dg", "sh", "sh",
         "head"]),
    "CayleySquare": (
        8, 3,
        [Layer("cs1", "cayley", 8, 8), Layer("cr", "cayley", 6, 8, bias=False),
         Layer("cs2", "cayley", 6, 6), Layer("cs3", "cayley", 6, 6, bias=False),
         Layer("head", "dense", 3, 6)],
        ["cs1", "cr", "cs2", "cs3", "cs3", "head"]),
    "HouseholderTall": (
        5, 3,
        [Layer("hh1", "householder", 8, 5, reflectors=3), Layer("hh2", "householder", 11, 8),
         Layer("hh3", "householder", 11, 11, reflectors=5, bias=False),
         Layer("head", "dense", 3, 11)],
        ["hh1", "hh2", "hh3", "hh3", "head"]),
}

TOL_ORTH_CREATE = 1e-5
TOL_ORTH_LARGE = 3e-5  # exp squares up to |X| / theta times: measured 4.4e-6
TOL_WEIGHT = 1e-5     # |W_lib - W_ref|_max / |W_ref|_max
TOL_FORWARD = 1e-4
TOL_GRAD_TORCH = 1e-3
TOL_FD = 2e-2
TOL_LOSS_BACKWARD = 1e-4
MATERIALISE_SLACK = 1e-6  # float32 rounding of wl_get_weight's W
TIGHT = 1.001          # per-layer bound at creation <= TIGHT sigma_max
FD_EPS = 3e-3
LARGE = 10.0          # check_large_generators: S scaled by this
# random-parameter scales per kind (S std, so |S - S^T|_2 is a few units)
S_STD = {"ca1": 0.5, "ca2": 0.4, "ex1": 0.5, "ex2": 0.4, "sh": 0.7, "cs1": 0.5, "cs2": 0.4}


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def relnorm(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def random_params(layers, rng):
    p = {}
    for l in layers:
        L = l.name
        if l.kind in ("cayley", "exp"):
            p[L + ".weight.S"] = rng.normal(0, S_STD.get(L, 0.5), (l.n, l.n))
        elif l.kind == "householder":
            p[L + ".weight.v"] = rng.normal(0, 1, (l.reflectors, l.n))
        elif l.kind in ("polar", "dense"):
            p[L + ".weight"] = rng.normal(0, 1.2 / np.sqrt(l.inp), (l.out, l.inp))
        elif l.kind == "svd":
            p[L + ".weight.U"] = rng.normal(0, 1.1 / np.sqrt(l.out), (l.out, l.rank))
            p[L + ".weight.s"] = rng.uniform(-1.5, 1.5, l.rank)  # beyond the clamp c
            p[L + ".weight.V"] = rng.normal(0, 1.1 / np.sqrt(l.inp), (l.inp, l.rank))
        elif l.kind == "diagonal":
            p[L + ".weight.d"] = rng.uniform(-1.5, 1.5, l.out)
        if l.bias:
            p[L + ".bias"] = rng.normal(0, 0.3, l.out)
    return {k: v.astype(np.float32) for k, v in p.items()}


def check_meta(lib, in_size, out_size, layers):
    want = R.param_table(layers)
    got = [(n, tuple(s)) for n, s, _ in lib.param_info]
    expect(got == want, "param_names_shapes", "\n got  %r\n want %r" % (got, want) if got != want else "")
    expect(all(t for _, _, t in lib.param_info), "params_trainable")
    info = R.layer_info(lib)
    want_l = [(l.name, l.out, l.inp) for l in layers]
    expect(info == want_l, "layers", "" if info == want_l else "got %r want %r" % (info, want_l))
    expect((lib.input_size, lib.output_size, lib.label_kind) == (in_size, out_size, 0), "sizes")


def check_creation(m, layers):
    p = m.params()
    for l in layers:
        L = l.name
        W = m.get_weight(L, (l.out, l.inp))
        if l.kind in R.ORTHOGONAL:
            ok("create_orth_" + L, R.orth_defect(W), TOL_ORTH_CREATE)
        if l.kind == "svd":
            U, V, s = p[L + ".weight.U"], p[L + ".weight.V"], p[L + ".weight.s"]
            ok("create_svd_UV_" + L, max(R.orth_defect(U), R.orth_defect(V)), TOL_ORTH_CREATE)
            if l.c is not None:
                expect(np.abs(s).max() <= np.float32(l.c), "create_clamp_" + L,
                       "max|s| = %r c = %r" % (np.abs(s).max(), l.c))
        if l.kind == "diagonal" and l.c is not None:
            d = p[L + ".weight.d"]
            expect(np.abs(d).max() <= np.float32(l.c), "create_clamp_" + L,
                   "max|d| = %r c = %r" % (np.abs(d).max(), l.c))
        ok("create_weight_" + L, rel(W, R.weight_np(l, p)), TOL_WEIGHT)
        check_bound(m, l, W, p, "create_bound_", TIGHT)


def check_bound(m, l, W, p, prefix, tight=None):
    """wl_layer_spectral_bound >= sigma_max of the exact effective weight (the float64
    formula of the stored factors; no tolerance) and >= sigma_max of wl_get_weight's
    float32 materialisation up to its rounding (MATERIALISE_SLACK); <= tight * sigma when
    given. Returns the larger sigma."""
    s_exact, s_lib = R.sigma_max(R.weight_np(l, p)), R.sigma_max(W)
    b = m.layer_spectral_bound(l.name)
    good = b >= s_exact and b >= s_lib * (1 - MATERIALISE_SLACK)
    if tight is not None:
        good = good and b <= tight * max(s_exact, s_lib)
    expect(good, prefix + l.name, "bound %.9g sigma %.9g (float32 W: %.9g)" % (b, s_exact, s_lib))
    return max(s_exact, s_lib)


def run(lib, in_size, out_size, layers, forward):
    check_meta(lib, in_size, out_size, layers)
    m = lib.create(seed=5)
    check_creation(m, layers)
    rng = np.random.default_rng(2024)

    # --- random parameters: weights, bounds, forward ---------------------------------
    p = random_params(layers, rng)
    m.set_params(p)
    back = m.params()
    expect(all(np.array_equal(back[k], v) for k, v in p.items()), "set_param_roundtrip")
    sig = {}
    for l in layers:
        W = m.get_weight(l.name, (l.out, l.inp))
        Wref = R.weight_np(l, p)
        ok("weight_" + l.name, rel(W, Wref), TOL_WEIGHT)
        sig[l.name] = check_bound(m, l, W, p, "bound_")
    B = 12
    x = rng.normal(size=(B, in_size)).astype(np.float32)
    lab = (np.arange(B) % out_size).astype(np.int32)
    z = m.forward(x)
    ok("forward", rel(z, R.forward_np(layers, forward, p, x)), TOL_FORWARD)
    chain = float(np.prod([sig[n] for n in forward]))
    lip = m.lipschitz_bound()
    expect(lip >= chain, "lipschitz", "bound %.6g >= prod sigma %.6g" % (lip, chain))

    # --- gradients --------------------------------------------------------------------
    loss_t, gt = R.grads_torch(layers, forward, p, x, lab)
    ok("loss_value", abs(m.loss(x, lab) - loss_t) / abs(loss_t), 1e-5)
    m.zero_grad()
    _, dz = R.ce_loss_grad(m.forward(x), lab)
    m.backward(x, dz.astype(np.float32), want_dx=False)
    g = {k: v.astype(np.float64) for k, v in m.grads().items()}
    worst_t = 0.0
    for name in [n for n, _ in R.param_table(layers)]:
        e = relnorm(g[name], gt[name])
        worst_t = max(worst_t, e)
        ok("grad_" + name, e, TOL_GRAD_TORCH)
    worst_fd = R.fd_checks(m, x, lab, p, g, gt, rng, FD_EPS, TOL_FD)
    m.set_params(p)
    m.train_step(x, lab)  # zero_grad + forward + loss + loss backward + step
    g2 = m.grads()
    ok("loss_backward", max(relnorm(g2[k], g[k]) for k in g), TOL_LOSS_BACKWARD)
    m.set_params(p)

    # --- weight sharing -------------------------------------------------------------------
    import torch
    by = {l.name: l for l in layers}
    for name in sorted({n for n in forward if forward.count(n) > 1}):
        l = by[name]
        uses = [j for j, n in enumerate(forward) if n == name]
        t = {k: torch.tensor(np.asarray(v, np.float64), requires_grad=True) for k, v in p.items()}
        copies = []
        for j in uses:
            c = {k: torch.tensor(np.asarray(p[k], np.float64), requires_grad=True)
                 for k, _ in l.tensors() if k != name + ".bias"}
            copies.append(c)
        over = {j: R.weight_torch(l, c) for j, c in zip(uses, copies)}
        R.loss_torch(layers, forward, t, x, lab, weights=over).backward()
        for k in copies[0]:
            parts = [c[k].grad.numpy() for c in copies]
            total = sum(parts)
            ok("shared_sum_" + k, relnorm(g[k], total), TOL_GRAD_TORCH,
               "(%d applications)" % len(uses))
            alone = min(relnorm(g[k], q) for q in parts)
            expect(alone > 0.05, "shared_not_single_" + k,
                   "closest single application differs by %.3g" % alone)
    check_large_generators(m, layers, forward, p, x, lab)
    print("worst grad vs torch %.3g, worst |fd - <g,d>| / (|g_ref| |d|) %.3g" % (worst_t, worst_fd))


def check_large_generators(m, layers, forward, p, x, lab):
    """Generators S - S^T with spectral norms 20..50 (every S times LARGE): exp's scaling
    and squaring and Cayley's solve far from the identity. Weight (1e-5), orthogonality
    (1e-5) and the gradient against torch (1e-3)."""
    q = dict(p)
    gen = [l for l in layers if l.kind in ("cayley", "exp")]
    for l in gen:
        q[l.name + ".weight.S"] = (p[l.name + ".weight.S"] * LARGE).astype(np.float32)
    m.set_params(q)
    _, gt = R.grads_torch(layers, forward, q, x, lab)
    m.zero_grad()
    _, dz = R.ce_loss_grad(m.forward(x), lab)
    m.backward(x, dz.astype(np.float32), want_dx=False)
    for l in gen:
        W = m.get_weight(l.name, (l.out, l.inp))
        X = R.skew(q[l.name + ".weight.S"].astype(np.float64))
        ok("large_weight_" + l.name, rel(W, R.weight_np(l, q)), TOL_WEIGHT,
           "(|X|_2 = %.1f)" % np.linalg.norm(X, 2))
        ok("large_orth_" + l.name, R.orth_defect(W), TOL_ORTH_LARGE)
        name = l.name + ".weight.S"
        ok("large_grad_" + name, relnorm(m.get_grad(name), gt[name]), TOL_GRAD_TORCH)
    m.set_params(p)


if __name__ == "__main__":
    R.main(MODELS, run)
