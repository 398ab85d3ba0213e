"""The data-parallel lines (`--only distributed`): wl.distributed on this machine.

One training step (forward, backward, optimizer) of the MLP n -> n -> 10 (dense, AdamW) at
batch B, three ways, each in its own processes: one process with one thread, one process
with two threads, and two processes of one thread each, data-parallel on gloo
(wl.distributed.DataParallel: each rank takes half the batch, the gradients are
all-reduced in place). The line's peer is the one-process two-thread step (the machine's
best without data parallelism), so its ratio is what two ranks gain over it; the notes give
the one-thread step too (the scaling of two ranks over one), and the bytes each rank hands
to the all-reduce per step (the whole gradient, in float32) against the model's size. At
B = 256 the all-reduce of 4 MiB over loopback outweighs half a step's compute; at B = 2048
the compute is 8x larger for the same traffic."""
import json
import os
import socket
import subprocess
import sys

import numpy as np

from .config import CLASSES
from .harness import med_ms, spread
from .programs import ADAMW_GROUP, compile_or_skip, constrained_wl

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DP_N, DP_BATCHES = 1024, (256, 2048)
ROUNDS, WARM = 7, 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_ranks(ctx, stem, spec, ranks, threads):
    """Starts `ranks` processes of wlbench.distside with `threads` threads each; rank 0's result."""
    spec_path = os.path.join(ctx.workdir, f"{stem}.{ranks}x{threads}.spec.json")
    out_path = os.path.join(ctx.workdir, f"{stem}.{ranks}x{threads}.result.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    port = free_port()
    procs = []
    for r in range(ranks):
        env = dict(os.environ, WLBENCH_SIDE="wl", OMP_NUM_THREADS=str(threads),
                   OPENBLAS_NUM_THREADS=str(threads))
        if ranks > 1:
            env.update(RANK=str(r), WORLD_SIZE=str(ranks), LOCAL_RANK=str(r),
                       MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        argv = [sys.executable, "-m", "wlbench.distside", "--threads", str(threads), spec_path,
                out_path]
        procs.append(subprocess.Popen(argv, cwd=BENCH, env=env))
    codes = [p.wait(timeout=600) for p in procs]
    if any(codes):
        raise RuntimeError(f"{stem}: {ranks} ranks x {threads} threads exited with {codes}")
    with open(out_path) as f:
        return json.load(f)


def run_dataparallel(ctx):
    for B in DP_BATCHES:
        run_dataparallel_line(ctx, DP_N, B)


def run_dataparallel_line(ctx, n, B):
    name = f"data-parallel 2 ranks: MLP n={n} B={B}"
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running {name}")
    text = constrained_wl(n, "dense", [f"default: {ADAMW_GROUP}"], "BenchDP")
    compiled = compile_or_skip(ctx, text, f"BenchDP{B}", name)
    if compiled is None:
        return
    lib = compiled[0]
    batch = os.path.join(ctx.workdir, f"dp{B}.batch.npz")
    np.savez(batch, x=ctx.rng.standard_normal((B, n)).astype(np.float32),
             labels=ctx.rng.integers(0, CLASSES, B).astype(np.int32))
    spec = {"lib": lib, "batch": batch, "warm": WARM, "rounds": ROUNDS, "k": 1}
    one = run_ranks(ctx, f"dp{B}", spec, 1, 1)
    # Blocks of about --block seconds at the one-thread speed (the same k for every layout).
    spec["k"] = max(2, int(round(ctx.block / min(one["times"]))))
    one = run_ranks(ctx, f"dp{B}", spec, 1, 1)
    two_threads = run_ranks(ctx, f"dp{B}", spec, 1, 2)
    two_ranks = run_ranks(ctx, f"dp{B}", spec, 2, 1)
    t1, t2, tr = med_ms(one["times"]), med_ms(two_threads["times"]), med_ms(two_ranks["times"])
    mb = 4 * two_ranks["grad_floats"] / 2 ** 20
    params = n * n + n + n * CLASSES + CLASSES
    notes = (f"1 process x 1 thread {t1:.2f} ms, 1 x 2 threads {t2:.2f} ms (x{t1 / t2:.2f}), "
             f"2 ranks x 1 thread {tr:.2f} ms (x{t1 / tr:.2f}, spread {spread(two_ranks['times']):.0%}); "
             f"all-reduce of {mb:.2f} MiB per rank per step ({params:,} trainable parameters, "
             f"{4 * params / 2 ** 20:.2f} MiB)")
    ctx.rows.append((name, tr, t2, t2 / tr, notes))
    ctx.say(f"  {name}: {notes}")
