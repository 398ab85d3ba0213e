"""The results: the table, the machine description, the goals summary, RESULTS.md and the console."""
import collections
import datetime
import os
import platform
import sys
import time

import numpy as np
import torch

from .apart import header_line
from .config import GOALS, MEMORY_GOAL, PEAK_GOALS, SLOW_CALL_S, TIME_GOALS
from .env import MALLOC, NTHREADS
from .machine import cpu_flags, cpu_model, cpu_seconds, loadavg, openblas_info, openblas_threads, \
    wl_openmp, wlc_binary_id, wlc_revision, wlc_sha

Start = collections.namedtuple("Start", "t load sha cpu when")


def start_state(wlc):
    """What the header compares with the end of the run: time, load average, wlc's sha256, CPU seconds."""
    return Start(time.perf_counter(), loadavg(), wlc_sha(wlc), cpu_seconds(),
                 datetime.datetime.now(datetime.timezone.utc))


def memory_goal(memory):
    """MEMORY_GOAL's line: met when every sequence line's wl process peaked below its torch process."""
    goal, which = MEMORY_GOAL
    if not memory:
        return f"- {goal} ({which}): not measured in this run"
    worst = max(memory, key=lambda m: m[1] / m[2])
    status = "met" if all(wl < t for _, wl, t, _, _ in memory) else "not met"
    return (f"- {goal} ({which}, {len(memory)} line{'s' * (len(memory) != 1)}): **{status}**; worst `{worst[0]}`: "
            f"wl {worst[1]:.0f} MB vs torch {worst[2]:.0f} MB")


def memory_table(memory):
    """The sequence lines' peak memory: ru_maxrss of each side's own process."""
    if not memory:
        return []
    return ["Peak memory of the sequence lines (peak RSS, VmHWM, of each side's own process; torch: the smaller "
            "of its runs (one per environment); `after imports`: the peak before the workload, Python + numpy, and torch on its side; "
            "`workload`: peak − after imports):",
            "", "| workload | wl peak MB | torch peak MB | torch/wl | after imports wl / torch MB | "
            "workload wl / torch MB |", "|---|---:|---:|---:|---:|---:|",
            *[f"| {n} | {w:.0f} | {t:.0f} | {t / w:.2f} | {wi:.0f} / {ti:.0f} | {w - wi:.0f} / {t - ti:.0f} |"
              for n, w, t, wi, ti in memory], ""]


def goal_summary(rows, memory=(), flops=None, peak=None):
    """One line per goal of GOALS: met / not met on this run's lines, and the worst line; then the
    memory goal of the sequence lines."""
    out = []
    for goal, which, pick, minimum in GOALS:
        picked = [(name, ratio) for name, _, _, ratio, _ in rows if pick(name)]
        measured = sorted((ratio, name) for name, ratio in picked if ratio is not None)
        skipped = len(picked) - len(measured)
        skip_note = f"; {skipped} line{'s' if skipped != 1 else ''} skipped" if skipped else ""
        if not measured:
            out.append(f"- {goal} ({which}): not measured in this run{skip_note}")
            continue
        worst_ratio, worst = measured[0]
        if minimum < 1:  # a share of the peer's speed
            shown, needed = f"wl at {worst_ratio:.0%} of OpenBLAS's speed", f"{minimum:.0%}"
        else:
            shown, needed = f"ratio {worst_ratio:.2f}×", f"{minimum:g}×"
        status = ("met" if worst_ratio >= minimum else "not met") + (" on the measured lines" if skipped else "")
        out.append(f"- {goal} ({which}, {len(measured)} line{'s' if len(measured) != 1 else ''}): **{status}**; "
                   f"worst `{worst}`: {shown} (needs ≥ {needed}){skip_note}")
    out += threshold_goals(rows, flops or {}, peak)
    out.append(memory_goal(memory))
    return out


def threshold_goals(rows, flops, peak):
    """PEAK_GOALS (wl's share of the peak) and TIME_GOALS (wl's median ms), one line each."""
    out = []
    peak_gflops = peak["gflops"].get(NTHREADS) if peak else None
    for goal, which, pick, minimum in PEAK_GOALS:
        got = sorted((flops[name] / (wm * 1e-3) / 1e9 / peak_gflops, name) for name, wm, _, _, _ in rows
                     if pick(name) and wm is not None and name in flops and peak_gflops)
        if not got:
            out.append(f"- {goal} ({which}): not measured in this run")
            continue
        share, worst = got[0]
        out.append(f"- {goal} ({which}, {len(got)} line{'s' * (len(got) != 1)}): "
                   f"**{'met' if share >= minimum else 'not met'}**; worst `{worst}`: {share:.0%} of the "
                   f"{NTHREADS}-thread peak of {peak_gflops:.0f} GFLOP/s (needs ≥ {minimum:.0%})")
    for goal, which, pick, limit in TIME_GOALS:
        got = sorted(((wm, name) for name, wm, _, _, _ in rows if pick(name) and wm is not None), reverse=True)
        if not got:
            out.append(f"- {goal} ({which}): not measured in this run")
            continue
        ms, worst = got[0]
        out.append(f"- {goal} ({which}): **{'met' if ms <= limit else 'not met'}**; `{worst}`: median "
                   f"{ms / 1e3:.2f} s (needs ≤ {limit / 1e3:g} s)")
    return out


def load_during(start, total):
    """(other processes' CPU use during the run in cores, whether the machine was busy)."""
    cpu_after = cpu_seconds()
    # Other processes' CPU use during the run, in cores: the machine's busy time minus ours.
    others = ((cpu_after[0] - start.cpu[0]) - (cpu_after[1] - start.cpu[1])) / total
    try:  # the load before the run: afterwards it includes this script's own threads
        busy = float(start.load.split()[0]) >= (os.cpu_count() or 1)
    except ValueError:
        busy = False
    return others, busy or others >= 0.25 * (os.cpu_count() or 1)


def peak_shares(flops, wm, pm, peak_gflops):
    """'wl% / peer%' of the peak for a line with nominal FLOPs (— when not FLOP-bound or unmeasured)."""
    if flops is None or not peak_gflops or wm is None:
        return "—"
    wl = f"{flops / (wm * 1e-3) / 1e9 / peak_gflops:.0%}"
    return wl + ("" if pm is None else f" / {flops / (pm * 1e-3) / 1e9 / peak_gflops:.0%}")


def results_table(rows, flops=None, peak=None):
    """The table; a FLOP-bound line (flops: {name: nominal FLOPs per call}) also reads as each
    side's share of the --threads-thread peak measured at the start."""
    peak_gflops = peak["gflops"].get(NTHREADS) if peak else None
    flops = flops or {}
    table = ["| workload | wl median ms | peer median ms | ratio peer/wl | % of peak wl / peer | notes |",
             "|---|---:|---:|---:|---:|---|"]
    for name, wm, pm, ratio, notes in rows:
        table.append(f"| {name} | {'—' if wm is None else f'{wm:.3f}'} | {'—' if pm is None else f'{pm:.3f}'} | "
                     f"{'—' if ratio is None else f'{ratio:.3f}'} | "
                     f"{peak_shares(flops.get(name), wm, pm, peak_gflops)} | {notes} |")
    return table


def method_text(args, block):
    """How the lines were timed (the header's `method`)."""
    slow_rounds = min(args.rounds, args.slow_rounds)
    alternated = (f"warm-up (≥2 calls and ≥0.2 s per side), then {args.rounds} alternating rounds of k calls per "
                  f"side (k calibrated to ~{block} s per block, order swapped each round, {args.settle} s pause "
                  f"before each block); medians over rounds; spread = (max − min)/median over rounds (wl/peer); "
                  f"a line whose first call takes ≥ {SLOW_CALL_S:g} s (`slow line` in its notes): {slow_rounds} "
                  f"round{'s' * (slow_rounds != 1)} of 1 call per side, the same-math check step as the only warm-up")
    if args.together:
        return "every line in this process: " + alternated
    return (f"training-step, constraint, structure and Muon lines: each side alone in its own process (above): "
            f"warm-up (≥2 calls and ≥0.2 s), then {args.rounds} rounds of k calls (k calibrated to ~{block} s, "
            f"{args.settle} s pause before each), medians; a side whose first call takes ≥ {SLOW_CALL_S:g} s: "
            f"{slow_rounds} single calls, the first call as the warm-up; the same-math check runs both sides in "
            f"this process first. GEMM lines (numpy/OpenBLAS is the peer), in this process: " + alternated)


def machine_lines(ctx, start, total, load_after, others):
    """The header's bullet list: date, CPU and load, wlc, threads, peers, method."""
    args, wlc = ctx.args, ctx.wlc
    return [
        f"- date: {start.when:%Y-%m-%d %H:%M} UTC; run took {total:.0f} s"
        f"{' (--quick)' if args.quick else ''}",
        f"- CPU: {cpu_model()} ({cpu_flags()}); os.cpu_count() = {os.cpu_count()}; "
        f"load average before {start.load}, after {load_after}; "
        f"other processes used {others:.2f} cores on average during the run",
        f"- wlc: git {wlc_revision(wlc)} ({wlc_binary_id(wlc)})"
        + ("" if wlc_sha(wlc) == start.sha else
           f"; WARNING: the binary changed during the run (sha256 {start.sha} at the start)"),
        f"- threads: wl OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '?')} "
        f"KMP_BLOCKTIME={os.environ.get('KMP_BLOCKTIME', '?')} ms ({wl_openmp(ctx.workdir)}); "
        f"torch {torch.get_num_threads()} (torch.get_num_threads()); OpenBLAS {openblas_threads()} "
        f"(OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '?')}); --threads {NTHREADS}",
        f"- machine peak (fp32, a loop of independent FMAs on every thread, bench/peak/fma_peak.c, "
        f"best of 5, at the start): {ctx.peak_note}; `% of peak` reads a FLOP-bound line's nominal FLOPs "
        f"(its notes or bench/README.md say which) as a share of the {NTHREADS}-thread peak at the start; "
        f"each GEMM line's notes give its share of the peak measured again right after it (best of 3; the "
        f"machine's speed drifts)",
        f"- peers: torch {torch.__version__} (threads={torch.get_num_threads()}), numpy {np.__version__}, "
        f"{openblas_info()}; Python {platform.python_version()} ({sys.executable}); allocator (both sides): {MALLOC}",
        *([] if args.together else [header_line()]),
        f"- method: {method_text(args, ctx.block)}",
    ]


def markdown(machine, table, goals, checks, busy, memory=(), tables=()):
    """RESULTS.md's lines."""
    return ["# wlc benchmark results", "",
            "Generated by `bench/run.py` (see bench/README.md); ratio = peer ms / wl ms, "
            "so < 1 means the peer is faster.", "",
            *machine, "",
            *(["**Warning: the machine was busy (1-minute load average before the run ≥ core count, "
                "or other processes used ≥ 1/4 of the cores during it).** "
                "Multi-threaded peers lose the most from oversubscription (an OpenMP/BLAS thread "
                "that is descheduled stalls the others), so the ratios overstate wl; "
                "compare with a run on a quiet machine, or with `--threads 1`.", ""] if busy else []),
            *table, "",
            *[line for t in tables for line in t],
            *memory_table(memory),
            "Goals (issues 6 and 22), judged on this run's lines (ratio = peer ms / wl ms; for GEMM, the share of "
            "OpenBLAS's speed):", "",
            *goals, "",
            "Same-math check (both sides from the same state, one step; training steps: same initial "
            "weights and batch; Muon: same weights and gradient, zero momentum; constraint and structure "
            "steps: same initial parameters and batch, see bench/README.md for what each line compares):", "",
            *[f"- {c}" for c in checks], "",
            f"Command: `{' '.join([os.path.basename(sys.executable)] + sys.argv)}`", ""]


def report(ctx, start):
    """Writes RESULTS.md (--out) and prints the header, the table, the goals and the checks."""
    total = time.perf_counter() - start.t
    load_after = loadavg()
    others, busy = load_during(start, total)
    table = results_table(ctx.rows, ctx.flops, ctx.peak)
    machine = machine_lines(ctx, start, total, load_after, others)
    goals = goal_summary(ctx.rows, ctx.memory, ctx.flops, ctx.peak)
    if busy:
        goals.append("- the machine was busy during this run (see the warning above): the peers suffer most, "
                     "so these verdicts may flatter wl")
    with open(ctx.args.out, "w") as f:
        f.write("\n".join(markdown(machine, table, goals, ctx.checks, busy, ctx.memory, ctx.tables)))
    print()
    print("\n".join(machine + [""] + table + [""] + [line for t in ctx.tables for line in t] + memory_table(ctx.memory)
                    + ["Goals (issues 6 and 22), on this run's lines:"] + goals))
    if busy:
        print("\nWARNING: the machine was busy (other work running): the peers' timings suffer most.")
    print()
    print("\n".join(f"check: {c}" for c in ctx.checks))
    print(f"\nwrote {ctx.args.out}")
