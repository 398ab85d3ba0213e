"""Timing: warm-up, calibration, alternating blocks of the two sides, slow lines; the
context a run's sections share (options, rows, checks, compiled libraries)."""
import collections
import statistics
import time

import numpy as np

from .config import SLOW_CALL_S, SLOW_NOTE
from .programs import compile_wl

T_START = time.perf_counter()


def elapsed():
    """Seconds since the script started: each line's progress message says when it began."""
    return time.perf_counter() - T_START


def warm(fn, min_calls=2, min_s=0.2):
    t0, calls = time.perf_counter(), 0
    while calls < min_calls or time.perf_counter() - t0 < min_s:
        fn()
        calls += 1


def calibrate(fn, block_s):
    """k such that k back-to-back calls take about block_s (at least 1): from the
    median of up to 5 timed calls (fewer once 0.5 s is spent), robust to one stall."""
    ts, t_end = [], time.perf_counter() + 0.5
    while len(ts) < 5 and (not ts or time.perf_counter() < t_end):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return max(1, int(round(block_s / max(statistics.median(ts), 1e-7))))


def alternate(fa, fb, rounds, block_s, settle_s, fixed_k=None, on_round=None):
    """Alternates blocks of fa and fb (order swapped every round); per-call seconds per block.
    fixed_k: no warm-up or calibration here (the caller warmed both up), k = fixed_k per block.
    on_round(r, ta, tb) after each round: progress of a slow line."""
    if fixed_k is None:
        warm(fa)
        warm(fb)
        ka, kb = calibrate(fa, block_s), calibrate(fb, block_s)
    else:
        ka = kb = fixed_k
    ta, tb = [], []
    for r in range(rounds):
        order = [(fa, ka, ta), (fb, kb, tb)]
        if r % 2:
            order.reverse()
        for fn, k, acc in order:
            time.sleep(settle_s)  # let the other side's spinning worker threads go idle
            t0 = time.perf_counter()
            for _ in range(k):
                fn()
            acc.append((time.perf_counter() - t0) / k)
        if on_round is not None:
            on_round(r, ta, tb)
    return ta, tb, ka, kb


def time_alone(fn, t_first, spec, label):
    """One side in its own process (seqside.py, lineside.py): (per-call seconds of each round, k, slow).
    spec["rounds"] rounds of k calls after a warm-up and calibration to spec["block"] s, or for a slow line
    (t_first >= SLOW_CALL_S) min(rounds, slow_rounds) single calls, the first call as the warm-up."""
    slow = t_first >= SLOW_CALL_S
    rounds = min(spec["rounds"], spec["slow_rounds"]) if slow else spec["rounds"]
    if slow:
        k = 1
    else:
        warm(fn)
        k = calibrate(fn, spec["block"])
    def say(r, t):
        print(f"      {label} round {r + 1}/{rounds}: {t:.2f} s", flush=True)
    return block_times(fn, k, rounds, spec["settle"], say if slow else None), k, slow


def block_times(fn, k, rounds, settle_s, on_round=None):
    """Per-call seconds of `rounds` blocks of k back-to-back calls, a pause of settle_s before each;
    on_round(r, seconds) after each block."""
    ts = []
    for r in range(rounds):
        time.sleep(settle_s)
        t0 = time.perf_counter()
        for _ in range(k):
            fn()
        ts.append((time.perf_counter() - t0) / k)
        if on_round is not None:
            on_round(r, ts[-1])
    return ts


def plan_rounds(args, t_wl1, t_peer1, say):
    """(slow, rounds, on_round) of a line whose check step took t_wl1 / t_peer1 seconds. A slow line
    (either call >= SLOW_CALL_S) gets min(--rounds, --slow-rounds) rounds of 1 call per side with the
    check step as its only warm-up (calibrating and warming up would cost minutes at n = 4096), and
    prints a line per round so that a long run shows what it is doing."""
    if max(t_wl1, t_peer1) < SLOW_CALL_S:
        return False, args.rounds, None
    rounds = min(args.rounds, args.slow_rounds)
    say(f"    slow line ({t_wl1:.2f} s wl, {t_peer1:.2f} s peer per call): {rounds} round{'s' * (rounds != 1)} "
        f"of 1 call per side, about {rounds * (t_wl1 + t_peer1 + 2 * args.settle):.0f} s")

    def on_round(r, ta, tb):
        say(f"    round {r + 1}/{rounds}: wl {ta[-1]:.2f} s, peer {tb[-1]:.2f} s")
    return True, rounds, on_round


def timed(fn):
    """(fn's result, seconds it took): the check step, which is also a slow line's warm-up."""
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def max_rel_diff(a, b):
    """max |a - b| / max |b| (b: the peer's result): the same-math check of GEMM outputs and gradients."""
    scale = float(np.max(np.abs(b)))
    d = float(np.max(np.abs(np.asarray(a, np.float64) - b)))
    return d / scale if scale > 0 else (0.0 if d == 0 else float("inf"))


def med_ms(ts):
    return 1e3 * statistics.median(ts)


def spread(ts):
    """(max - min) / median over rounds: how noisy the line was."""
    return (max(ts) - min(ts)) / statistics.median(ts)


class Timing(collections.namedtuple("Timing", "wl_ms peer_ms rounds k_wl k_peer slow t_wl t_peer")):
    """One line's timing: medians (ms) and what produced them (per-round seconds of each side)."""

    @property
    def ratio(self):
        return self.peer_ms / self.wl_ms

    def notes(self):
        """`R×k (k=a/b)[; slow line ...]; spread x%/y%`: the method part of a line's notes."""
        return "; ".join([f"{self.rounds}×k (k={self.k_wl}/{self.k_peer})"] + ([SLOW_NOTE] if self.slow else [])
                         + [f"spread {spread(self.t_wl):.0%}/{spread(self.t_peer):.0%}"])


def measure(ctx, wl_fn, peer_fn, t_wl1=None, t_peer1=None):
    """Times wl_fn against peer_fn (alternate). With the check step's seconds t_wl1 / t_peer1, a
    slow line gets plan_rounds' few rounds of 1 call per side; without them, --rounds rounds of
    calibrated blocks."""
    if t_wl1 is None:
        slow, rounds, on_round = False, ctx.args.rounds, None
    else:
        slow, rounds, on_round = plan_rounds(ctx.args, t_wl1, t_peer1, ctx.say)
    tw, tp, kw, kp = alternate(wl_fn, peer_fn, rounds, ctx.block, ctx.args.settle, fixed_k=1 if slow else None,
                               on_round=on_round)
    return Timing(med_ms(tw), med_ms(tp), rounds, kw, kp, slow, tw, tp)


class Context:
    """What the sections of one run share: wlc, the temporary directory, the options, the
    results (rows: (workload, wl ms, peer ms, ratio, notes); checks: same-math lines), the
    random batches of the train / GEMM / Muon lines (one generator, drawn in run order), the
    dense train-step timings the structure lines compare with, and the compiled libraries."""

    def __init__(self, wlc, workdir, args, block, rng):
        self.wlc, self.workdir, self.args, self.block, self.rng = wlc, workdir, args, block, rng
        self.rows = []  # (workload, wl_ms, peer_ms, ratio, notes)
        self.checks = []
        self.memory = []  # (sequence line, wl peak MB, torch peak MB, wl MB after imports, torch MB after imports)
        self.tables = []  # a section's own table (markdown lines) after the main one: structure constraints
        self.dense_ref = {}  # (B, n) -> (wl ms, torch ms) of the train-step lines: the structure lines' reference
        self.libs = {}  # .wl text -> (library, wlc seconds): one compile per model (a loaded .so is never rewritten)
        self.flops = {}  # line name -> nominal FLOPs per call of a FLOP-bound line: its share of the peak
        self.peak, self.peak_note = None, "not measured"  # the FMA-loop peak (peak.py), set by main()

    @staticmethod
    def say(msg):
        print(msg, flush=True)

    @staticmethod
    def elapsed():
        return elapsed()

    def compiled(self, text, stem):
        if text not in self.libs:
            self.libs[text] = compile_wl(self.wlc, text, self.workdir, stem)
        return self.libs[text]


def add_line(ctx, name, t, notes, peer="torch", extra=""):
    """Records a timed line (row and console: `name  wl … ms  <peer> … ms  ratio …<extra>`)."""
    ctx.rows.append((name, t.wl_ms, t.peer_ms, t.ratio, notes))
    ctx.say(f"  {name:<26} wl {t.wl_ms:10.3f} ms  {peer} {t.peer_ms:10.3f} ms  ratio {t.ratio:.3f}{extra}")
