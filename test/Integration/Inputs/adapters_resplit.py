"""Initialisers that re-split a frozen base (CPU/adapters_resplit.wl): lora(init = pissa),
svfit, kronecker(init = kpsvd), and frozen(init = from("file.safetensors", "tensor")).

    usage: adapters_resplit.py --write-base FILE    writes the bases the .wl loads
           adapters_resplit.py lib.so FILE          runs the checks

The original base W0 of every layer is known independently of the library: the tensors
this script writes to FILE (from(...); one of them stored as F64, which the runtime rounds
to float32), or, for normal / uniform bases, the runtime's documented counter-based
initialiser (runtime/README.md "Random numbers", replicated in adapters_ref.init_replica;
rng_replica_<L> first checks the replica bit for bit on a base that is not re-split).
The reference split is an independent float64 numpy SVD of W0 (of its Van Loan–Pitsianis
rearrangement for KPSVD). Checks at creation (seed SEED), each printing `OK <name>`:

  from_<tensor>        a from(...) base / bias == the file's tensor bit for bit (F64: the
                       float32 rounding of the file's value);
  exact_<L>            wl_get_weight == W0 (1e-6 relative): the re-split is exact;
  pissa_split_<L>      B A == U_r S_r V_r^T of W0 (1e-5 relative to |W0|_max);
  pissa_factors_<L>    B^T B == A A^T == diag(S_r) (B = U_r sqrt(S_r), A = sqrt(S_r) V_r^T);
  pissa_residual_<L>   |W_res|_F == sqrt(sum_{i>r} sigma_i^2) (1e-5 relative);
  svfit_s_<L>          s == the top-r singular values of W0 (1e-6 relative);
  svfit_uv_<L>         U, V orthonormal (1e-6) and U diag(s) V^T == U_r S_r V_r^T (1e-5);
  svfit_residual_<L>   |W_res|_F == the tail (1e-5);
  kpsvd_best_<L>       sum_k A_k (x) B_k == the best k-term Kronecker approximation (the
                       rank-k truncation of the rearranged W0 mapped back; 1e-5) and
                       |W0 - sum_k A_k (x) B_k|_F == sqrt(sum_{i>k} sigma_i(R)^2) (1e-5);
  kpsvd_balanced_<L>   |A_k|_F == |B_k|_F == sqrt(sigma_k(R)) (1e-5).
Then adapters.run's generic checks on this model (adapters.py's docstring): names, shapes
and trainable flags (svfit's U, V frozen), the weights of the formula (the pissa term
unscaled: W_res + B A), bounds, forward, gradients vs torch and finite differences (s of
svfit, the PiSSA / KPSVD factors), wl_export_dense, training (frozen U, V and bases
unchanged bit for bit).
"""
import sys

import numpy as np

import adapters
import adapters_ref as R
import wlharness
from adapters_ref import ALayer, ok, expect, Failure, rel

SEED = 5  # adapters.run creates its model with seed 5 as well
IN, CLASSES = 12, 4


def F(*init):
    return ("frozen", init)


LAYERS = [
    ALayer("pf", 8, 12, [F("from", "pf"), ("pissa", 3)]),
    ALayer("pn", 10, 8, [F("normal", 0.4), ("pissa", 2)], bias=False),
    ALayer("sf", 8, 10, [F("from", "sf"), ("svfit", 3)]),
    ALayer("sn", 8, 8, [F("uniform", 0.5), ("svfit", 2)]),
    ALayer("kf", 12, 8, [F("from", "kf"), ("kpsvd", (4, 2), (3, 4), 2)]),
    ALayer("kn", 6, 12, [F("normal", 0.3), ("kpsvd", (3, 4), (2, 3), 1)]),
    ALayer("rf", 6, 6, [F("normal", 0.4), ("lora", 2, 2.0)]),
    ALayer("head", 4, 6, [F("from", "head"), ("lora", 2, 4.0)]),
]
FORWARD = ["pf", "pn", "sf", "sn", "kf", "kn", "rf", "head"]
F64_TENSORS = ("kf",)  # written as F64 (the runtime rounds to nearest float32)

TOL_EXACT = 1e-6
TOL_SPLIT = 1e-5


def make_bases():
    """The from(...) tensors: W0 = U diag(sigma) V^T with well separated singular values
    (sigma_i = 2 * 0.7^i), except kf, a random matrix; and head's bias."""
    rng = np.random.default_rng(31)
    t = {}
    for name, o, i in (("pf", 8, 12), ("sf", 8, 10), ("head", 4, 6)):
        k = min(o, i)
        U = np.linalg.qr(rng.normal(size=(o, k)))[0]
        V = np.linalg.qr(rng.normal(size=(i, k)))[0]
        t[name] = ((U * (2.0 * 0.7 ** np.arange(k))) @ V.T).astype(np.float32)
    t["kf"] = rng.normal(0, 0.35, (12, 8))  # float64: stored as F64
    t["head.bias"] = rng.normal(0, 0.3, 4).astype(np.float32)
    return t


def rearrange(W, m1, n1, m2, n2):
    """Van Loan–Pitsianis: row i1 n1 + j1 = row-major vec of block (i1, j1) (m2 x n2)."""
    Rm = np.zeros((m1 * n1, m2 * n2))
    for i1 in range(m1):
        for j1 in range(n1):
            Rm[i1 * n1 + j1] = W[i1 * m2:(i1 + 1) * m2, j1 * n2:(j1 + 1) * n2].reshape(-1)
    return Rm


def original_bases(lib, seed, file_tensors):
    """W0 of every layer (float64 of the float32 values the initialiser produced)."""
    index = {n: j for j, (n, _, _) in enumerate(lib.param_info)}
    W0 = {}
    for l in LAYERS:
        init = [t for t in l.terms if t[0] == "frozen"][0][1]
        if init[0] == "from":
            W0[l.name] = np.asarray(file_tensors[init[1]]).astype(np.float32).astype(np.float64)
        else:
            p = index[l.name + ".weight.base"]
            W0[l.name] = R.init_replica(seed, p, (l.out, l.inp), init).astype(np.float64)
    return W0


def check_resplit(lib, base_file):
    files, _ = R.read_safetensors(base_file, ("F32", "F64"))  # what the .wl loaded
    want = make_bases()
    for k, v in want.items():  # the file holds what make_bases() wrote
        same = np.array_equal(files[k], v if k in F64_TENSORS else v.astype(np.float32))
        if not same:
            raise Failure("base file %s: tensor %s differs from make_bases()" % (base_file, k))
    m = lib.create(seed=SEED)
    p = m.params()
    W0 = original_bases(lib, SEED, want)
    # the replica of the runtime's initialiser, on a base that is not re-split
    for l in LAYERS:
        kinds = [t[0] for t in l.terms]
        init = l.terms[0][1]
        if init[0] in ("normal", "uniform") and not any(k in adapters.RESPLIT for k in kinds):
            got = p[l.name + ".weight.base"]
            expect(np.array_equal(got, W0[l.name].astype(np.float32)), "rng_replica_" + l.name,
                   "%s base == the runtime's documented initialiser, bit for bit" % (init,))
        if init[0] == "from" and not any(k in adapters.RESPLIT for k in kinds):
            got = p[l.name + ".weight.base"]
            expect(np.array_equal(got, want[init[1]].astype(np.float32)), "from_" + init[1])
    expect(np.array_equal(p["head.bias"], want["head.bias"]), "from_head.bias")
    worst = {}
    for l in LAYERS:
        kinds = [t[0] for t in l.terms]
        if not any(k in adapters.RESPLIT for k in kinds):
            continue
        L, W = l.name, W0[l.name]
        We = m.get_weight(L, (l.out, l.inp))
        e = rel(We, W)
        worst["exact"] = max(worst.get("exact", 0), e)
        ok("exact_" + L, e, TOL_EXACT, "(%s; W0 %s)" % (kinds[1], l.terms[0][1][0]))
        res = p[L + ".weight.base"].astype(np.float64)
        t = l.terms[1]
        if t[0] in ("pissa", "svfit"):
            r = t[1]
            U, S, Vt = np.linalg.svd(W)
            top = (U[:, :r] * S[:r]) @ Vt[:r]
            tail = np.sqrt(np.sum(S[r:] ** 2))
            if t[0] == "pissa":
                B = p[L + ".weight.lora_B"].astype(np.float64)
                A = p[L + ".weight.lora_A"].astype(np.float64)
                ok("pissa_split_" + L, rel(B @ A, top) * np.abs(top).max() / np.abs(W).max(),
                   TOL_SPLIT, "(B A vs the top-%d SVD part of W0)" % r)
                e = max(rel(B.T @ B, np.diag(S[:r])), rel(A @ A.T, np.diag(S[:r])))
                ok("pissa_factors_" + L, e, TOL_SPLIT, "(B^T B, A A^T vs diag(S_r))")
                ok("pissa_residual_" + L, abs(np.linalg.norm(res) - tail) / tail, TOL_SPLIT,
                   "(|W_res|_F %.6f, tail %.6f)" % (np.linalg.norm(res), tail))
            else:
                s = p[L + ".weight.s"].astype(np.float64)
                Uf = p[L + ".weight.U"].astype(np.float64)
                Vf = p[L + ".weight.V"].astype(np.float64)
                ok("svfit_s_" + L, rel(s, S[:r]), TOL_EXACT, "(s %s, sigma %s)" % (s, S[:r]))
                d = max(np.abs(Uf.T @ Uf - np.eye(r)).max(), np.abs(Vf.T @ Vf - np.eye(r)).max())
                e = rel((Uf * s) @ Vf.T, top) * np.abs(top).max() / np.abs(W).max()
                ok("svfit_uv_" + L, max(d / TOL_EXACT, e / TOL_SPLIT), 1.0,
                   "(orthonormality %.3g, U diag(s) V^T vs top part %.3g)" % (d, e))
                ok("svfit_residual_" + L, abs(np.linalg.norm(res) - tail) / tail, TOL_SPLIT,
                   "(|W_res|_F %.6f, tail %.6f)" % (np.linalg.norm(res), tail))
        else:
            (m1, n1), (m2, n2), k = t[1], t[2], t[3]
            Rm = rearrange(W, m1, n1, m2, n2)
            U, S, Vt = np.linalg.svd(Rm)
            best_R = (U[:, :k] * S[:k]) @ Vt[:k]
            best = np.zeros_like(W)
            for i1 in range(m1):
                for j1 in range(n1):
                    best[i1 * m2:(i1 + 1) * m2, j1 * n2:(j1 + 1) * n2] = \
                        best_R[i1 * n1 + j1].reshape(m2, n2)
            A = p[L + ".weight.A"].astype(np.float64)
            Bk = p[L + ".weight.B"].astype(np.float64)
            approx = sum(np.kron(A[q], Bk[q]) for q in range(k))
            tail = np.sqrt(np.sum(S[k:] ** 2))
            e1 = rel(approx, best) * np.abs(best).max() / np.abs(W).max()
            e2 = abs(np.linalg.norm(W - approx) - tail) / tail
            ok("kpsvd_best_" + L, max(e1, e2), TOL_SPLIT,
               "(sum A(x)B vs the rank-%d truncation %.3g; residual %.6f vs tail %.6f)"
               % (k, e1, np.linalg.norm(W - approx), tail))
            na = np.array([np.linalg.norm(A[q]) for q in range(k)])
            nb = np.array([np.linalg.norm(Bk[q]) for q in range(k)])
            e = max(rel(na, np.sqrt(S[:k])), rel(nb, np.sqrt(S[:k])))
            ok("kpsvd_balanced_" + L, e, TOL_SPLIT, "(|A_k|_F, |B_k|_F vs sqrt(sigma_k))")
    m.close()
    print("worst exactness %.3g" % worst.get("exact", 0))


def main():
    if sys.argv[1] == "--write-base":
        R.write_safetensors(sys.argv[2], {k: (v if k in F64_TENSORS else v.astype(np.float32))
                                          for k, v in make_bases().items()})
        return
    lib = wlharness.Library(sys.argv[1])
    np.set_printoptions(precision=6, linewidth=120)
    try:
        if lib.model_name != "Resplit":
            raise Failure("unknown model %r" % lib.model_name)
        check_resplit(lib, sys.argv[2])
        adapters.run(lib, IN, CLASSES, LAYERS, FORWARD)
    except Failure as e:
        print("FAIL", e)
        sys.exit(1)


if __name__ == "__main__":
    main()
