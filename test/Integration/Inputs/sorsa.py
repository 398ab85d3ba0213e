"""sorsa(rank, alpha, gamma) (CPU/sorsa.wl): the SVD split of a frozen base, the
forward, the gradients, the orthonormal regulariser inside the AdamW step, muon.

    usage: sorsa.py --write-base FILE          writes the bases the .wl loads
           sorsa.py lib.so FILE GAMMA          runs the checks (prints `OK <name>` each)
           sorsa.py --muon lib.so FILE         muon on A and B trains

Reference: numpy's float64 SVD W0 = U S V^T and a float64 forward/backward written
here. For each sorsa layer L (rank r, s = alpha/r):
  exact_<L>    wl_get_weight == W0 at creation (1e-6 relative): the split is exact;
  factors_<L>  sorsa_B == U_r, sorsa_S == S_r, sorsa_A == V_r^T, each singular pair up
               to a common sign (1e-5);
  residual_<L> the base == W0 - s U_r diag(S_r) V_r^T (1e-5);
  trainable_<L> A, S, B train, the base is frozen.
Then for the model b(a(x)) (no bias):
  forward      y == the float64 forward from the library's tensors (1e-5);
  grad         after backward(x, dy): every gradient of A, S, B == central finite
               differences of <dy, y> in float64 (1e-4 relative);
  step         A and B perturbed away from orthonormal, then two AdamW steps (PyTorch
               AdamW with decoupled weight decay) on g + gamma/(lr n) grad ||M||_F for
               A and B (M = A A^T - I, B^T B - I; n = 4 factors), checked against the
               float64 reference (1e-4); `penalty` says the regulariser's share is far
               above that tolerance (gamma > 0) or absent (gamma = 0).
"""
import sys

import numpy as np

import wl

LAYERS = {"a": (8, 12, 3, None), "b": (10, 8, 4, 8.0)}  # out, in, rank, alpha
LR, WD, BETA1, BETA2, EPS = 0.01, 0.1, 0.9, 0.999, 1e-8
N_FACTORS = 2 * len(LAYERS)


def make_bases():
    rng = np.random.default_rng(11)
    return {name: rng.normal(0, 0.5, (o, i)).astype(np.float32)
            for name, (o, i, _, _) in LAYERS.items()}


def rel(a, b):
    b = np.asarray(b, np.float64)
    return float(np.abs(np.asarray(a, np.float64) - b).max() / max(np.abs(b).max(), 1e-30))


def check(name, err, tol):
    if not err <= tol:
        raise SystemExit("FAIL %s: error %.3g > %.3g" % (name, err, tol))
    print("OK %s (error %.3g)" % (name, err))


def scale(name):
    _, _, r, alpha = LAYERS[name]
    return (alpha if alpha is not None else r) / r


def tensors(m):
    """The library's tensors of both layers, float64."""
    return {k: m.params[k].astype(np.float64) for k in m.params}


def forward(p, x):
    """y and the layer inputs, float64: layer(h) = h W_res^T + s ((h A^T) S) B^T."""
    hs = [x]
    h = x
    for name in LAYERS:
        w = name + ".weight."
        t = h @ p[w + "sorsa_A"].T
        h = h @ p[w + "base"].T + scale(name) * (t * p[w + "sorsa_S"]) @ p[w + "sorsa_B"].T
        hs.append(h)
    return h, hs


def backward(p, x, dy):
    """Gradients of <dy, y> for A, S, B of each layer (float64, by hand)."""
    _, hs = forward(p, x)
    grads = {}
    g = dy
    for i, name in reversed(list(enumerate(LAYERS))):
        w, h, s = name + ".weight.", hs[i], scale(name)
        A, S, B = p[w + "sorsa_A"], p[w + "sorsa_S"], p[w + "sorsa_B"]
        t = h @ A.T
        u = t * S
        grads[w + "sorsa_B"] = s * g.T @ u
        du = s * g @ B
        grads[w + "sorsa_S"] = (du * t).sum(0)
        dt = du * S
        grads[w + "sorsa_A"] = dt.T @ h
        g = dt @ A + g @ p[w + "base"]
    return grads


def penalty_grad(w, transposed):
    """grad of ||A A^T - I||_F (or ||B^T B - I||_F), float64."""
    if transposed:
        return penalty_grad(w.T, False).T
    M = w @ w.T - np.eye(w.shape[0])
    norm = np.linalg.norm(M)
    return np.zeros_like(w) if norm == 0 else 2 * M @ w / norm


def adamw_steps(p, x, dy, gamma, steps):
    p = {k: v.copy() for k, v in p.items()}
    state = {}
    for t in range(1, steps + 1):
        grads = backward(p, x, dy)
        for k, g in grads.items():
            if not k.endswith("sorsa_S"):
                g = g + gamma / (LR * N_FACTORS) * penalty_grad(p[k], k.endswith("sorsa_B"))
            m, v = state.get(k, (np.zeros_like(g), np.zeros_like(g)))
            m = BETA1 * m + (1 - BETA1) * g
            v = BETA2 * v + (1 - BETA2) * g * g
            state[k] = (m, v)
            w = p[k] * (1 - LR * WD)
            p[k] = w - LR * (m / (1 - BETA1 ** t)) / (np.sqrt(v / (1 - BETA2 ** t)) + EPS)
    return p


def check_split(lib, m, bases):
    for name, (o, i, r, alpha) in LAYERS.items():
        s, w = scale(name), name + ".weight."
        w0 = bases[name].astype(np.float64)
        U, S, Vt = np.linalg.svd(w0, full_matrices=False)
        A, Sv, B = (m.params[w + "sorsa_" + t].astype(np.float64) for t in "ASB")
        check("exact_" + name, rel(m.weight(name), w0), 1e-6)
        sign = np.sign(np.sum(B * U[:, :r], axis=0))
        check("factors_" + name, max(rel(B * sign, U[:, :r]), rel(Sv, S[:r]),
                                     rel(A * sign[:, None], Vt[:r])), 1e-5)
        check("residual_" + name, rel(m.params[w + "base"],
                                      w0 - s * U[:, :r] @ np.diag(S[:r]) @ Vt[:r]), 1e-5)
        trainable = {q.name: q.trainable for q in lib.params}
        if trainable[w + "base"] or not all(trainable[w + "sorsa_" + t] for t in "ASB"):
            raise SystemExit("FAIL trainable_%s: %s" % (name, trainable))
        print("OK trainable_" + name)


def run(lib_path, base_file, gamma):
    bases = wl.safetensors.load_file(base_file)
    lib = wl.load_library(lib_path)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, lib.input_size)).astype(np.float32)
    dy = rng.normal(size=(5, lib.output_size)).astype(np.float32)
    with lib.create(seed=1) as m:
        check_split(lib, m, bases)
        p = tensors(m)
        check("forward", rel(m.forward(x), forward(p, x.astype(np.float64))[0]), 1e-5)
        # Finite differences of <dy, y> in float64 at the library's tensors.
        m.zero_grad()
        m.backward(x, dy)
        x64, dy64, h = x.astype(np.float64), dy.astype(np.float64), 1e-6
        worst = 0.0
        for k in p:
            if ".sorsa_" not in k:
                continue
            fd = np.zeros_like(p[k])
            for idx in np.ndindex(p[k].shape):
                q = dict(p)
                for sgn in (1, -1):
                    q[k] = p[k].copy()
                    q[k][idx] += sgn * h
                    fd[idx] += sgn * np.sum(dy64 * forward(q, x64)[0]) / (2 * h)
            worst = max(worst, rel(m.grads[k], fd))
        check("grad", worst, 1e-4)
        # Two AdamW steps away from orthonormal factors (where the regulariser acts).
        for name in LAYERS:
            for t in "AB":
                k = name + ".weight.sorsa_" + t
                m.params[k] = (p[k] + 0.2 * rng.normal(size=p[k].shape)).astype(np.float32)
        p = tensors(m)
        for _ in range(2):
            m.zero_grad()
            m.backward(x, dy)
            m.step()
        ref = adamw_steps(p, x64, dy64, gamma, 2)
        plain = adamw_steps(p, x64, dy64, 0.0, 2)
        err = max(rel(m.params[k], ref[k]) for k in ref if ".sorsa_" in k)
        check("step", err, 1e-4)
        share = max(rel(ref[k], plain[k]) for k in ref if ".sorsa_" in k)
        if (gamma > 0) != (share > 1e-2):
            raise SystemExit("FAIL penalty: the regulariser changes the step by %.3g" % share)
        print("OK penalty (share %.3g)" % share)


def run_muon(lib_path, base_file):
    lib = wl.load_library(lib_path)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(16, lib.input_size)).astype(np.float32)
    y = rng.integers(0, lib.output_size, size=16).astype(np.int32)
    with lib.create(seed=1) as m:
        before = tensors(m)
        first = m.loss(x, y)
        for _ in range(30):
            m.train_step(x, y)
        last = m.loss(x, y)
        after = tensors(m)
        moved = all(not np.array_equal(before[k], after[k]) for k in before if ".sorsa_" in k)
        finite = all(np.isfinite(v).all() for v in after.values())
        if not (moved and finite and last < first):
            raise SystemExit("FAIL muon: moved %s finite %s loss %.4g -> %.4g"
                             % (moved, finite, first, last))
        print("OK muon (loss %.4g -> %.4g)" % (first, last))


if __name__ == "__main__":
    if sys.argv[1] == "--write-base":
        wl.safetensors.save_file(make_bases(), sys.argv[2])
    elif sys.argv[1] == "--muon":
        run_muon(sys.argv[2], sys.argv[3])
    else:
        run(sys.argv[1], sys.argv[2], float(sys.argv[3]))
