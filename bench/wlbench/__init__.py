"""wlbench: the benchmark harness behind bench/run.py (see bench/README.md).

    env          thread counts, KMP_BLOCKTIME and malloc tuning, applied before numpy,
                 torch or any generated library loads (imported first, right here)
    config       workload constants, the sections and the performance goals
    programs     the generated .wl text, compiling it with wlc, the compile-time line
    abi          WLModel: the few wl.h functions the benchmark calls, through ctypes
    harness      timing (warm-up, calibration, alternation, slow lines) and the run context
    dense        the dense training-step lines and their PyTorch peer
    gemm         the GEMM lines (wl_forward / wl_backward vs OpenBLAS through numpy)
    optimizers   the Muon step lines (and Muon's update in PyTorch)
    constraints  the constraint-step lines (spectral_bound normalize / soft_cap, cayley)
    structures   the structure-step lines and their PyTorch peers
    structcon    the structure-constraint lines (wl vs wl: constrained / unconstrained / dense),
                 each configuration in its own process (structconside)
    machine      the machine description of the results header
    report       the results table, the goals summary, RESULTS.md
    cli          the command line and main()
"""
from . import env  # noqa: F401  (first: its settings must precede numpy/torch)
