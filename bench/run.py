#!/usr/bin/python3
"""bench/run.py - wlc benchmarks: generated libraries vs PyTorch eager and OpenBLAS.

    /usr/bin/python3 bench/run.py --wlc build/bin/wlc [--quick] [--no-4096 | --max-n N] [--threads N]
        [--train-shapes 32x256,...] [--gemm-shapes 256x1024,...] [--muon-sizes 1024,4096] [--soft-cap-sizes 4096]
        [--no-constraints | --constraint-lines normalize,soft_cap,cayley]
        [--no-structures | --structure-lines lowrank,kronecker,...] [--only constraints,structures,...]

For each workload the .wl text is generated here, compiled with `wlc` into a
temporary directory, loaded with ctypes (the C ABI of runtime/include/wl/wl.h)
and timed in the same process as its peer, alternating the two:
warm-up, then ROUNDS rounds of k back-to-back calls per side (k calibrated per
side so a block lasts about --block seconds), medians over rounds reported.
Prints a table and writes it, with the machine description and a summary of the
performance goals (met / not met, worst line), to bench/RESULTS.md.
See bench/README.md for what each line measures and the caveats.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# wlbench sets the thread counts and malloc thresholds when it is imported, before numpy
# and torch load (wlbench/env.py); the workloads are in its modules (wlbench/__init__.py).
from wlbench.cli import main  # noqa: E402

if __name__ == "__main__":
    main(__doc__)
