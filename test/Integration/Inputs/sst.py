"""sst(rank, every) (CPU/sst.wl): sparse spectral training. W = U diag(s) V^T kept as the
full thin SVD of W (U [OUT, m], s [m], V [IN, m], m = min(OUT, IN)); each round of
`every` steps trains only the r columns of U and V that `sampled` marks (s trains always);
at the end of a round the sampled columns' optimizer state is zeroed, W is re-split by an
SVD and the next r columns are drawn, weighted by p(i) = 0.5 (1/m + s_i / sum s).

    usage: sst.py --write-base FILE            writes the bases the .wl loads (a, b, c)
           sst.py lib.so FILE                  model Sst: init, forward, grad, steps, rounds
           sst.py --sampling lib.so FILE       model SstSampling (lr = 0, every = 1)
           sst.py --optimizer NAME lib.so      SstMuon / SstSgd / SstLion / SstAdamP: one round

Reference: numpy's float64 SVD of the bases and a float64 forward/backward/step of the
spec written here, always started from the library's own tensors (the SVD's signs are
the library's). For each sst layer L of Sst (a: 6 -> 9, OUT >= IN; b: 9 -> 5, OUT < IN):
  init_<L>     at creation: wl_get_weight == W0 of the file and U diag(s) V^T == W0
               (1e-5 relative); U and V have orthonormal columns (1e-5); s is descending,
               >= 0 and == W0's singular values (float64 SVD, 1e-5); `sampled` has exactly
               r ones, the rest zeros; U, s, V train, `sampled` does not.
Then for the model b(a(x)) (no bias), loss <dy, y> through backward(x, dy):
  forward      y == ((x V) * s) U^T chained in float64 from the library's tensors (1e-5);
  grad         with G = dL/dW in float64: grad s == central finite differences (1e-4
               relative), grad U == G V and grad V == G^T U (1e-4), and these are SST's
               gradients: grad U * s (column j scaled by s_j) == the finite-difference
               gradient of U, likewise V (1e-4);
  dx           backward's dx == dy W, the true input gradient (1e-5);
  step         one s_i set to 1e-6 where its gradient is positive (so AdamW pushes it
               below 0), then two steps (t = 1, 2 < every: inside round 0) == two
               PyTorch AdamW steps (betas 0.9/0.999, eps 1e-8, decoupled weight decay)
               of the float64 reference: U/V gradients masked by the library's
               `sampled`, update, s <- max(s, 0), every column of U, V normalised (1e-4);
  unit_columns every column of U and V has norm 1 (1e-5);
  nonneg       s >= 0, and the reference did clamp (the test would be vacuous otherwise);
  state        (from a wl_save checkpoint) the AdamW state of U and V is zero in every
               column that `sampled` does not mark, and exp_avg, exp_avg_sq of U, s, V ==
               the reference (1e-4);
  round        step t = 3 = every ends round 0: wl_get_weight == the reference's
               U diag(s) V^T after its update (the re-SVD keeps W; 1e-4), s == that W's
               singular values (1e-4), U, V orthonormal (1e-5), s descending and >= 0,
               `sampled` has exactly r ones again; the U and V state is all zero (the
               sampled columns' was zeroed, the others' never left zero) while s's state
               == the reference's (it is left alone);
  next_round   step t = 4 from the library's re-split tensors with the U/V state zeroed,
               s's state carried, bias correction at t = 4, U/V gradients masked by the
               new `sampled` == the library (1e-4);
  export       wl_export_dense's "<L>.weight" == U diag(s) V^T of the library's tensors;
  certificate  wl_layer_spectral_bound(L) >= sigma_max of that weight (numpy SVD);
  resume       a checkpoint saved at t = 4 (mid-round 1) and loaded into a new model
               continues bit for bit like the original over three steps, across the
               end of round 1 (`sampled` is in the checkpoint).
SstSampling (one layer c: 8 -> 6, rank 2, every = 1, adamw(lr = 0): W, so s, stays
fixed and every step is a new round):
  sampling     over N = 3000 rounds the frequency of each index, and of each r-set, is
               within 5 binomial sigmas (sqrt(pi (1 - pi) / N)) of its exact probability
               under sequential weighted sampling without replacement with weights p(i)
               (enumerated over ordered draws); prints the largest deviation;
  reproducible two models of one seed draw the same first 21 samples (creation + 20
               rounds); another seed differs somewhere in them.
SstMuon (muon(lr = 0.02) on U and V, adamw(lr = 0.01) on s), SstSgd, SstLion, SstAdamP
(weight decay 0.1), all with Sst's layers and every = 1000 (one round):
  muon, sgd, lion, adamp  30 train_steps: the unsampled columns of U and V stay as they were
               (3e-6, float rounding of 30 renormalisations; measured <= 6e-7: their
               gradient is masked, their state stays zero, and the weight decay's
               shrink is undone by the unit-norm renormalisation), the sampled
               ones move, s >= 0, unit columns, finite, the loss decreases.
"""
import itertools
import os
import sys

import numpy as np

import wl

LAYERS = {"a": (9, 6, 2), "b": (5, 9, 2)}  # out, in, rank (Sst, SstMuon; every = 3)
EVERY = 3
SAMPLING_LAYER = ("c", 6, 8, 2)  # name, out, in, rank (SstSampling; every = 1)
SAMPLING_S = (4.0, 2.0, 1.0, 0.5, 0.25, 0.1)  # c's singular values
LR, WD, BETA1, BETA2, EPS = 0.01, 0.1, 0.9, 0.999, 1e-8
N_ROUNDS = 3000


def make_bases():
    rng = np.random.default_rng(11)
    bases = {name: rng.normal(0, 0.5, (o, i)) for name, (o, i, _) in LAYERS.items()}
    name, o, i, _ = SAMPLING_LAYER
    q1, _ = np.linalg.qr(rng.normal(size=(o, o)))
    q2, _ = np.linalg.qr(rng.normal(size=(i, o)))
    bases[name] = q1 @ np.diag(SAMPLING_S) @ q2.T
    return {k: v.astype(np.float32) for k, v in bases.items()}


def rel(a, b):
    b = np.asarray(b, np.float64)
    return float(np.abs(np.asarray(a, np.float64) - b).max() / max(np.abs(b).max(), 1e-30))


def check(name, err, tol):
    if not err <= tol:
        raise SystemExit("FAIL %s: error %.3g > %.3g" % (name, err, tol))
    print("OK %s (error %.3g)" % (name, err))


def fail(name, why):
    raise SystemExit("FAIL %s: %s" % (name, why))


def tensors(m):
    """The library's tensors, float64."""
    return {k: m.params[k].astype(np.float64) for k in m.params}


def orth_err(q):
    """max |Q^T Q - I|: how far the columns of Q are from orthonormal."""
    return float(np.abs(q.T @ q - np.eye(q.shape[1])).max())


def col_norm_err(q):
    return float(np.abs(np.linalg.norm(q, axis=0) - 1).max())


def weight(p, name):
    w = name + ".weight."
    return p[w + "U"] @ np.diag(p[w + "s"]) @ p[w + "V"].T


def forward(p, x, layers=LAYERS):
    """y and the layer inputs, float64: layer(h) = ((h V) * s) U^T."""
    hs = [x]
    h = x
    for name in layers:
        w = name + ".weight."
        h = ((h @ p[w + "V"]) * p[w + "s"]) @ p[w + "U"].T
        hs.append(h)
    return h, hs


def backward(p, x, dy, layers=LAYERS):
    """The gradients wl_backward accumulates for <dy, y>, float64, by hand: with
    G = dy^T h (dL/dW), d s_i = u_i^T G v_i, d U = G V, d V = G^T U (SST's, without the
    s_i factor); and dx = dy W chained. Returns (grads, {layer: G}, dx)."""
    _, hs = forward(p, x, layers)
    grads, gs = {}, {}
    g = dy
    for i, name in reversed(list(enumerate(layers))):
        w = name + ".weight."
        U, s, V = p[w + "U"], p[w + "s"], p[w + "V"]
        G = g.T @ hs[i]
        gs[name] = G
        grads[w + "s"] = np.einsum("oj,oi,ij->j", U, G, V)
        grads[w + "U"] = G @ V
        grads[w + "V"] = G.T @ U
        g = g @ (U @ np.diag(s) @ V.T)
    return grads, gs, g


def finite_differences(p, x, dy, key, h=1e-4, layers=LAYERS):
    """Central differences of <dy, y> with respect to every entry of p[key]. y is linear
    in each single entry, so they are exact up to float64 rounding."""
    fd = np.zeros_like(p[key])
    for idx in np.ndindex(p[key].shape):
        q = dict(p)
        for sgn in (1, -1):
            q[key] = p[key].copy()
            q[key][idx] += sgn * h
            fd[idx] += sgn * np.sum(dy * forward(q, x, layers)[0]) / (2 * h)
    return fd


def adamw(w, g, state, t):
    """One PyTorch AdamW step (decoupled weight decay); returns (w, (exp_avg, exp_avg_sq))."""
    m, v = state
    m = BETA1 * m + (1 - BETA1) * g
    v = BETA2 * v + (1 - BETA2) * g * g
    w = w * (1 - LR * WD)
    w = w - LR * (m / (1 - BETA1 ** t)) / (np.sqrt(v / (1 - BETA2 ** t)) + EPS)
    return w, (m, v)


def zero_state(p):
    return {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in p.items()
            if not k.endswith(".sampled")}


def sst_step(p, state, t, x, dy, layers=LAYERS):
    """Steps 1-3 of the spec for step t (no round end): the U/V gradients masked by the
    current `sampled`, AdamW on U, s, V, s clamped at 0, every column of U, V normalised.
    Returns (p, state, clamped): clamped says whether some s went below 0."""
    p, state = dict(p), dict(state)
    grads, _, _ = backward(p, x, dy, layers)
    clamped = False
    for name in layers:
        w = name + ".weight."
        keep = p[w + "sampled"] != 0
        for k in "UsV":
            g = grads[w + k]
            if k != "s":
                g = g * keep[None, :]
            p[w + k], state[w + k] = adamw(p[w + k], g, state[w + k], t)
        clamped = clamped or bool((p[w + "s"] < 0).any())
        p[w + "s"] = np.maximum(p[w + "s"], 0)
        for k in "UV":
            p[w + k] = p[w + k] / np.linalg.norm(p[w + k], axis=0)
    return p, state, clamped


def check_sample(name, sampled, r):
    ones = int((sampled == 1).sum())
    if ones != r or int((sampled == 0).sum()) != sampled.size - r:
        fail(name, "`sampled` must hold exactly %d ones and zeros elsewhere, got %s"
             % (r, sampled.tolist()))


def check_factors(name, p, layer, r):
    """U, V orthonormal (1e-5), s descending and >= 0, `sampled` r ones."""
    w = layer + ".weight."
    s = p[w + "s"]
    if (s < 0).any() or (np.diff(s) > 0).any():
        fail(name, "s must be descending and >= 0, got %s" % s.tolist())
    check_sample(name, p[w + "sampled"], r)
    return max(orth_err(p[w + "U"]), orth_err(p[w + "V"]))


def check_init(lib, m, bases):
    trainable = {q.name: q.trainable for q in lib.params}
    p = tensors(m)
    for name, (o, i, r) in LAYERS.items():
        w = name + ".weight."
        w0 = bases[name].astype(np.float64)
        mm = min(o, i)
        shapes = {k: p[w + k].shape for k in ("U", "s", "V", "sampled")}
        if shapes != {"U": (o, mm), "s": (mm,), "V": (i, mm), "sampled": (mm,)}:
            fail("init_" + name, "shapes %s" % shapes)
        if not (trainable[w + "U"] and trainable[w + "s"] and trainable[w + "V"]) \
                or trainable[w + "sampled"]:
            fail("init_" + name, "U, s, V must train and `sampled` must not: %s"
                 % {k: v for k, v in trainable.items() if k.startswith(w)})
        err = check_factors("init_" + name, p, name, r)
        err = max(err, rel(m.weight(name), w0), rel(weight(p, name), w0),
                  rel(p[w + "s"], np.linalg.svd(w0, compute_uv=False)))
        check("init_" + name, err, 1e-5)


def load_state(m, path):
    """{tensor: (exp_avg, exp_avg_sq)} of U, s, V of every layer, from a checkpoint."""
    m.save(path)
    ck = wl.safetensors.load_file(path)
    state = {}
    for name in LAYERS:
        for k in "UsV":
            key = "optim.%s.weight.%s." % (name, k)
            if key + "exp_avg" not in ck or key + "exp_avg_sq" not in ck:
                fail("state", "the checkpoint lacks %sexp_avg / exp_avg_sq (it has %s)"
                     % (key, sorted(n for n in ck if n.startswith("optim."))))
            state[name + ".weight." + k] = (ck[key + "exp_avg"].astype(np.float64),
                                            ck[key + "exp_avg_sq"].astype(np.float64))
    return state


def compare(m, ref, name):
    check(name, max(rel(m.params[k], ref[k]) for k in ref if not k.endswith(".sampled")), 1e-4)


def run(lib_path, base_file):
    bases = wl.safetensors.load_file(base_file)
    ckpt = os.path.join(os.path.dirname(os.path.abspath(base_file)), "sst_state.safetensors")
    lib = wl.load_library(lib_path)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, lib.input_size)).astype(np.float32)
    dy = rng.normal(size=(5, lib.output_size)).astype(np.float32)
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
    with lib.create(seed=1) as m:
        check_init(lib, m, bases)
        p = tensors(m)
        check("forward", rel(m.forward(x), forward(p, x64)[0]), 1e-5)

        m.zero_grad()
        dx = m.backward(x, dy)
        grads, _, dx_ref = backward(p, x64, dy64)
        worst = 0.0
        for name in LAYERS:
            w = name + ".weight."
            s = p[w + "s"]
            worst = max(worst, rel(m.grads[w + "s"], finite_differences(p, x64, dy64, w + "s")))
            for k in "UV":
                got = m.grads[w + k].astype(np.float64)
                worst = max(worst, rel(got, grads[w + k]),
                            rel(got * s[None, :], finite_differences(p, x64, dy64, w + k)))
        check("grad", worst, 1e-4)
        check("dx", rel(dx, dx_ref), 1e-5)

        # One s entry with a positive gradient set to 1e-6: AdamW's first step (~lr) takes
        # it below zero and the clamp must bring it back to 0.
        name, i = max(((n, j) for n in LAYERS for j in range(p[n + ".weight.s"].size)),
                      key=lambda nj: grads[nj[0] + ".weight.s"][nj[1]])
        if grads[name + ".weight.s"][i] <= 0:
            fail("step", "test setup: no s has a positive gradient")
        s = m.params[name + ".weight.s"]
        s[i] = 1e-6
        m.params[name + ".weight.s"] = s

        p = tensors(m)
        ref, state, clamped = p, zero_state(p), False
        for t in (1, 2):
            m.zero_grad()
            m.backward(x, dy)
            m.step()
            ref, state, c = sst_step(ref, state, t, x64, dy64)
            clamped = clamped or c
        compare(m, ref, "step")
        q = tensors(m)
        check("unit_columns", max(col_norm_err(q[n + ".weight." + k])
                                  for n in LAYERS for k in "UV"), 1e-5)
        if not clamped:
            fail("nonneg", "test setup: the reference never clamped s")
        smin = min(q[n + ".weight.s"].min() for n in LAYERS)
        if smin < 0:
            fail("nonneg", "s has %.3g < 0" % smin)
        print("OK nonneg (min s %.3g)" % smin)

        lstate = load_state(m, ckpt)
        worst = 0.0
        for n in LAYERS:
            keep = p[n + ".weight.sampled"] != 0
            for k in "UsV":
                key = n + ".weight." + k
                for got, want in zip(lstate[key], state[key]):
                    if k != "s" and (got[:, ~keep] != 0).any():
                        fail("state", "%s: optimizer state in unsampled columns" % key)
                    worst = max(worst, rel(got, want))
        check("state", worst, 1e-4)

        # t = 3 = every: the end of round 0.
        m.zero_grad()
        m.backward(x, dy)
        m.step()
        ref, state, _ = sst_step(ref, state, 3, x64, dy64)
        q = tensors(m)
        worst = 0.0
        for n, (_, _, r) in LAYERS.items():
            w_ref = weight(ref, n)
            worst = max(worst, rel(m.weight(n), w_ref),
                        rel(q[n + ".weight.s"], np.linalg.svd(w_ref, compute_uv=False)))
            orth = check_factors("round", q, n, r)
            if orth > 1e-5:
                fail("round", "%s: U or V not orthonormal after the re-SVD (%.3g)" % (n, orth))
        lstate = load_state(m, ckpt)
        for n in LAYERS:
            for k in "UV":
                if any((a != 0).any() for a in lstate[n + ".weight." + k]):
                    fail("round", "%s.weight.%s: optimizer state not zero at the round's end"
                         % (n, k))
            key = n + ".weight.s"
            worst = max(worst, max(rel(a, b) for a, b in zip(lstate[key], state[key])))
        check("round", worst, 1e-4)

        # t = 4: round 1 from the library's re-split tensors; U/V state zero, s's kept.
        state = {k: (v if k.endswith(".s") else (np.zeros_like(v[0]), np.zeros_like(v[1])))
                 for k, v in state.items()}
        m.zero_grad()
        m.backward(x, dy)
        m.step()
        ref, state, _ = sst_step(q, state, 4, x64, dy64)
        compare(m, ref, "next_round")

        # wl_export_dense writes each layer's U diag(s) V^T; the certificate bounds it.
        dense = os.path.join(os.path.dirname(ckpt), "sst_dense.safetensors")
        m.export_dense(dense)
        exported = wl.safetensors.load_file(dense)
        check("export", max(rel(exported[n + ".weight"], weight(tensors(m), n))
                            for n in LAYERS), 1e-5)
        bounds = m.layer_bounds()
        for n in LAYERS:
            sigma = np.linalg.svd(weight(tensors(m), n), compute_uv=False)[0]
            if not bounds[n] >= sigma:
                fail("certificate", "%s: bound %.6g < sigma_max %.6g" % (n, bounds[n], sigma))
        print("OK certificate (%s)" % ", ".join(
            "%s %.4g" % (n, bounds[n]) for n in LAYERS))

        # A checkpoint taken mid-round (t = 4 of round 1) resumes the same run: the
        # round's sample travels with it.
        m.save(ckpt)
        for _ in range(3):
            m.zero_grad()
            m.backward(x, dy)
            m.step()
        after = tensors(m)
    with lib.create(seed=1) as m2:
        m2.load(ckpt)
        for _ in range(3):
            m2.zero_grad()
            m2.backward(x, dy)
            m2.step()
        check("resume", max(rel(m2.params[k], after[k]) for k in after), 0.0)


def inclusion(pw, r):
    """Exact probabilities of sequential weighted sampling without replacement of r
    indices with weights pw: ({index: P(index drawn)}, {sorted r-set: P(set)})."""
    pw = np.asarray(pw, np.float64) / np.sum(pw)
    single, sets = np.zeros(pw.size), {}
    for draw in itertools.permutations(range(pw.size), r):
        prob, left = 1.0, 1.0
        for j in draw:
            prob *= pw[j] / left
            left -= pw[j]
        single[list(draw)] += prob
        key = tuple(sorted(draw))
        sets[key] = sets.get(key, 0.0) + prob
    return single, sets


def sst_weights(s):
    s = np.asarray(s, np.float64)
    mm = s.size
    return np.full(mm, 1.0 / mm) if s.sum() == 0 else 0.5 * (1.0 / mm + s / s.sum())


def rounds(lib, seed, n):
    """`sampled` at creation and after each of n steps, and s at creation and at the end."""
    name, _, _, r = SAMPLING_LAYER
    key = name + ".weight."
    with lib.create(seed=seed) as m:
        m.zero_grad()
        s0 = m.params[key + "s"].astype(np.float64)
        out = [m.params[key + "sampled"]]
        for _ in range(n):
            m.step()
            out.append(m.params[key + "sampled"])
        return np.array(out), s0, m.params[key + "s"].astype(np.float64)


def run_sampling(lib_path, base_file):
    lib = wl.load_library(lib_path)
    name, _, _, r = SAMPLING_LAYER
    samples, s0, s_end = rounds(lib, 7, N_ROUNDS)
    if rel(s_end, s0) > 1e-4:
        fail("sampling", "s moved with lr = 0: %s -> %s" % (s0.tolist(), s_end.tolist()))
    if rel(s0, SAMPLING_S) > 1e-4:
        fail("sampling", "s %s is not the base's %s" % (s0.tolist(), list(SAMPLING_S)))
    for row in samples:
        check_sample("sampling", row, r)
    single, sets = inclusion(sst_weights(s0), r)
    drawn = samples[1:]  # the N rounds after creation
    n = len(drawn)
    worst, worst_sigma = 0.0, 0.0
    freq = drawn.mean(axis=0)
    for i, pi in enumerate(single):
        sigma = np.sqrt(pi * (1 - pi) / n)
        dev = abs(freq[i] - pi)
        worst, worst_sigma = max(worst, dev), max(worst_sigma, dev / sigma)
        if dev > 5 * sigma:
            fail("sampling", "index %d drawn in %.4f of %d rounds, expected %.4f (5 sigma %.4f)"
                 % (i, freq[i], n, pi, 5 * sigma))
    counts = {}
    for row in drawn:
        key = tuple(int(j) for j in np.flatnonzero(row))
        counts[key] = counts.get(key, 0) + 1
    for key, pi in sets.items():
        sigma = np.sqrt(pi * (1 - pi) / n)
        dev = abs(counts.get(key, 0) / n - pi)
        worst_sigma = max(worst_sigma, dev / sigma)
        if dev > 5 * sigma:
            fail("sampling", "set %s drawn in %.4f of %d rounds, expected %.4f (5 sigma %.4f)"
                 % (key, counts.get(key, 0) / n, n, pi, 5 * sigma))
    print("OK sampling (max deviation %.4f, %.2f sigma; inclusion %s)"
          % (worst, worst_sigma, " ".join("%.3f" % v for v in single)))

    a, _, _ = rounds(lib, 7, 20)
    b, _, _ = rounds(lib, 7, 20)
    c, _, _ = rounds(lib, 8, 20)
    if not np.array_equal(a, b):
        fail("reproducible", "seed 7 twice gave different samples")
    if np.array_equal(a, c):
        fail("reproducible", "seeds 7 and 8 gave the same 21 samples")
    if not np.array_equal(a, samples[:21]):
        fail("reproducible", "seed 7 gave other samples than in the long run")
    print("OK reproducible")


def run_optimizer(name, lib_path):
    """Models SstMuon, SstSgd, SstLion, SstAdamP (every = 1000: one round): the
    optimizer's state and weight decay leave the unsampled columns of U and V as they
    were."""
    lib = wl.load_library(lib_path)
    rng = np.random.default_rng(6)
    x = rng.normal(size=(16, lib.input_size)).astype(np.float32)
    y = rng.integers(0, lib.output_size, size=16).astype(np.int32)
    with lib.create(seed=1) as m:
        before = tensors(m)
        first = m.loss(x, y)
        for _ in range(30):
            m.train_step(x, y)
        last = m.loss(x, y)
        after = tensors(m)
        still, moved = 0.0, True
        for n in LAYERS:
            keep = before[n + ".weight.sampled"] != 0
            for k in "UV":
                key = n + ".weight." + k
                still = max(still, float(np.abs(after[key][:, ~keep] - before[key][:, ~keep]).max()))
                moved &= not np.array_equal(after[key][:, keep], before[key][:, keep])
        finite = all(np.isfinite(v).all() for v in after.values())
        nonneg = all((after[n + ".weight.s"] >= 0).all() for n in LAYERS)
        unit = max(col_norm_err(after[n + ".weight." + k]) for n in LAYERS for k in "UV")
        if not (still <= 3e-6 and moved and finite and nonneg and unit <= 1e-5
                and last < first):
            fail(name, "unsampled columns moved %.3g, sampled moved %s, finite %s, s >= 0 %s, "
                 "unit columns %.3g, loss %.4g -> %.4g"
                 % (still, moved, finite, nonneg, unit, first, last))
        print("OK %s (unsampled columns moved %.3g; loss %.4g -> %.4g)"
              % (name, still, first, last))


if __name__ == "__main__":
    if sys.argv[1] == "--write-base":
        wl.safetensors.save_file(make_bases(), sys.argv[2])
    elif sys.argv[1] == "--sampling":
        run_sampling(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "--optimizer":
        run_optimizer(sys.argv[2], sys.argv[3])
    else:
        run(sys.argv[1], sys.argv[2])
