"""The workloads' constants, the sections of a run and the performance goals."""
CLASSES = 10
LR, BETAS, EPS, WD = 1e-3, (0.9, 0.999), 1e-8, 0.01
# Training steps: B x n grid of the dense MLP n -> n -> 10 (B outer, so each B's lines are together).
FULL_CONFIGS = [(B, n) for B in (32, 256, 1024) for n in (256, 1024, 4096)]  # (B, n)
QUICK_CONFIGS = [(32, 256)]
GEMM_B, GEMM_N = 256, 1024  # the MLP wl_forward line
# One-layer GEMM lines (x·Wᵀ through wl_forward, dy·W and dyᵀ·x through wl_backward): the dense
# steps' GEMM shapes with n <= 1024; --quick only the goal's shape 256 x 1024 x 1024.
FULL_GEMM_SHAPES = [(B, n) for B in (32, 256, 1024) for n in (256, 1024)]  # (B, n)
QUICK_GEMM_SHAPES = [(256, 1024)]
FULL_MUON_SIZES, QUICK_MUON_SIZES = "1024,4096", "1024"
FULL_SOFT_CAP_SIZES, QUICK_SOFT_CAP_SIZES = "4096", "none"  # extra soft_cap lines (n) at the constraint B
BIG_N = 4096  # --no-4096 drops every line with n >= BIG_N
DEEP_LAYERS, DEEP_N = 12, 1024
# Muon step: muon(lr = 0.02, momentum = 0.95, nesterov = true, ns_steps = 5) on one n x n weight.
MUON_LR, MUON_BETA, MUON_NESTEROV, MUON_STEPS = 0.02, 0.95, True, 5
NS5_ABC = (3.4445, -4.7750, 2.0315)  # Muon's quintic Newton-Schulz coefficients (KellerJordan/Muon)
MUON_BATCH = 256  # batch of the one wl_backward that fills the gradient
SLOW_CALL_S = 1.0  # a call at least this long (in the check step): few rounds, 1 call per block
MUON_OUTPUT_BOUND = 1.2025 * (1 + 1e-3)  # NS5's largest singular value + rounding room (wlc's kMuonOutputBound)
# Constraint steps: one training step of an MLP n -> n (constrained) -> 10 at (B, n).
CONSTRAINT_SIZE, QUICK_CONSTRAINT_SIZE = (256, 1024), (32, 256)
CONSTRAINT_C = 1.0  # the spectral bound of the normalize and soft_cap lines
POWER_ITERATIONS = 10  # wlc's power iterations per step for normalize (kStepIterations)
CONSTRAINT_LINES = ("normalize", "soft_cap", "cayley")
# Structure steps: one AdamW training step of an MLP n -> n (structured l1) -> 10 at (B, n).
STRUCTURE_SIZE, QUICK_STRUCTURE_SIZE = (256, 1024), (32, 256)
STRUCTURE_LINES = ("dense", "lowrank", "kronecker", "monarch", "blockdiag", "lora")
LOWRANK_RANK, BLOCKDIAG_BLOCKS = 64, 16
LORA_RANK, LORA_ALPHA, FROZEN_STD = 16, 32, 0.02
# Structure-constraint lines (`--only structure-constraints`): one training step of the structure-step
# MLP with l1's structured weight constrained, vs the same structure unconstrained and vs the dense
# step with the same constraint; each configuration in its own process, SC_PASSES passes (ABBA).
# A structure name: that structure unconstrained vs `with spectral_bound(1.0)` (normalize), AdamW;
# svd_clip: dense and kronecker; soft_cap: dense and kronecker under Muon; orthonormal: dense,
# blockdiag, kronecker, monarch.
SC_LINES = ("dense", "kronecker", "monarch", "blockdiag", "lowrank", "svd_clip", "soft_cap", "orthonormal")
# --quick: the kronecker and monarch lines (and their dense reference), one pass. Three passes by
# default: with rounds split over an odd number of processes, one disturbed process cannot pull the
# median halfway (with two, its rounds are half of them).
QUICK_SC_LINES = ("kronecker", "monarch")
SC_SIZE, QUICK_SC_SIZE, SC_PASSES, QUICK_SC_PASSES = (256, 1024), (32, 256), 3, 1
# Sequence lines: one training step of a causal transformer LM (token ids -> SEQ_BLOCKS pre-norm
# blocks of RoPE attention + MLP 4d -> logits per position), under AdamW or under Muon with
# spectral_bound soft_cap on every matrix; and attention alone (forward, forward + backward).
SEQ_B, SEQ_T, SEQ_D, SEQ_HEADS, SEQ_BLOCKS, SEQ_VOCAB = 32, 256, 256, 4, 3, 65
SEQ_LINES = ("lm_adamw", "lm_muon", "attn_fwd", "attn_fwdbwd")
SEQ_ATTN_B, SEQ_ATTN_D, SEQ_ATTN_HEADS, SEQ_ATTN_TS = 8, 256, 4, (256, 1024)
# torch's passive environment: its libgomp threads sleep instead of spinning between ops, and
# OpenBLAS's pthread pool (which runs torch's matrix products here) parks after ~1 ms instead of
# spinning for 2^28 cycles. Together they made torch's LoRA step 8.1-8.8 -> 4.8-5.0 ms on 2 threads.
GNU_OPENMP_PASSIVE_ENV = {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0"}
OPENBLAS_QUIET_ENV = {"OPENBLAS_THREAD_TIMEOUT": "20"}
TORCH_PASSIVE_ENV = {**GNU_OPENMP_PASSIVE_ENV, **OPENBLAS_QUIET_ENV}
# The wl side's process gets what `import wl` sets for a Python user when OpenBLAS is not loaded
# yet (runtime/python/wl/_threads.py): OpenBLAS's pool, which the runtime's LAPACK calls (the
# Cayley solve, SVDs) start, parks instead of spinning against the generated code's threads.
WL_SIDE_ENV = dict(OPENBLAS_QUIET_ENV)
# The environments every torch side runs in, each in its own process; the fastest counts (issue 22).
# (label, extra environment): the inherited one, the passive one, and the passive one with OpenBLAS
# on 1 thread (torch's own OpenMP threads keep --threads; env.py reads WLBENCH_OPENBLAS_THREADS). The
# last is skipped on 1 thread and for slow lines, whose big products only lose a thread.
TORCH_ENVS = (("default", {}), ("passive", TORCH_PASSIVE_ENV),
              ("passive-blas1", {**TORCH_PASSIVE_ENV, "WLBENCH_OPENBLAS_THREADS": "1"}))
# The Lipschitz GPT line (issue 18): a .wl Lipschitz transformer (path relative to the repository)
# trained for GPT_STEPS steps (--quick: QUICK_GPT_STEPS) by wl and by a PyTorch peer on the same
# fortunes batches; median step time after GPT_WARMUP_STEPS steps; GPT_VAL_WINDOWS evenly spaced
# validation windows.
GPT_MODEL = "examples/lipschitz_gpt_small.wl"
GPT_STEPS, QUICK_GPT_STEPS, GPT_BATCH, GPT_VAL_WINDOWS, GPT_WARMUP_STEPS, GPT_SEED = 200, 50, 32, 256, 5, 0
SECTIONS = ("train", "gemm", "muon", "constraints", "structures", "structure-constraints", "seq", "gpt", "compile", "distributed", "mixed")
# The performance goals (issue 6) the summary judges: (goal, which lines, predicate on the line
# name, minimum ratio peer/wl). A goal is met when every line it selects reaches the minimum.
GOALS = (
    ("every training step ≥ 2× PyTorch eager", "the dense `train step` lines",
     lambda name: name.startswith("train step "), 2.0),
    ("every training step ≥ 2× PyTorch eager at its best environment (issue 22)",
     "the `train step`, `constraint step`, `structure step`, `seq step` and `gpt step` lines",
     lambda name: name.startswith(("train step ", "constraint step ", "structure step ", "seq step ", "gpt step ")),
     2.0),
    ("Muon + soft_cap ≥ 3× PyTorch eager", "the `soft_cap + Muon` constraint steps and the `Muon step` lines",
     lambda name: "soft_cap + Muon" in name or name.startswith("Muon step "), 3.0),
    ("GEMM ≥ 80% of OpenBLAS at 256×1024×1024", "the `wl_forward` GEMM lines at B=256 n=1024",
     lambda name: name.startswith("GEMM") and "wl_forward" in name and name.endswith("B=256 n=1024"), 0.8),
    ("GEMM ≥ 70% of OpenBLAS on every GEMM shape", "every `GEMM` line",
     lambda name: name.startswith("GEMM"), 0.7),
    ("sequence training step ≥ 2× PyTorch eager", "the `seq step` lines (transformer LM)",
     lambda name: name.startswith("seq step "), 2.0),
    ("Lipschitz GPT training step ≥ 2× PyTorch eager (issue 18)", "the `gpt step` line",
     lambda name: name.startswith("gpt step "), 2.0),
    ("attention forward + backward ≥ 2× PyTorch eager at T = 1024", "the `attention fwd+bwd` lines at T=1024",
     lambda name: name.startswith("attention fwd+bwd") and "T=1024" in name, 2.0),
    # "several times cheaper": read here as at least 3×; the peer of these lines is wl's own dense step
    # with the same constraint and optimizer (structcon.py), not PyTorch.
    ("constrained Kronecker / Monarch step ≥ 3× cheaper than the constrained dense step",
     "the kronecker and monarch `structure constraint step` lines (peer: wl's dense step, same constraint)",
     lambda name: name.startswith("structure constraint step") and ("kronecker" in name or "monarch" in name), 3.0),
)
# Issue 22's goals beyond ratios: (goal, which lines, predicate on the line name, threshold).
# A share of the --threads-thread peak (report.peak_shares, the line's nominal FLOPs) at least this:
PEAK_GOALS = (
    ("Muon's Newton–Schulz ≥ 75% of the machine's peak (issue 22)", "the `Muon step` lines, NS5's nominal FLOPs",
     lambda name: name.startswith("Muon step "), 0.75),
)
# wl's median at most this many ms (lines with no peer):
TIME_GOALS = (
    ("a 12-layer model compiles in ≤ 2 s (issue 22)", "the `compile` line", lambda name: name.startswith("compile: "),
     2000.0),
)
# Judged on the peak memory (ru_maxrss) of the sequence lines' separate processes, not on times.
MEMORY_GOAL = ("peak memory below PyTorch eager's", "every sequence line: peak RSS of the wl process "
               "< that of the torch process")
SLOW_NOTE = "slow line: few rounds, 1 call per block, the check step is the warm-up"
