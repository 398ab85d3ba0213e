"""The command line of bench/run.py and main(): which lines run, in which order."""
import argparse
import atexit
import collections
import os
import shutil
import sys
import tempfile

import numpy as np

from .config import BIG_N, CONSTRAINT_LINES, CONSTRAINT_SIZE, FULL_CONFIGS, FULL_GEMM_SHAPES, FULL_MUON_SIZES, \
    FULL_SOFT_CAP_SIZES, GEMM_N, GPT_BATCH, GPT_MODEL, GPT_STEPS, QUICK_CONFIGS, QUICK_CONSTRAINT_SIZE, \
    QUICK_GEMM_SHAPES, QUICK_GPT_STEPS, QUICK_MUON_SIZES, QUICK_SC_LINES, QUICK_SC_PASSES, QUICK_SC_SIZE, \
    QUICK_SOFT_CAP_SIZES, QUICK_STRUCTURE_SIZE, SC_LINES, SC_PASSES, SC_SIZE, SECTIONS, SEQ_ATTN_TS, SEQ_LINES, \
    SLOW_CALL_S, STRUCTURE_LINES, STRUCTURE_SIZE
from .constraints import run_constraints
from .dataparallel import run_dataparallel
from .dense import run_train_step
from .env import NTHREADS
from .gemm import run_gemm_mlp, run_gemm_shape
from .gpt import run_gpt
from .mixed import run_mixed
from .harness import Context
from .optimizers import run_muon
from .peak import measure_peak
from .programs import run_compile
from .report import report, start_state
from .sequence import run_sequence
from .structcon import run_structure_constraints
from .structures import run_structures

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bench/


def parse_sizes(text, flag):
    """Comma-separated positive integers ('' or 'none': no size)."""
    try:
        sizes = [int(v) for v in text.replace(" ", "").split(",") if v and v.lower() != "none"]
    except ValueError:
        sys.exit(f"{flag}: expected comma-separated integers, got {text!r}")
    if any(v < 1 for v in sizes):
        sys.exit(f"{flag}: sizes must be positive, got {text!r}")
    return sizes


def parse_shapes(text, flag):
    """Comma-separated BxN pairs, e.g. 256x1024,32x256 ('' or 'none': no shape)."""
    shapes = []
    for v in text.replace(" ", "").lower().split(","):
        if not v or v == "none":
            continue
        try:
            B, n = (int(t) for t in v.split("x"))
            assert B >= 1 and n >= 1
        except (ValueError, AssertionError):
            sys.exit(f"{flag}: expected comma-separated BxN (positive integers), got {text!r}")
        shapes.append((B, n))
    return shapes


def line_list(flag, value, known):
    """The comma-separated subset of `known` named by a --*-lines flag ('none': empty)."""
    lines = [v for v in value.replace(" ", "").split(",") if v and v.lower() != "none"]
    if not set(lines) <= set(known):
        sys.exit(f"{flag}: unknown line(s) {', '.join(sorted(set(lines) - set(known)))} "
                 f"(known: {', '.join(known)})")
    return lines


def size_pair(flag, value, default):
    """(B, n) from a --*-size flag 'B,n', or the default when the flag is absent."""
    if value is None:
        return default
    try:
        size = tuple(int(v) for v in value.split(","))
        assert len(size) == 2 and min(size) >= 1
        return size
    except (ValueError, AssertionError):
        sys.exit(f"{flag}: expected B,n (positive integers), got {value!r}")


def build_parser(description):
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wlc", required=True, help="path to the wlc binary")
    ap.add_argument("--quick", action="store_true",
                    help=f"one small training config {QUICK_CONFIGS[0]} (B, n), GEMM lines at {QUICK_GEMM_SHAPES}, "
                         f"Muon at n = {QUICK_MUON_SIZES}, no soft_cap line at n = 4096, constraint steps at "
                         f"{QUICK_CONSTRAINT_SIZE}, structure steps at {QUICK_STRUCTURE_SIZE}")
    ap.add_argument("--train-shapes", default=None,
                    help="comma-separated BxN of the training-step lines (default the grid B in 32,256,1024 x "
                         "n in 256,1024,4096; --quick 32x256; 'none' for none)")
    ap.add_argument("--gemm-shapes", default=None,
                    help="comma-separated BxN of the one-layer GEMM lines (default B in 32,256,1024 x n in 256,1024; "
                         "--quick 256x1024; 'none' for none)")
    ap.add_argument("--max-n", type=int, default=None,
                    help="skip every timed line whose width n exceeds this (default: none skipped)")
    ap.add_argument("--no-4096", action="store_true",
                    help=f"skip every line with n >= {BIG_N} (the slow ones: training steps, Muon, soft_cap + Muon)")
    ap.add_argument("--rounds", type=int, default=7, help="timed rounds per line and side (default 7)")
    ap.add_argument("--together", action="store_true",
                    help="time the training-step, constraint, structure and Muon lines with both sides in this "
                         "process, alternated block by block, torch in the inherited environment (default: each "
                         "side in its own process, torch once per environment of TORCH_ENVS, the fastest counts)")
    ap.add_argument("--block", type=float, default=None,
                    help="target seconds per block of k calls (default 0.25, --quick 0.1)")
    ap.add_argument("--settle", type=float, default=0.05,
                    help="pause before each block so idle BLAS/OpenMP threads stop spinning (default 0.05 s)")
    ap.add_argument("--system-malloc", action="store_true",
                    help="keep glibc's default mmap/trim thresholds (default: large blocks stay on the heap for both sides)")
    ap.add_argument("--threads", type=int, default=NTHREADS,
                    help="threads for both sides: OMP_NUM_THREADS (the generated code's OpenMP), torch, OpenBLAS; "
                         "default os.cpu_count()")
    ap.add_argument("--compile-reps", type=int, default=3, help="wlc runs timed for the compile line")
    ap.add_argument("--muon-sizes", default=None,
                    help=f"comma-separated n of the n x n Muon step lines (default {FULL_MUON_SIZES}, "
                         f"--quick {QUICK_MUON_SIZES}; '' or 'none' for no Muon line)")
    ap.add_argument("--soft-cap-sizes", default=None,
                    help=f"comma-separated n of additional soft_cap + Muon constraint lines, at the B of "
                         f"--constraint-size (default {FULL_SOFT_CAP_SIZES}, --quick none; '' or 'none' for none)")
    ap.add_argument("--slow-rounds", type=int, default=3,
                    help=f"rounds for a line whose call takes ≥ {SLOW_CALL_S:g} s (1 call per block; default 3)")
    ap.add_argument("--no-constraints", action="store_true", help="skip the constraint-step lines")
    ap.add_argument("--constraint-lines", default=",".join(CONSTRAINT_LINES),
                    help=f"comma-separated constraint-step lines to run (default all: {','.join(CONSTRAINT_LINES)})")
    ap.add_argument("--constraint-size", default=None,
                    help="B,n of the constraint-step lines (default %d,%d; --quick %d,%d)"
                         % (CONSTRAINT_SIZE + QUICK_CONSTRAINT_SIZE))
    ap.add_argument("--no-structures", action="store_true", help="skip the structure-step lines")
    ap.add_argument("--structure-lines", default=",".join(STRUCTURE_LINES),
                    help=f"comma-separated structure-step lines to run (default all: {','.join(STRUCTURE_LINES)}; "
                         "dense is the train-step line's when that ran at the same size)")
    ap.add_argument("--structure-size", default=None,
                    help="B,n of the structure-step lines (default %d,%d; --quick %d,%d)"
                         % (STRUCTURE_SIZE + QUICK_STRUCTURE_SIZE))
    ap.add_argument("--sc-lines", default=None,
                    help=f"comma-separated structure-constraint lines to run (default all: {','.join(SC_LINES)}; "
                         f"--quick {','.join(QUICK_SC_LINES)}): a "
                         "structure unconstrained vs with spectral_bound(1.0) (normalize), and the methods svd_clip "
                         "(dense, kronecker), soft_cap + Muon (dense, kronecker), orthonormal (dense, blockdiag, "
                         "kronecker, monarch); the dense step with the same constraint always runs as the reference")
    ap.add_argument("--sc-size", default=None,
                    help="B,n of the structure-constraint lines (default %d,%d; --quick %d,%d)"
                         % (SC_SIZE + QUICK_SC_SIZE))
    ap.add_argument("--sc-passes", type=int, default=None,
                    help=f"passes over the structure-constraint configurations, in alternating order, each "
                         f"configuration in its own process per pass (default {SC_PASSES}, --quick {QUICK_SC_PASSES}; "
                         f"--rounds is split over them)")
    ap.add_argument("--seq-lines", default=",".join(SEQ_LINES),
                    help=f"comma-separated sequence lines to run (default all: {','.join(SEQ_LINES)}): the "
                         "transformer LM step under AdamW / Muon + soft_cap, attention forward / forward + backward")
    ap.add_argument("--seq-attn-t", default=",".join(map(str, SEQ_ATTN_TS)),
                    help=f"comma-separated T of the attention lines (default {','.join(map(str, SEQ_ATTN_TS))})")
    ap.add_argument("--gpt-model", default=GPT_MODEL,
                    help=f"the .wl Lipschitz GPT of the gpt line, relative to the repository (default {GPT_MODEL})")
    ap.add_argument("--gpt-steps", type=int, default=None,
                    help=f"training steps of each side of the gpt line (default {GPT_STEPS}, "
                         f"--quick {QUICK_GPT_STEPS})")
    ap.add_argument("--gpt-batch", type=int, default=GPT_BATCH, help=f"batch of the gpt line (default {GPT_BATCH})")
    ap.add_argument("--only", default=None,
                    help=f"comma-separated sections to run, of {','.join(SECTIONS)} (default all)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="results file (default bench/RESULTS.md)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory with .wl and .so files")
    return ap


Plan = collections.namedtuple("Plan", "sections configs gemm_shapes gemm_mlp muon_sizes con_jobs st_lines st_size "
                                      "sc_lines sc_size sc_passes seq_lines seq_ts gpt_steps")


def plan(args):
    """What the options select: the sections and, per section, its sizes (lines wider than
    --max-n, or n >= 4096 with --no-4096, dropped)."""
    # --max-n and --no-4096 drop the lines wider than max_n (n >= 4096 are the slow ones).
    max_n = args.max_n if args.max_n is not None else float("inf")
    if args.no_4096:
        max_n = min(max_n, BIG_N - 1)

    def fits(n):
        return n <= max_n

    def chosen(value, quick, full):
        return value if value is not None else (quick if args.quick else full)
    muon_sizes = [n for n in parse_sizes(chosen(args.muon_sizes, QUICK_MUON_SIZES, FULL_MUON_SIZES),
                                         "--muon-sizes") if fits(n)]
    soft_cap_sizes = [n for n in parse_sizes(chosen(args.soft_cap_sizes, QUICK_SOFT_CAP_SIZES, FULL_SOFT_CAP_SIZES),
                                             "--soft-cap-sizes") if fits(n)]
    configs = [(B, n) for B, n in (parse_shapes(args.train_shapes, "--train-shapes") if args.train_shapes is not None
                                   else QUICK_CONFIGS if args.quick else FULL_CONFIGS) if fits(n)]
    gemm_shapes = [(B, n) for B, n in (parse_shapes(args.gemm_shapes, "--gemm-shapes") if args.gemm_shapes is not None
                                       else QUICK_GEMM_SHAPES if args.quick else FULL_GEMM_SHAPES) if fits(n)]
    sections = chosen_sections(args, muon_sizes)
    con_lines = line_list("--constraint-lines", args.constraint_lines, CONSTRAINT_LINES)
    con_size = size_pair("--constraint-size", args.constraint_size, QUICK_CONSTRAINT_SIZE if args.quick else CONSTRAINT_SIZE)
    # Every constraint line at --constraint-size, then soft_cap + Muon at the wider sizes (same B).
    con_jobs = [(key, con_size) for key in con_lines if fits(con_size[1])]
    con_jobs += [("soft_cap", (con_size[0], n)) for n in soft_cap_sizes
                 if "soft_cap" in con_lines and n != con_size[1]]
    st_lines = line_list("--structure-lines", args.structure_lines, STRUCTURE_LINES)
    st_lines = [v for v in STRUCTURE_LINES if v in st_lines]  # dense first: the others' reference
    st_size = size_pair("--structure-size", args.structure_size, QUICK_STRUCTURE_SIZE if args.quick else STRUCTURE_SIZE)
    if not fits(st_size[1]):
        st_lines = []
    sc_lines = line_list("--sc-lines", chosen(args.sc_lines, ",".join(QUICK_SC_LINES), ",".join(SC_LINES)), SC_LINES)
    sc_passes = chosen(args.sc_passes, QUICK_SC_PASSES, SC_PASSES)
    if sc_passes < 1:
        sys.exit("--sc-passes must be positive")
    sc_size = size_pair("--sc-size", args.sc_size, QUICK_SC_SIZE if args.quick else SC_SIZE)
    if not fits(sc_size[1]):
        sc_lines = []
    seq_lines = line_list("--seq-lines", args.seq_lines, SEQ_LINES)
    seq_ts = parse_sizes(args.seq_attn_t, "--seq-attn-t")
    gpt_steps = chosen(args.gpt_steps, QUICK_GPT_STEPS, GPT_STEPS)
    if gpt_steps < 1 or args.gpt_batch < 1:
        sys.exit("--gpt-steps and --gpt-batch must be positive")
    return Plan(sections, configs, gemm_shapes, fits(GEMM_N), muon_sizes, con_jobs, st_lines, st_size,
                sc_lines, sc_size, sc_passes, seq_lines, seq_ts, gpt_steps)


def chosen_sections(args, muon_sizes):
    """The sections of --only (default all), less --no-constraints, --no-structures and Muon
    without sizes."""
    sections = set(SECTIONS)
    if args.only is not None:
        sections = {v for v in args.only.replace(" ", "").split(",") if v}
        if not sections <= set(SECTIONS):
            sys.exit(f"--only: unknown section(s) {', '.join(sorted(sections - set(SECTIONS)))} "
                     f"(known: {', '.join(SECTIONS)})")
    if args.no_constraints:
        sections.discard("constraints")
    if args.no_structures:
        sections.discard("structures")
    if not muon_sizes:
        sections.discard("muon")
    return sections


def run_sections(ctx, p):
    """Every selected line, in the order of the table: training steps, GEMM, constraint steps,
    structure steps, structure-constraint steps, Muon steps, sequence lines, the Lipschitz GPT,
    compile time."""
    for (B, n) in (p.configs if "train" in p.sections else []):
        run_train_step(ctx, B, n)  # wl_train_step vs PyTorch eager
    if "gemm" in p.sections and p.gemm_mlp:
        run_gemm_mlp(ctx)  # wl_forward at B=256, n=1024 vs OpenBLAS sgemm (numpy)
    for (B, n) in (p.gemm_shapes if "gemm" in p.sections else []):
        run_gemm_shape(ctx, B, n)  # one bias-free layer, wl_forward / wl_backward vs the same sgemms
    if "constraints" in p.sections:
        run_constraints(ctx, p.con_jobs)  # training step with a constrained layer vs torch
    if "structures" in p.sections and p.st_lines:
        run_structures(ctx, p.st_lines, p.st_size)  # training step with a structured layer vs torch
    if "structure-constraints" in p.sections and p.sc_lines:  # wl vs wl: constrained / unconstrained / dense
        run_structure_constraints(ctx, p.sc_lines, p.sc_size, p.sc_passes)
    for n in (p.muon_sizes if "muon" in p.sections else []):
        run_muon(ctx, n)  # wl_step on one n x n weight vs the same math in torch
    if "seq" in p.sections and p.seq_lines:
        run_sequence(ctx, p.seq_lines, p.seq_ts)  # transformer LM step, attention; each side its own process
    if "gpt" in p.sections:  # a .wl Lipschitz GPT trained side by side with its PyTorch peer
        run_gpt(ctx, os.path.join(os.path.dirname(HERE), ctx.args.gpt_model), p.gpt_steps, ctx.args.gpt_batch)
    if "compile" in p.sections:
        run_compile(ctx)  # compile time of a 12-layer model
    if "distributed" in p.sections:
        run_dataparallel(ctx)  # 2 data-parallel ranks against 1 process
    if "mixed" in p.sections:
        run_mixed(ctx)  # wl and torch in one process: does either slow the other?


def main(description):
    args = build_parser(description).parse_args()
    wlc = os.path.abspath(args.wlc)
    if not os.access(wlc, os.X_OK):
        sys.exit(f"not an executable: {wlc}")
    block = args.block if args.block is not None else (0.1 if args.quick else 0.25)
    p = plan(args)
    start = start_state(wlc)

    workdir = tempfile.mkdtemp(prefix="wlbench-")
    if not args.keep:  # removed however the run ends
        atexit.register(shutil.rmtree, workdir, True)
    ctx = Context(wlc, workdir, args, block, np.random.default_rng(0))
    ctx.say(f"wlc {wlc}; {NTHREADS} threads for both sides (OMP_NUM_THREADS, torch, OpenBLAS); temp dir {workdir}")
    ctx.peak, reason = measure_peak(workdir, NTHREADS)
    if ctx.peak:
        g = ctx.peak["gflops"]
        ctx.peak_note = ", ".join(f"{g[t]:.1f} GFLOP/s on {t} thread{'s' * (t != 1)}" for t in sorted(g)) + \
            f" ({ctx.peak['isa']})"
    else:
        ctx.peak_note = f"not measured: {reason}"
    ctx.say(f"machine peak (fp32 FMA loop, bench/peak/fma_peak.c): {ctx.peak_note}")
    run_sections(ctx, p)
    report(ctx, start)
