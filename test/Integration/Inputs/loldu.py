"""loldu(rank, alpha) (CPU/loldu.wl): the LU split of a frozen base, its gradient, merge.

    usage: loldu.py --write-base FILE   writes the bases the .wl loads
           loldu.py lib.so FILE         runs the checks (prints `OK <name>` each)
           loldu.py --expect-error lib.so   wl_create must fail with a clear message

Reference: an independent float64 LU with partial pivoting written here in numpy
(Doolittle, largest-magnitude pivot per column, as LAPACK's getrf chooses), so
W0 = P L U, D = diag(U), U1 = D^-1 U. For each loldu layer (rank r, s = alpha/r):
  exact_<L>    wl_get_weight == W0 at creation (1e-6 relative): the split is exact;
  factors_<L>  loldu_L == (P L)[:, :r], loldu_z == D_r, loldu_U == U1[:r, :] (1e-5);
  residual_<L> the base == W0 - s (PL)_r diag(D_r) U_r (1e-5);
  frozen_<L>   loldu_L, loldu_U and the base are frozen, only loldu_z trains;
  grad_<L>     after backward(x, dy): dz_i = s ((PL)_r^T G U_r^T)_ii with G = dy^T x
               (1e-4 relative), and no other tensor of the layer has a gradient;
  train_<L>    after optimizer steps: z moved, L, U and the base unchanged bit for bit,
               wl_get_weight == base + s L diag(z) U (1e-5);
  export_<L>   wl_export_dense writes that merged W.
"""
import sys

import numpy as np

import wl

LAYERS = {"a": (8, 12, 3, None), "b": (10, 8, 4, 8.0)}  # out, in, rank, alpha


def make_bases():
    rng = np.random.default_rng(7)
    return {name: rng.normal(0, 0.5, (o, i)).astype(np.float32)
            for name, (o, i, _, _) in LAYERS.items()}


def lu_reference(w):
    """P, L, U of w (float64) with partial pivoting: w = P L U."""
    a = np.array(w, dtype=np.float64)
    m, n = a.shape
    k = min(m, n)
    perm = np.arange(m)
    for j in range(k):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        if p != j:
            a[[j, p]] = a[[p, j]]
            perm[[j, p]] = perm[[p, j]]
        if a[j, j] != 0:
            a[j + 1:, j] /= a[j, j]
            a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:])
    L = np.tril(a[:, :k], -1) + np.eye(m, k)
    U = np.triu(a[:k, :])
    P = np.zeros((m, m))  # row perm[i] of w is row i of L U
    P[perm, np.arange(m)] = 1.0
    assert np.allclose(P @ L @ U, w, atol=1e-9 * max(1.0, np.abs(w).max()))
    return P, L, U


def rel(a, b):
    return float(np.abs(np.asarray(a, np.float64) - b).max() / max(np.abs(b).max(), 1e-30))


def check(name, err, tol):
    if not err <= tol:
        raise SystemExit("FAIL %s: error %.3g > %.3g" % (name, err, tol))
    print("OK", name)


def run(lib_path, base_file):
    bases = wl.safetensors.load_file(base_file)
    lib = wl.load_library(lib_path)
    rng = np.random.default_rng(3)
    with lib.create(seed=1) as m:
        for name, (o, i, r, alpha) in LAYERS.items():
            s = (alpha if alpha is not None else r) / r
            w0 = bases[name].astype(np.float64)
            P, L, U = lu_reference(w0)
            D = np.diag(U)[:r]
            pl, u1 = (P @ L)[:, :r], (U / np.diag(U)[:, None])[:r]
            lf, zf, uf = (m.params[name + ".weight.loldu_" + t] for t in "LzU")
            check("exact_" + name, rel(m.weight(name), w0), 1e-6)
            check("factors_" + name, max(rel(lf, pl), rel(zf, D), rel(uf, u1)), 1e-5)
            check("residual_" + name, rel(m.params[name + ".weight.base"],
                                          w0 - s * pl @ np.diag(D) @ u1), 1e-5)
            trainable = {p.name: p.trainable for p in lib.params}
            frozen = [name + ".weight." + t for t in ("loldu_L", "loldu_U", "base")]
            if any(trainable[t] for t in frozen) or not trainable[name + ".weight.loldu_z"]:
                raise SystemExit("FAIL frozen_%s: %s" % (name, trainable))
            print("OK frozen_" + name)
        # Gradient of z through the whole model: backward with dy at the output layer b.
        x = rng.normal(size=(5, lib.input_size)).astype(np.float32)
        dy = rng.normal(size=(5, lib.output_size)).astype(np.float32)
        m.zero_grad()
        m.backward(x, dy)
        # b's input is a's output; b has no bias and is the last layer: G_b = dy^T h.
        name, (o, i, r, alpha) = "b", LAYERS["b"]
        s = alpha / r
        wa = m.weight("a").astype(np.float64)
        h = x.astype(np.float64) @ wa.T  # a has no bias either
        G = dy.astype(np.float64).T @ h
        lf = m.params["b.weight.loldu_L"].astype(np.float64)
        uf = m.params["b.weight.loldu_U"].astype(np.float64)
        dz = s * np.diag(lf.T @ G @ uf.T)
        check("grad_b", rel(m.grads["b.weight.loldu_z"], dz), 1e-4)
        before = {k: m.params[k].copy() for k in (
            "b.weight.loldu_L", "b.weight.loldu_U", "b.weight.base", "b.weight.loldu_z")}
        for _ in range(3):
            m.zero_grad()
            m.backward(x, dy)
            m.step()
        for k in ("b.weight.loldu_L", "b.weight.loldu_U", "b.weight.base"):
            if not np.array_equal(m.params[k], before[k]):
                raise SystemExit("FAIL train_b: %s changed" % k)
        if np.array_equal(m.params["b.weight.loldu_z"], before["b.weight.loldu_z"]):
            raise SystemExit("FAIL train_b: z did not move")
        z = m.params["b.weight.loldu_z"].astype(np.float64)
        merged = m.params["b.weight.base"] + s * lf @ np.diag(z) @ uf
        check("train_b", rel(m.weight("b"), merged), 1e-5)
        import os, tempfile
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "dense.safetensors")
            m.export_dense(path)
            check("export_b", rel(wl.safetensors.load_file(path)["b.weight"], merged), 1e-5)


def expect_error(lib_path):
    lib = wl.load_library(lib_path)
    try:
        lib.create(seed=0)
    except wl.WLError as e:
        print("ERROR", e)
        return
    raise SystemExit("FAIL: wl_create succeeded on a base with a zero pivot")


if __name__ == "__main__":
    if sys.argv[1] == "--write-base":
        t = make_bases()
        z = np.zeros((6, 6), np.float32)
        z[:, 3:] = np.random.default_rng(1).normal(size=(6, 3))  # first 3 columns zero
        t["zero"] = z
        wl.safetensors.save_file(t, sys.argv[2])
    elif sys.argv[1] == "--expect-error":
        expect_error(sys.argv[2])
    else:
        run(sys.argv[1], sys.argv[2])
