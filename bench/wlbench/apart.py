"""Each side of a line in its own process, torch at its best (issue 22).

A line's wl side runs alone in one process, and its torch side alone in one process per
environment of config.TORCH_ENVS (inherited; passive OpenMP + OpenBLAS waits; the same with
OpenBLAS on 1 thread); the fastest torch environment counts. The sides therefore never share
cores with each other's idle threads, and torch is not judged by an environment that handicaps
it. They are not alternated block by block: each process runs its own warm-up, calibration and
rounds, one after the other. `--together` times the two sides alternated in the parent instead
(harness.measure), as before issue 22."""
import collections
import json
import os
import subprocess
import sys

import numpy as np

from .abi import save_params
from .config import SLOW_NOTE, TORCH_ENVS, WL_SIDE_ENV
from .env import NTHREADS
from .harness import measure, med_ms, spread

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bench/: the workers' cwd


def run_side(ctx, side, spec, stem, extra_env=None, label=None, worker="wlbench.seqside"):
    """Runs one side in its own process (the module `worker`: lineside.py, seqside.py, gptside.py,
    structconside.py); returns its result dict."""
    spec_path = os.path.join(ctx.workdir, f"{stem}.{label or side}.spec.json")
    out_path = os.path.join(ctx.workdir, f"{stem}.{label or side}.result.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    env = dict(os.environ, WLBENCH_SIDE=side, **(extra_env or {}))
    argv = [sys.executable, "-m", worker, "--threads", str(NTHREADS)]
    argv += ["--system-malloc"] if ctx.args.system_malloc else []
    r = subprocess.run(argv + [spec_path, out_path], cwd=BENCH, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"the {label or side} process of {stem} exited with {r.returncode}")
    with open(out_path) as f:
        return json.load(f)


def env_text(extra):
    """An environment of TORCH_ENVS as the variables torch sees ('inherited' for none)."""
    if not extra:
        return f"inherited (OMP_NUM_THREADS={NTHREADS} OPENBLAS_NUM_THREADS={NTHREADS})"
    return " ".join(f"{'OPENBLAS_NUM_THREADS' if k == 'WLBENCH_OPENBLAS_THREADS' else k}={v}"
                    for k, v in extra.items())


def torch_envs(slow=False):
    """The (label, extra environment) a torch side runs in: TORCH_ENVS, less OpenBLAS on 1 thread
    on one thread (the same as passive) and for a slow line (its big products only lose a core)."""
    return [(label, extra) for label, extra in TORCH_ENVS
            if not (label == "passive-blas1" and (NTHREADS == 1 or slow))]


def header_line():
    """The report's line on how the torch sides ran."""
    return ("- torch's environments (issue 22): each torch side runs in its own process once per environment, "
            "the fastest counts: " + "; ".join(f"`{label}`: {env_text(extra)}" for label, extra in TORCH_ENVS)
            + " (`passive-blas1` only with more than 1 thread and not on slow lines); the wl side runs alone in "
            f"its own process with {env_text(WL_SIDE_ENV)}, as `import wl` sets it; a line's notes give every "
            "environment's median")


class ApartTiming(collections.namedtuple("ApartTiming", "wl_ms peer_ms rounds k_wl k_peer slow t_wl t_peer "
                                                        "envs best wl_side")):
    """A line timed apart: medians (ms) of wl and of the best torch environment, every
    environment's median (envs: {label: ms}), and the wl process's own result (wl_side)."""

    @property
    def ratio(self):
        return self.peer_ms / self.wl_ms

    def notes(self):
        tried = " / ".join(f"{label} {ms:.2f} ms" for label, ms in self.envs.items())
        return "; ".join([f"separate processes; torch best of {tried} (best: {self.best})",
                          f"{len(self.t_wl)}/{len(self.t_peer)} rounds, k={self.k_wl}/{self.k_peer}"]
                         + ([SLOW_NOTE.replace("the check step", "the first call")] if self.slow else [])
                         + [f"spread {spread(self.t_wl):.0%}/{spread(self.t_peer):.0%}"])


def measure_apart(ctx, stem, spec, batch, same_wl=None):
    """Times a line apart: lineside.py once for wl, once per torch environment. spec: the line
    (kind, key, n, lib, params, ...; see lineside.py), batch: its arrays (saved to an .npz).
    same_wl: an earlier line's ApartTiming of the same wl model and batch (another torch peer of
    it): its wl timing is reused instead of running the wl process again."""
    batch_path = os.path.join(ctx.workdir, f"{stem}.batch.npz")
    np.savez(batch_path, **batch)
    base = dict(spec, batch=batch_path, rounds=ctx.args.rounds, slow_rounds=ctx.args.slow_rounds,
                block=ctx.block, settle=ctx.args.settle)
    results = {}
    sides = [("torch", lb, ex) for lb, ex in torch_envs()]
    if same_wl is None:
        sides.insert(0, ("wl", "wl", WL_SIDE_ENV))
    else:
        results["wl"] = same_wl.wl_side
        ctx.say(f"    {'wl':<14} the line before's process (the same model and batch)")
    for side, label, extra in sides:
        if label == "passive-blas1" and any(r["slow"] for r in results.values()):
            continue
        r = results[label] = run_side(ctx, side, dict(base, label=f"{side} {label}" if side == "torch" else side),
                                      stem, extra, label if side == "wl" else f"torch-{label}",
                                      worker="wlbench.lineside")
        ctx.say(f"    {label:<14} first call {r['t_first'] * 1e3:.1f} ms, median {med_ms(r['times']):.3f} ms "
                f"({len(r['times'])}×k, k={r['k']})")
    wl = results.pop("wl")
    best = min(results, key=lambda lb: med_ms(results[lb]["times"]))
    tb = results[best]
    return ApartTiming(med_ms(wl["times"]), med_ms(tb["times"]), len(wl["times"]), wl["k"], tb["k"],
                       wl["slow"] or tb["slow"], wl["times"], tb["times"],
                       {lb: med_ms(r["times"]) for lb, r in results.items()}, best, wl)


def measure_line(ctx, stem, spec, batch, wl_fn, t_fn, t_wl1, t_t1, same_wl=None):
    """The line's timing: apart (measure_apart; same_wl as there), or with --together alternated
    in this process (harness.measure, from the check step's seconds t_wl1 / t_t1; same_wl is
    ignored)."""
    if ctx.args.together:
        return measure(ctx, wl_fn, t_fn, t_wl1, t_t1)
    return measure_apart(ctx, stem, spec, batch, same_wl)


def saved_params(ctx, wl, stem):
    """The wl model's tensors as wl_create left them (call before any step), for the torch sides."""
    path = os.path.join(ctx.workdir, f"{stem}.params.npz")
    save_params(wl, path)
    return path
