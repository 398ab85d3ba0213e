"""The structure-constraint lines (`--only structure-constraints`): what a constraint written on a
structured weight costs in one training step. wlc enforces such a constraint through the structure
(spectral_bound(c) on kronecker bounds each factor by √c, on monarch every block of L and R by √c,
on blockdiag each block, on lowrank U and V, or their product; orthonormal on blockdiag /
kronecker / monarch makes each factor orthonormal), so a constrained structured step should stay
as cheap, relative to the constrained dense step, as the unconstrained structured step is.

Each configuration (a structure, a constraint or none, an optimizer) is one generated library, the
MLP n -> n -> 10 of the structure lines with l1 structured, timed in its own process
(wlbench/structconside.py: wl only, no torch): one wl_train_step = zero_grad + forward + loss +
backward + optimizer + constraint. Every configuration runs once per pass, the passes in alternating
order (ABBA: the second pass runs the list backwards), so that drift in the machine's load spreads
over all of them; a configuration's figure is the median over the rounds of all its passes. No
PyTorch peer: the comparison is wl against wl (the constrained step vs the same structure
unconstrained, and vs the dense step with the same constraint)."""
import math
import os

import numpy as np

from .config import CLASSES, CONSTRAINT_C, SC_LINES
from .harness import med_ms, spread
from .programs import ADAMW_GROUP, MUON_GROUP, compile_or_skip, constrained_wl
from .apart import run_side
from .structures import structure_specs

STRUCTS = ("dense", "kronecker", "monarch", "blockdiag", "lowrank")
# method -> (the `with ...` clause of l1's weight, short title)
METHODS = {
    "none": ("", "unconstrained"),
    "normalize": (f" with spectral_bound({CONSTRAINT_C})", f"spectral_bound({CONSTRAINT_C}) normalize"),
    "svd_clip": (f" with spectral_bound({CONSTRAINT_C}, method = svd_clip)",
                 f"spectral_bound({CONSTRAINT_C}) svd_clip"),
    "soft_cap": (f" with spectral_bound({CONSTRAINT_C}, method = soft_cap)",
                 f"spectral_bound({CONSTRAINT_C}) soft_cap"),
    "orthonormal": (" with orthonormal", "orthonormal"),
}
OPTIMIZERS = {"adamw": "AdamW", "muon": "Muon on l1.weight, AdamW on the rest"}


def line_configs(line):
    """The constrained configurations (structure, method, optimizer) a --sc-lines entry asks for."""
    if line in STRUCTS:  # the structure unconstrained vs spectral_bound normalize (the default method)
        return [(line, "normalize", "adamw")]
    if line == "svd_clip":
        return [("dense", "svd_clip", "adamw"), ("kronecker", "svd_clip", "adamw")]
    if line == "soft_cap":  # soft_cap's home: under Muon (AdamW's update has no spectral bound)
        return [("dense", "soft_cap", "muon"), ("kronecker", "soft_cap", "muon")]
    if line == "orthonormal":
        return [(s, "orthonormal", "adamw") for s in ("dense", "blockdiag", "kronecker", "monarch")]
    raise ValueError(line)


def partner(cfg):
    """The same structure and optimizer without the constraint."""
    return (cfg[0], "none", cfg[2])


def dense_ref(cfg):
    """The dense step with the same constraint and optimizer: what the structured one is compared with."""
    return ("dense", cfg[1], cfg[2])


def plan_configs(lines):
    """(constrained configurations in table order, every configuration to time in run order): each
    constrained one brings its unconstrained partner, its dense reference and that one's partner."""
    constrained = []
    for line in lines:
        for cfg in line_configs(line):
            for c in (dense_ref(cfg), cfg):
                if c not in constrained:
                    constrained.append(c)
    needed = set(constrained) | {partner(c) for c in constrained}
    order = [(s, m, o) for o in OPTIMIZERS for s in STRUCTS for m in METHODS if (s, m, o) in needed]
    constrained.sort(key=lambda c: (list(OPTIMIZERS).index(c[2]), list(METHODS).index(c[1]), STRUCTS.index(c[0])))
    return constrained, order


def title(specs, cfg):
    s, m, o = cfg
    # "under Muon", not "+ Muon": the goal of the soft_cap + Muon lines vs torch picks "soft_cap + Muon"
    return f"{specs[s][0]} {METHODS[m][1]} under {'AdamW' if o == 'adamw' else 'Muon'}"


def fmt_ms(sm):
    """A summary's median ms, or — when that configuration did not run."""
    return "—" if sm is None else f"{sm['ms']:.3f}"


def wl_text(specs, cfg, n):
    s, m, o = cfg
    weight = specs[s][1] + METHODS[m][0]
    groups = [f"default: {ADAMW_GROUP}"] if o == "adamw" else [f"l1.weight: {MUON_GROUP}", f"default:   {ADAMW_GROUP}"]
    return constrained_wl(n, weight, groups, f"BenchSC_{s}_{m}_{o}")


# ---- the spectrum the constraint left -------------------------------------------------------

def singular_values(struct, p, n):
    """All singular values of l1's W (float64) from its stored tensors p (`l1.weight.*`): exactly,
    from the factors where the structure allows it, else from W materialised (dense, monarch)."""
    f = {k.replace("l1.weight", "").lstrip("."): np.asarray(v, np.float64) for k, v in p.items()}
    sv = lambda a: np.linalg.svd(a, compute_uv=False)  # noqa: E731
    if struct == "dense":
        return sv(f[""])
    if struct == "kronecker":
        A, B = f["A"], f["B"]
        if A.shape[0] == 1:  # one term: σ(A ⊗ B) = σ(A) ⊗ σ(B)
            return np.outer(sv(A[0]), sv(B[0])).ravel()
        return sv(sum(np.kron(a, b) for a, b in zip(A, B)))
    if struct == "blockdiag":  # the blocks' singular values together
        return np.concatenate([sv(blk) for blk in f["blocks"]])
    if struct == "lowrank":  # W = U Vᵀ = Q_U (R_U R_Vᵀ) Q_Vᵀ: the r nonzero ones (n - r more are 0)
        return sv(np.linalg.qr(f["U"])[1] @ np.linalg.qr(f["V"])[1].T)
    if struct == "monarch":  # W e_j for every j (README: h = R x per group, y = L h across groups)
        R, L = f["R"], f["L"]
        b, c = R.shape[0], R.shape[1]
        X = np.eye(n).reshape(n, b, c)
        h = np.einsum("gkc,jgc->jgk", R, X)
        y = np.einsum("kug,jgk->juk", L, h)
        return sv(y.reshape(n, n).T)
    raise ValueError(struct)


def spectrum_note(struct, method, p, n):
    s = singular_values(struct, p, n)
    if method == "orthonormal":
        return f"σ(W) in [{s.min():.4f}, {s.max():.4f}]"
    return f"σ_max(W) {s.max():.4f}"


# ---- the run ----------------------------------------------------------------------------------

class StructConRun:
    def __init__(self, ctx, lines, size, passes):
        self.ctx, self.lines, self.passes = ctx, lines, max(1, passes)
        self.B, self.n = size
        self.specs = structure_specs(self.n)
        self.constrained, self.order = plan_configs(lines)
        self.rounds = math.ceil(ctx.args.rounds / self.passes)  # per pass

    def batch(self):
        rng = np.random.default_rng(4)  # its own generator: the batch does not depend on what else runs
        path = os.path.join(self.ctx.workdir, f"sc_B{self.B}_n{self.n}.batch.npz")
        np.savez(path, x=rng.random((self.B, self.n), dtype=np.float32),
                 labels=rng.integers(0, CLASSES, self.B).astype(np.int32),
                 dy=rng.standard_normal((self.B, CLASSES)).astype(np.float32))
        return path

    def compile_all(self):
        """{cfg: (library, wlc seconds)}; a configuration wlc refuses is a `skipped` row."""
        libs = {}
        for cfg in self.order:
            name = self.row_name(cfg)
            compiled = compile_or_skip(self.ctx, wl_text(self.specs, cfg, self.n), "sc_" + "_".join(cfg), name,
                                       any_error_ok=True)
            if compiled is not None:
                libs[cfg] = compiled
        return libs

    def row_name(self, cfg):
        return f"structure constraint step B={self.B} n={self.n}: {title(self.specs, cfg)}"

    def run(self):
        ctx = self.ctx
        ctx.say(f"  [{ctx.elapsed():4.0f} s] structure-constraint lines at B={self.B}, n={self.n}: "
                f"{len(self.order)} configurations × {self.passes} pass{'es' * (self.passes != 1)} "
                f"({self.rounds} rounds each), one process each")
        libs = self.compile_all()
        batch = self.batch()
        res = {cfg: [] for cfg in libs}
        for p in range(self.passes):
            order = [c for c in (self.order if p % 2 == 0 else self.order[::-1]) if c in libs]
            for cfg in order:
                stem = "sc_" + "_".join(cfg)
                spec = dict(lib=libs[cfg][0], batch=batch, rounds=self.rounds, slow_rounds=ctx.args.slow_rounds,
                            block=ctx.block, settle=ctx.args.settle, pieces=(p == 0),
                            after=os.path.join(ctx.workdir, f"{stem}.pass{p}.after.npz"))
                try:
                    r = run_side(ctx, "wl", spec, stem, label=f"pass{p}", worker="wlbench.structconside")
                except RuntimeError as e:
                    ctx.say(f"    {title(self.specs, cfg)}: {e}")
                    continue
                r["after"] = spec["after"]
                res[cfg].append(r)
                ctx.say(f"    [{ctx.elapsed():4.0f} s] pass {p + 1}/{self.passes} {title(self.specs, cfg):<62} "
                        f"{med_ms(r['times']):9.3f} ms ({len(r['times'])}×k, k={r['k']})")
        self.report(res, libs)

    def summary(self, cfg, res):
        """(median ms over all rounds of all passes, the passes' own medians, pieces' medians or None)."""
        rs = res.get(cfg) or []
        if not rs:
            return None
        ts = [t for r in rs for t in r["times"]]
        pieces = next((r["pieces"] for r in rs if r["pieces"]), {})
        return {"ms": med_ms(ts), "passes": [med_ms(r["times"]) for r in rs], "spread": spread(ts),
                "k": [r["k"] for r in rs], "slow": any(r["slow"] for r in rs),
                "pieces": {k: med_ms(v) for k, v in pieces.items()}, "last": rs[-1],
                "losses": (rs[0]["loss_first"], rs[-1]["loss_last"])}

    def report(self, res, libs):
        ctx, n = self.ctx, self.n
        S = {cfg: self.summary(cfg, res) for cfg in self.order}
        table = [f"Structure-constraint lines (B = {self.B}, n = {n}; `--only structure-constraints`): one "
                 "wl_train_step (forward + loss + backward + optimizer + constraint) of the MLP n → n → 10 "
                 "whose l1 is the structure, each configuration in its own process, "
                 f"{self.passes} pass{'es' * (self.passes != 1)} in ABBA order × {self.rounds} rounds, median "
                 "over all rounds. overhead = constrained / unconstrained (same structure, same optimizer); "
                 "dense / this = the dense step with the same constraint and optimizer / this step. "
                 "wl_step = optimizer + constraint alone (on a fixed gradient); fwd+bwd = wl_backward alone "
                 "(forward + backward from a fixed dy, no loss; it also computes dx, which the training step "
                 "does not need for l1); both timed on their own in the first pass. σ: the singular values of "
                 "l1's W after the last pass's steps (float64, from the factors).", "",
                 "| structure | constraint, optimizer | unconstrained ms | constrained ms | overhead | "
                 "dense constrained ms | dense / this | wl_step ms (unconstr. → constr.) | fwd+bwd ms "
                 "(unconstr. → constr.) | σ after |",
                 "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for cfg in self.constrained:
            s, m, o = cfg
            me, un, de = S.get(cfg), S.get(partner(cfg)), S.get(dense_ref(cfg))
            name = self.row_name(cfg)
            if me is None:
                if not any(r[0] == name for r in ctx.rows):
                    ctx.rows.append((name, None, None, None, "skipped: no timing (its process failed)"))
                continue
            try:
                sigma = spectrum_note(s, m, np.load(me["last"]["after"]), n)
            except (OSError, ValueError, KeyError, np.linalg.LinAlgError) as e:
                sigma = f"σ not read ({e})"
            over = f"{me['ms'] / un['ms']:.2f}×" if un else "—"
            ratio = de["ms"] / me["ms"] if de and cfg != dense_ref(cfg) else None
            fmt_ratio = "—" if ratio is None else f"{ratio:.2f}×"

            def piece(sm, key):
                return f"{sm['pieces'][key]:.3f}" if sm and key in sm["pieces"] else "—"
            table.append(
                f"| {self.specs[s][0]} | {METHODS[m][1]}, {'AdamW' if o == 'adamw' else 'Muon'} | "
                f"{fmt_ms(un)} | {me['ms']:.3f} | {over} | "
                f"{fmt_ms(de)} | {fmt_ratio} | "
                f"{piece(un, 'step')} → {piece(me, 'step')} | {piece(un, 'backward')} → {piece(me, 'backward')} | "
                f"{sigma} |")
            notes = [f"wl_train_step, l1 = `{self.specs[s][1]}{METHODS[m][0]}`, {OPTIMIZERS[o]}"]
            if cfg == dense_ref(cfg):
                notes.append("the reference of this constraint's structured lines (no peer: wl vs wl)")
            elif de is not None:
                notes.append(f"peer = wl's dense step with the same constraint and optimizer ({de['ms']:.3f} ms)")
            if un is not None:
                notes.append(f"unconstrained {un['ms']:.3f} ms, overhead {me['ms'] / un['ms']:.2f}×")
            if me["pieces"]:
                pc = me["pieces"]
                notes.append(f"pieces: wl_forward {pc['forward']:.3f}, wl_backward (with dx) {pc['backward']:.3f}, "
                             f"wl_step {pc['step']:.3f} ms" + (f" (unconstrained {un['pieces']['step']:.3f})"
                                                              if un and un["pieces"] else ""))
            notes.append(sigma)
            notes.append(f"loss {me['losses'][0]:.4f} at step 1 → {me['losses'][1]:.4f} after the last pass")
            notes.append(f"own process per configuration and pass, not alternated; passes "
                         f"{' / '.join(f'{v:.3f}' for v in me['passes'])} ms; k={'/'.join(map(str, me['k']))}"
                         + ("; slow line: 1 call per round" if me["slow"] else "")
                         + f"; spread {me['spread']:.0%}; wlc {libs[cfg][1]:.1f} s")
            ctx.rows.append((name, me["ms"], None if ratio is None else de["ms"], ratio, "; ".join(notes)))
            ctx.say(f"  {name:<26} wl {me['ms']:10.3f} ms  unconstrained "
                    f"{fmt_ms(un)} ms  overhead {over}  dense/this "
                    f"{fmt_ratio}  {sigma}")
        table.append("")
        ctx.tables.append(table)


def run_structure_constraints(ctx, lines, size, passes):
    """The structure-constraint lines `lines` (of SC_LINES) at size (B, n): StructConRun."""
    assert set(lines) <= set(SC_LINES)
    StructConRun(ctx, lines, size, passes).run()
