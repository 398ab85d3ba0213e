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
import argparse
import atexit
import ctypes
import datetime
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _threads_from_argv():
    """--threads N, read before numpy/torch load (argparse runs later)."""
    for i, a in enumerate(sys.argv):
        if a == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if a.startswith("--threads="):
            return int(a.split("=", 1)[1])
    return os.cpu_count() or 1


# The thread count is fixed before numpy/torch load their BLAS and OpenMP runtimes
# and before any generated library loads: both sides use N = os.cpu_count()
# threads unless --threads (wl's OpenMP code through OMP_NUM_THREADS).
NTHREADS = _threads_from_argv()
os.environ["OPENBLAS_NUM_THREADS"] = str(NTHREADS)
os.environ["OMP_NUM_THREADS"] = str(NTHREADS)
# wl's kernels run on LLVM's OpenMP runtime, whose idle threads spin for
# 200 ms after each parallel region by default: in this process they would
# steal the cores from the peer's next block (torch eager at B=256, n=1024
# measured 40 ms instead of 11). 1 ms still covers the gaps inside a step.
os.environ.setdefault("KMP_BLOCKTIME", "1")

# Both sides run in this process and share one allocator. glibc serves blocks
# over its mmap threshold (128 KiB at first) with fresh mappings and trims the
# heap back to the OS, so every step of either side would page-fault its large
# temporaries in again (wl's 20 MB of per-step temporaries: 5,100 faults, 90 ms
# instead of 28 ms; torch eager's `a + b` at 1024²: 11.6 ms instead of 2.7 ms).
# Unless --system-malloc, keep blocks up to 32 MiB (glibc's maximum) on the
# heap and never trim it, for both sides alike.
def _tune_malloc():
    if "--system-malloc" in sys.argv:
        return "glibc defaults (--system-malloc)"
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        ok = libc.mallopt(M_MMAP_THRESHOLD, 32 << 20) and libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)
        return "mallopt: mmap threshold 32 MiB, no trimming" if ok else "glibc defaults (mallopt failed)"
    except OSError:
        return "glibc defaults (no libc.so.6)"


MALLOC = _tune_malloc()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(NTHREADS)

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
SECTIONS = ("train", "gemm", "muon", "constraints", "structures", "compile")
# The performance goals (issue 6) the summary judges: (goal, which lines, predicate on the line
# name, minimum ratio peer/wl). A goal is met when every line it selects reaches the minimum.
GOALS = (
    ("every training step ≥ 2× PyTorch eager", "the dense `train step` lines",
     lambda name: name.startswith("train step "), 2.0),
    ("Muon + soft_cap ≥ 3× PyTorch eager", "the `soft_cap + Muon` constraint steps and the `Muon step` lines",
     lambda name: "soft_cap + Muon" in name or name.startswith("Muon step "), 3.0),
    ("GEMM ≥ 80% of OpenBLAS at 256×1024×1024", "the `wl_forward` GEMM lines at B=256 n=1024",
     lambda name: name.startswith("GEMM") and "wl_forward" in name and name.endswith("B=256 n=1024"), 0.8),
    ("GEMM ≥ 70% of OpenBLAS on every GEMM shape", "every `GEMM` line",
     lambda name: name.startswith("GEMM"), 0.7),
)
SLOW_NOTE = "slow line: few rounds, 1 call per block, the check step is the warm-up"


# ---------------------------------------------------------------- .wl text


def deep_wl(layers, n, name="Deep"):
    """`layers` dense linear layers (layers-1 of n -> n with relu, then a head): compile-time workload."""
    lines = [f"// generated by bench/run.py: {layers}-layer dense MLP, width {n}",
             f"model {name} {{", f"  input  x: f32[{n}]", "  label  y: i32", ""]
    for i in range(1, layers):
        lines.append(f"  linear l{i}: {n} -> {n} {{ weight = dense; bias = zeros }}")
    lines.append(f"  linear head: {n} -> {CLASSES} {{ weight = dense; bias = zeros }}")
    lines += ["", "  forward {", "    h = relu(l1(x))"]
    lines += [f"    h = relu(l{i}(h))" for i in range(2, layers)]
    lines += ["    return head(h)", "  }", "", "  loss = cross_entropy(forward, y)", "",
              f"  optimize {{ default: adamw(lr = {LR}, weight_decay = {WD}) }}", "}", ""]
    return "\n".join(lines)


def linear_wl(n, optimize, name, what):
    """One n -> n weight, no bias, mse (the language needs a loss and an optimizer): the Muon-step
    and one-layer GEMM workloads, which time wl_step or wl_forward / wl_backward only."""
    return f"""// generated by bench/run.py: one {n}x{n} weight, {what}
model {name} {{
  input  x: f32[{n}]
  target y: f32[{n}]

  linear fc: {n} -> {n} {{
    weight = dense
    bias   = none
  }}

  forward {{
    return fc(x)
  }}

  loss = mse(forward, y)

  optimize {{
    default: {optimize}
  }}
}}
"""


ADAMW_GROUP = f"adamw(lr = {LR}, betas = ({BETAS[0]}, {BETAS[1]}), eps = {EPS}, weight_decay = {WD})"
MUON_GROUP = (f"muon(lr = {MUON_LR}, momentum = {MUON_BETA}, nesterov = {str(MUON_NESTEROV).lower()}, "
              f"ns_steps = {MUON_STEPS})")


def muon_wl(n, name="BenchMuon"):
    """The one-weight model under Muon: the optimizer-step workload (only wl_step is timed)."""
    return linear_wl(n, MUON_GROUP, name, "under Muon")


def gemm_wl(n, name="BenchGemm"):
    """The one-weight model under AdamW (never stepped): wl_forward is y = x Wᵀ, wl_backward
    dx = dy W and dW += dyᵀ x, one GEMM each."""
    return linear_wl(n, ADAMW_GROUP, name, "one GEMM per direction")


def constrained_wl(n, weight, optimize, name, hidden="l1"):
    """The MLP n -> n -> CLASSES (relu, cross_entropy) with hidden layer `hidden` of the
    given weight expression and optimize block: the training, constraint and structure steps."""
    groups = "\n    ".join(optimize)
    return f"""// generated by bench/run.py: MLP {n} -> {n} -> {CLASSES}, relu, {hidden}: {weight}
model {name} {{
  input  x: f32[{n}]
  label  y: i32

  linear {hidden}: {n} -> {n} {{
    weight = {weight}
    bias   = zeros
  }}
  linear head: {n} -> {CLASSES} {{
    weight = dense
    bias   = zeros
  }}

  forward {{
    h = relu({hidden}(x))
    return head(h)
  }}

  loss = cross_entropy(forward, y)

  optimize {{
    {groups}
  }}
}}
"""


def mlp_wl(n, name="BenchMLP"):
    """One dense hidden layer fc1, relu, cross_entropy, AdamW: the training-step workload."""
    return constrained_wl(n, "dense", [f"default: {ADAMW_GROUP}"], name, hidden="fc1")


class Unsupported(Exception):
    """wlc rejected a model with a "not supported yet" error (the message: its first line)."""


def compile_wl(wlc, text, workdir, stem, unsupported_ok=False, any_error_ok=False):
    """Writes stem.wl and compiles it to libstem.so; returns (path, wall seconds).
    unsupported_ok: a "not supported yet" error raises Unsupported (with wlc's first error
    line) instead of ending the run; any_error_ok: so does every other wlc error."""
    src = os.path.join(workdir, stem + ".wl")
    out = os.path.join(workdir, "lib" + stem + ".so")
    with open(src, "w") as f:
        f.write(text)
    for attempt in range(30):
        try:
            t0 = time.perf_counter()
            r = subprocess.run([wlc, src, "-o", out], capture_output=True, text=True)
            dt = time.perf_counter() - t0
            break
        except OSError as e:  # the binary is being rebuilt (empty or not executable yet): wait
            print(f"  cannot run {wlc} ({e}); retrying in 5 s", flush=True)
            time.sleep(5)
    else:
        sys.exit(f"cannot run {wlc}")
    if r.returncode != 0:
        msg = r.stderr + r.stdout
        if any_error_ok or (unsupported_ok and "not supported yet" in msg):
            raise Unsupported(next((ln.strip() for ln in msg.splitlines() if ln.strip()), "?"))
        sys.exit(f"wlc failed on {src} (exit {r.returncode}):\n{r.stdout}{r.stderr}")
    return out, dt


# ---------------------------------------------------------------- ctypes
class WLModel:
    """The few wl.h functions the benchmark needs, on one wl_model*."""

    def __init__(self, path, seed=0):
        d = self.dll = ctypes.CDLL(os.path.abspath(path))
        vp, i64 = ctypes.c_void_p, ctypes.c_int64
        d.wl_create.restype, d.wl_create.argtypes = vp, [ctypes.c_uint64]
        d.wl_destroy.restype, d.wl_destroy.argtypes = None, [vp]
        d.wl_last_error.restype, d.wl_last_error.argtypes = ctypes.c_char_p, [vp]
        d.wl_input_size.restype = d.wl_output_size.restype = i64
        for fn in ("wl_train_step",):
            getattr(d, fn).restype, getattr(d, fn).argtypes = ctypes.c_int, [vp, vp, vp, i64, vp]
        d.wl_forward.restype, d.wl_forward.argtypes = ctypes.c_int, [vp, vp, i64, vp]
        d.wl_backward.restype, d.wl_backward.argtypes = ctypes.c_int, [vp, vp, vp, i64, vp]
        d.wl_step.restype, d.wl_step.argtypes = ctypes.c_int, [vp]
        d.wl_zero_grad.restype, d.wl_zero_grad.argtypes = ctypes.c_int, [vp]
        for fn in ("wl_get_param", "wl_set_param", "wl_get_grad"):
            getattr(d, fn).restype, getattr(d, fn).argtypes = ctypes.c_int, [vp, ctypes.c_char_p, vp]
        d.wl_num_params.restype, d.wl_num_params.argtypes = ctypes.c_int32, []
        d.wl_param_name.restype, d.wl_param_name.argtypes = ctypes.c_char_p, [ctypes.c_int32]
        d.wl_param_rank.restype, d.wl_param_rank.argtypes = ctypes.c_int32, [ctypes.c_int32]
        d.wl_param_dim.restype, d.wl_param_dim.argtypes = i64, [ctypes.c_int32, ctypes.c_int32]
        d.wl_param_trainable.restype, d.wl_param_trainable.argtypes = ctypes.c_int32, [ctypes.c_int32]
        self.h = d.wl_create(seed)
        if not self.h:
            raise RuntimeError(f"wl_create returned NULL for {path}")
        self.n_in, self.n_out = d.wl_input_size(), d.wl_output_size()
        self._loss = ctypes.c_float()
        self._loss_p = ctypes.addressof(self._loss)

    def check(self, fn, status):
        if status != 0:
            msg = self.dll.wl_last_error(self.h)
            raise RuntimeError(f"{fn} returned {status}: {msg.decode() if msg else '?'}")

    def close(self):
        if self.h:
            self.dll.wl_destroy(self.h)
            self.h = None

    def train_step_fn(self, x, labels):
        """A no-argument callable doing one wl_train_step on (x, labels)."""
        assert x.dtype == np.float32 and x.flags.c_contiguous and labels.dtype == np.int32
        f, h, b, lp = self.dll.wl_train_step, self.h, x.shape[0], self._loss_p
        xp, yp = x.ctypes.data, labels.ctypes.data

        def step():
            st = f(h, xp, yp, b, lp)
            if st:
                self.check("wl_train_step", st)
        return step

    def forward_fn(self, x, out):
        f, h, b = self.dll.wl_forward, self.h, x.shape[0]
        xp, op = x.ctypes.data, out.ctypes.data

        def fwd():
            st = f(h, xp, b, op)
            if st:
                self.check("wl_forward", st)
        return fwd

    def step_fn(self):
        """A no-argument callable doing one wl_step (the optimizer update on the stored grads)."""
        f, h = self.dll.wl_step, self.h

        def step():
            st = f(h)
            if st:
                self.check("wl_step", st)
        return step

    def backward_fn(self, x, dy, dx=None):
        """A no-argument callable doing one wl_backward on (x, dy): accumulates the parameter
        gradients and writes dx (into the library's scratch when dx is None: it is computed anyway)."""
        assert x.dtype == dy.dtype == np.float32 and x.flags.c_contiguous and dy.flags.c_contiguous
        assert dx is None or (dx.dtype == np.float32 and dx.flags.c_contiguous and dx.shape == x.shape)
        f, h, b = self.dll.wl_backward, self.h, x.shape[0]
        xp, dyp, dxp = x.ctypes.data, dy.ctypes.data, None if dx is None else dx.ctypes.data

        def bwd():
            st = f(h, xp, dyp, b, dxp)
            if st:
                self.check("wl_backward", st)
        return bwd

    def backward(self, x, dy, dx=None):
        """wl_backward on (x, dy): accumulates the parameter gradients (dx only when given)."""
        self.backward_fn(x, dy, dx)()

    def zero_grad(self):
        self.check("wl_zero_grad", self.dll.wl_zero_grad(self.h))

    def param_names(self):
        return [self.dll.wl_param_name(i).decode() for i in range(self.dll.wl_num_params())]

    def param_info(self):
        """{name: (shape, trainable)} of every stored tensor, from the library's metadata."""
        d = self.dll
        return {d.wl_param_name(i).decode(): (tuple(d.wl_param_dim(i, a) for a in range(d.wl_param_rank(i))),
                                              bool(d.wl_param_trainable(i)))
                for i in range(d.wl_num_params())}

    def train_step(self, x, labels):
        self.train_step_fn(x, labels)()
        return float(self._loss.value)

    def get(self, name, shape):
        out = np.empty(shape, np.float32)
        self.check("wl_get_param", self.dll.wl_get_param(self.h, name.encode(), out.ctypes.data))
        return out

    def grad(self, name, shape):
        out = np.empty(shape, np.float32)
        self.check("wl_get_grad", self.dll.wl_get_grad(self.h, name.encode(), out.ctypes.data))
        return out


# ---------------------------------------------------------------- peers
class TorchMLP(torch.nn.Module):
    """The peer of constrained_wl / mlp_wl: hidden layer `hidden` + relu + head."""

    def __init__(self, n, hidden="fc1"):
        super().__init__()
        self.hidden = hidden
        setattr(self, hidden, torch.nn.Linear(n, n))
        self.head = torch.nn.Linear(n, CLASSES)

    def forward(self, x):
        return self.head(F.relu(getattr(self, self.hidden)(x)))


def compile_or_skip(wlc, text, workdir, stem, name, rows, say, **errors_ok):
    """compile_wl, or None after recording a `skipped: <wlc's error>` row when wlc refuses the model."""
    try:
        return compile_wl(wlc, text, workdir, stem, **errors_ok)
    except Unsupported as e:
        msg = str(e).replace(workdir + os.sep, "")  # the temporary directory is noise
        rows.append((name, None, None, None, f"skipped: {msg}"))
        say(f"  {name:<26} skipped: {msg}")
        return None


def torch_peer(n, wl):
    """PyTorch eager model + AdamW with the same hyper-parameters, starting from wl's initial weights."""
    m = TorchMLP(n)
    with torch.no_grad():
        for layer, out_dim in (("fc1", n), ("head", CLASSES)):
            mod = getattr(m, layer)
            mod.weight.copy_(torch.from_numpy(wl.get(layer + ".weight", (out_dim, n))))
            mod.bias.copy_(torch.from_numpy(wl.get(layer + ".bias", (out_dim,))))
    opt = torch.optim.AdamW(m.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    return m, opt


def torch_step_fn(m, opt, x, y):
    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def muon_update_(w, g, m, lr=MUON_LR, beta=MUON_BETA, nesterov=MUON_NESTEROV, steps=MUON_STEPS):
    """One Muon update of (w, m) from the gradient g, in place, PyTorch eager, float32: the math of
    KellerJordan/Muon (momentum lerp, nesterov, NS5 on the short side, sqrt(max(1, OUT/IN)) scale),
    without the bfloat16 cast and without overwriting g. weight_decay = 0. Call under no_grad."""
    a, b, c = NS5_ABC
    scale = max(1.0, w.shape[0] / w.shape[1]) ** 0.5
    m.lerp_(g, 1 - beta)                     # m <- beta m + (1 - beta) g
    u = g.lerp(m, beta) if nesterov else m   # (1 - beta) g + beta m
    x = u / (u.norm() + 1e-7)
    tall = x.size(0) > x.size(1)
    if tall:
        x = x.T
    for _ in range(steps):
        A = x @ x.T
        B = b * A + c * A @ A
        x = a * x + B @ x
    if tall:
        x = x.T
    w.add_(x, alpha=-lr * scale)            # weight_decay = 0


def torch_muon_fn(w, g, m, lr=MUON_LR, beta=MUON_BETA, nesterov=MUON_NESTEROV, steps=MUON_STEPS):
    """One Muon step on (w, m) with the fixed gradient g (reused by every call): muon_update_."""
    def step():
        with torch.no_grad():
            muon_update_(w, g, m, lr, beta, nesterov, steps)
    return step


def soft_cap_alpha(c, lr, wd, out, inp):
    """soft_cap's strength for a weight [out, inp] under Muon, as wlc computes it at compile time
    (softCapAlpha in dialects/lib/Dialect/WL/Transforms/GenerateConstraints.cpp, ALGORITHMS.md):
    k = c(1 - lr wd) + lr sqrt(max(1, OUT/IN)) 1.2025 (1 + 1e-3) is the largest singular value an
    update can reach; alpha is the smallest alpha >= 0 with f(k) = c, f(sigma) = s + alpha s^3,
    s = sigma - alpha sigma^3: a scan of [0, 1/k^2] in 100000 steps, then 200 bisections."""
    k = c * (1 - lr * wd) + lr * max(1.0, out / inp) ** 0.5 * MUON_OUTPUT_BOUND
    if k <= c:
        return 0.0

    def f(alpha, sigma):
        s = sigma - alpha * sigma ** 3
        return s + alpha * s ** 3
    hi, lo, scan = 1 / (k * k), 0.0, 100000
    for i in range(1, scan + 1):
        a = hi * i / scan
        if f(a, k) <= c:
            lo, hi = hi * (i - 1) / scan, a
            break
    else:
        raise ValueError(f"soft_cap: no alpha maps k = {k} to c = {c}")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if f(mid, k) <= c:
            hi = mid
        else:
            lo = mid
    return hi


def soft_cap_(w, alpha):
    """wlc's soft_cap projection in place: M <- M(I - alpha A), then M <- M(I + alpha A), A = MᵀM
    (ALGORITHMS.md; four n^3 GEMMs on a square weight). Call under no_grad."""
    A = w.T @ w
    m = torch.addmm(w, w, A, alpha=-alpha)
    A = m.T @ m
    w.copy_(torch.addmm(m, m, A, alpha=alpha))


# ---------------------------------------------------------------- timing
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


# ---------------------------------------------------------------- GEMM lines
def run_gemm_shape(lib, B, n, args, block, rows, checks, say):
    """The one-layer GEMM lines at (B, n) on the bias-free `linear fc: n -> n` model (gemm_wl):
    wl_forward (y = x Wᵀ) vs numpy's x @ W.T, and wl_backward (dx = dy W and dW += dyᵀ x: the
    generated backward always computes dx, into scratch when the caller passes none) vs numpy's
    dy @ W, dy.T @ x and the accumulation. numpy writes into preallocated outputs (np.matmul(...,
    out=)), so both sides run exactly the same sgemm shapes and transposes, alternated."""
    say(f"  [{elapsed():4.0f} s] running GEMM: x·Wᵀ and dy·W + dyᵀ·x (1 layer) B={B} n={n}")
    wl = WLModel(lib, seed=0)
    rng = np.random.default_rng(3)  # independent of which other sections run
    x = rng.random((B, n), dtype=np.float32)
    dy = rng.standard_normal((B, n), dtype=np.float32)
    w = wl.get("fc.weight", (n, n))
    wt, dyt = w.T, dy.T  # views: numpy hands OpenBLAS the transpose flag, no copy
    y_wl, y_np = np.empty((B, n), np.float32), np.empty((B, n), np.float32)
    dx_wl, dx_np = np.empty((B, n), np.float32), np.empty((B, n), np.float32)
    dw_np, g_np = np.empty((n, n), np.float32), np.zeros((n, n), np.float32)

    def fwd_np():
        np.matmul(x, wt, out=y_np)

    def bwd_np():
        np.matmul(dy, w, out=dx_np)
        np.matmul(dyt, x, out=dw_np)
        np.add(g_np, dw_np, out=g_np)  # wl accumulates into the stored gradient

    # Same-math check: one call each (timed: the warm-up of a slow line); the gradient starts at zero.
    fwd_wl, bwd_wl = wl.forward_fn(x, y_wl), wl.backward_fn(x, dy, dx_wl)
    _, tf_wl1 = timed(fwd_wl)
    _, tf_np1 = timed(fwd_np)
    wl.zero_grad()
    _, tb_wl1 = timed(bwd_wl)
    _, tb_np1 = timed(bwd_np)
    rel_y, rel_dx = max_rel_diff(y_wl, y_np), max_rel_diff(dx_wl, dx_np)
    rel_dw = max_rel_diff(wl.grad("fc.weight", (n, n)), dw_np)
    checks.append(f"GEMM B={B}, n={n} (one layer, same W, x, dy): max |a_wl − a_numpy|/max |a_numpy| "
                  f"y = x·Wᵀ {rel_y:.1e}, dx = dy·W {rel_dx:.1e}, dW = dyᵀ·x {rel_dw:.1e}")
    say(f"  check GEMM B={B} n={n}: max rel diff y {rel_y:.1e}, dx {rel_dx:.1e}, dW {rel_dw:.1e}")

    lines = [
        (f"GEMM: x·Wᵀ (wl_forward, 1 layer) B={B} n={n}", fwd_wl, fwd_np, tf_wl1, tf_np1, 2.0 * B * n * n,
         f"y = x·Wᵀ, [{B},{n}]×[{n},{n}]ᵀ, vs numpy/OpenBLAS np.matmul(x, W.T, out=y) (sgemm, transposed W); "
         f"max rel diff {rel_y:.1e}"),
        (f"GEMM: dy·W + dyᵀ·x (wl_backward, 1 layer) B={B} n={n}", bwd_wl, bwd_np, tb_wl1, tb_np1,
         4.0 * B * n * n,
         f"dx = dy·W [{B},{n}]×[{n},{n}] and dW += dyᵀ·x [{n},{B}]×[{B},{n}] vs numpy/OpenBLAS "
         f"np.matmul(dy, W, out=dx), np.matmul(dy.T, x, out=dW), G += dW; max rel diff dx {rel_dx:.1e}, "
         f"dW {rel_dw:.1e}"),
    ]
    for name, wl_fn, np_fn, t_wl1, t_np1, flops, what in lines:
        slow, rounds, on_round = plan_rounds(args, t_wl1, t_np1, say)
        tw, tb, kw, kb = alternate(wl_fn, np_fn, rounds, block, args.settle, fixed_k=1 if slow else None,
                                   on_round=on_round)
        wm, pm = med_ms(tw), med_ms(tb)
        gf_wl, gf_np = flops / (wm * 1e-3) / 1e9, flops / (pm * 1e-3) / 1e9
        rows.append((name, wm, pm, pm / wm,
                     f"{what}; {gf_wl:.2f} vs {gf_np:.2f} GFLOP/s; {rounds}×k (k={kw}/{kb})"
                     + (f"; {SLOW_NOTE}" if slow else "") + f"; spread {spread(tw):.0%}/{spread(tb):.0%}"))
        say(f"  {name:<26} wl {wm:10.3f} ms  sgemm {pm:10.3f} ms  ratio {pm / wm:.3f}  "
            f"({gf_wl:.2f} vs {gf_np:.2f} GFLOP/s)")
    wl.close()


# ---------------------------------------------------------------- constraint steps
def copy_from_wl(tm, wl, n, l1_weight=True):
    """wl's initial parameters into the torch peer (l1.weight only when l1_weight)."""
    with torch.no_grad():
        if l1_weight:
            tm.l1.weight.copy_(torch.from_numpy(wl.get("l1.weight", (n, n))))
        tm.l1.bias.copy_(torch.from_numpy(wl.get("l1.bias", (n,))))
        tm.head.weight.copy_(torch.from_numpy(wl.get("head.weight", (CLASSES, n))))
        tm.head.bias.copy_(torch.from_numpy(wl.get("head.bias", (CLASSES,))))


def head_diff(wl, tm, n):
    """max |head.weight_wl - head.weight_torch|: after one step from the same forward, the head's
    AdamW update sees the same gradient on both sides, whatever l1's parametrization."""
    return float(np.max(np.abs(wl.get("head.weight", (CLASSES, n)) - tm.head.weight.detach().numpy())))


def sigma_max(w):
    return float(np.linalg.norm(np.asarray(w, np.float64), 2))


def wlc_soft_cap_alpha(wlc, src):
    """The alpha wlc put into the step (`wlc -emit=step`), or None if it cannot be read."""
    try:
        r = subprocess.run([wlc, src, "-emit=step"], capture_output=True, text=True)
    except OSError:
        return None
    m = re.search(r"wl\.spectral_soft_cap\b[^\n]*?alpha\s*=\s*([-+0-9.eE]+)", r.stdout)
    return float(m.group(1)) if m else None


def constraint_normalize(wl, n, x, labels):
    """spectral_bound(normalize) + AdamW vs spectral_norm(nn.Linear) + AdamW: (torch step, check)."""
    tm = TorchMLP(n, "l1")
    copy_from_wl(tm, wl, n)
    # Registration runs 15 power iterations on wl's (already projected, sigma = c) weight, as
    # wl_create does; then n_power_iterations per training-mode forward, i.e. per step.
    torch.nn.utils.parametrizations.spectral_norm(tm.l1, n_power_iterations=POWER_ITERATIONS)
    opt = torch.optim.AdamW(tm.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    fn = torch_step_fn(tm, opt, tx, ty)

    def check(l_wl, l_t):
        # The effective weight W/σ̂ that torch's next forward uses (its 3 power iterations first);
        # the vectors are restored afterwards, so the timed steps continue from the same state.
        sn = tm.l1.parametrizations.weight[0]
        u0, v0 = sn._u.clone(), sn._v.clone()
        with torch.no_grad():
            w_t = tm.l1.weight.numpy().copy()
            sn._u.copy_(u0)
            sn._v.copy_(v0)
        w_wl = wl.get("l1.weight", (n, n))
        return (f"loss wl {l_wl:.6f} vs torch {l_t:.6f}; after one step: max |head_wl - head_torch| "
                f"{head_diff(wl, tm, n):.2e}, max |W_wl - W_torch/σ̂| {float(np.max(np.abs(w_wl - w_t))):.2e} "
                f"(differs by design), σ_max wl {sigma_max(w_wl):.5f}, torch W/σ̂ {sigma_max(w_t):.5f}")
    return fn, check, (f"vs torch eager parametrizations.spectral_norm(n_power_iterations={POWER_ITERATIONS}) "
                       f"+ AdamW; σ applied in the forward there, a projection after the step here")


def constraint_soft_cap(wl, n, x, labels, alpha):
    """spectral_bound(soft_cap) + Muon (l1.weight; AdamW for the rest) vs the same math in torch."""
    tm = TorchMLP(n, "l1")
    copy_from_wl(tm, wl, n)
    w = tm.l1.weight
    opt = torch.optim.AdamW([tm.l1.bias, tm.head.weight, tm.head.bias],
                            lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    mom = torch.zeros_like(w)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))

    def step():
        tm.zero_grad(set_to_none=True)
        loss = F.cross_entropy(tm(tx), ty)
        loss.backward()
        opt.step()
        with torch.no_grad():
            muon_update_(w, w.grad, mom)
            soft_cap_(w, alpha)
        return loss

    def check(l_wl, l_t):
        w_wl = wl.get("l1.weight", (n, n))
        return (f"loss wl {l_wl:.6f} vs torch {l_t:.6f}; after one step: max |W_wl - W_torch| "
                f"{float(np.max(np.abs(w_wl - w.detach().numpy()))):.2e} (Muon lr {MUON_LR} + soft_cap), "
                f"max |head_wl - head_torch| {head_diff(wl, tm, n):.2e}, σ_max wl {sigma_max(w_wl):.5f}, "
                f"torch {sigma_max(w.detach().numpy()):.5f}")
    return step, check, "vs torch eager same math (Muon NS5 fp32 + soft_cap's two steps; AdamW for bias and head)"


def constraint_cayley(wl, n, x, labels):
    """orthogonal(cayley) + AdamW vs parametrizations.orthogonal(cayley) + AdamW."""
    names = wl.param_names()
    if "l1.weight.S" not in names:
        raise RuntimeError(f"orthogonal(cayley): expected a tensor l1.weight.S, the library has {names}")
    S = wl.get("l1.weight.S", (n, n))
    tm = TorchMLP(n, "l1")
    copy_from_wl(tm, wl, n, l1_weight=False)
    # use_trivialization=False: Q = cayley(tril(X) - tril(X)ᵀ), no extra `base @ Q` product.
    torch.nn.utils.parametrizations.orthogonal(tm.l1, orthogonal_map="cayley", use_trivialization=False)
    with torch.no_grad():  # the same skew generator as wl's S - Sᵀ, hence the same Q
        tm.l1.parametrizations.weight.original.copy_(torch.from_numpy(np.tril(S - S.T, -1)))
    opt = torch.optim.AdamW(tm.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    fn = torch_step_fn(tm, opt, tx, ty)

    def check(l_wl, l_t):
        return (f"loss wl {l_wl:.6f} vs torch {l_t:.6f} (same Q); after one step: max |head_wl - head_torch| "
                f"{head_diff(wl, tm, n):.2e} (the generators then differ by design: S - Sᵀ vs tril(X))")
    return fn, check, ("vs torch eager parametrizations.orthogonal(orthogonal_map=\"cayley\", "
                       "use_trivialization=False) + AdamW")


def run_constraints(wlc, workdir, args, block, jobs, rows, checks, say):
    """The constraint-step lines: one wl_train_step vs one torch step (forward, backward, optimizer,
    constraint) of an MLP n -> n -> 10 whose hidden layer is constrained, alternated.
    jobs: [(line, (B, n))], e.g. every line at --constraint-size, then soft_cap at n = 4096."""
    specs = {
        "normalize": ("spectral_bound normalize + AdamW",
                      f"dense with spectral_bound({CONSTRAINT_C}, method = normalize)", [f"default: {ADAMW_GROUP}"]),
        "soft_cap": ("spectral_bound soft_cap + Muon",
                     f"dense with spectral_bound({CONSTRAINT_C}, method = soft_cap)",
                     [f"l1.weight: {MUON_GROUP}", f"default:   {ADAMW_GROUP}"]),
        "cayley": ("orthogonal cayley + AdamW", "orthogonal(method = cayley)", [f"default: {ADAMW_GROUP}"]),
    }
    batches = {}
    for key, (B, n) in jobs:
        if (B, n) not in batches:
            rng = np.random.default_rng(1)  # independent of which other sections or sizes run
            batches[(B, n)] = (rng.random((B, n), dtype=np.float32), rng.integers(0, CLASSES, B).astype(np.int32))
        x, labels = batches[(B, n)]
        title, weight, optimize = specs[key]
        name = f"constraint step B={B} n={n}: {title}"
        stem = f"con_{key}_B{B}_n{n}"
        say(f"  [{elapsed():4.0f} s] running {name}")
        compiled = compile_or_skip(wlc, constrained_wl(n, weight, optimize, f"Bench_{key}"), workdir, stem,
                                   name, rows, say, unsupported_ok=True)
        if compiled is None:
            continue
        lib, ct = compiled
        wl = WLModel(lib, seed=0)
        extra = ""
        if key == "normalize":
            t_fn, check, peer = constraint_normalize(wl, n, x, labels)
        elif key == "soft_cap":
            alpha = soft_cap_alpha(CONSTRAINT_C, MUON_LR, 0.0, n, n)
            a_wlc = wlc_soft_cap_alpha(wlc, os.path.join(workdir, stem + ".wl"))
            extra = (f"; soft_cap α {alpha:.6g} (wlc's: {'unread' if a_wlc is None else f'{a_wlc:.6g}'})")
            t_fn, check, peer = constraint_soft_cap(wl, n, x, labels, alpha)
        else:
            t_fn, check, peer = constraint_cayley(wl, n, x, labels)
        wl_fn = wl.train_step_fn(x, labels)

        # Same-math check: one step each from the same parameters on the same batch; timed,
        # as it is the only warm-up of a slow line.
        _, t_wl1 = timed(wl_fn)
        l_wl = float(wl._loss.value)
        l_t, t_t1 = timed(t_fn)
        msg = f"{check(l_wl, float(l_t))}{extra}; first step wl {t_wl1:.2f} s, torch {t_t1:.2f} s"
        checks.append(f"{title}, B={B}, n={n}: {msg}")
        say(f"  check {title}: {msg}")

        slow, rounds, on_round = plan_rounds(args, t_wl1, t_t1, say)
        tw, tt, kw, kt = alternate(wl_fn, t_fn, rounds, block, args.settle, fixed_k=1 if slow else None,
                                   on_round=on_round)
        wm, pm = med_ms(tw), med_ms(tt)
        rows.append((name, wm, pm, pm / wm,
                     f"wl_train_step {peer}; {rounds}×k (k={kw}/{kt})" + (f"; {SLOW_NOTE}" if slow else "")
                     + f"; spread {spread(tw):.0%}/{spread(tt):.0%}; wlc {ct:.1f} s"))
        say(f"  {name:<26} wl {wm:10.3f} ms  torch {pm:10.3f} ms  ratio {pm / wm:.3f}")
        wl.close()


# ---------------------------------------------------------------- structure steps
def structure_factor(n):
    """The largest divisor of n that is at most sqrt(n): 32 at n = 1024, 16 at n = 256. The Kronecker
    factors are s x s and (n/s) x (n/s); Monarch has s blocks of (n/s) x (n/s)."""
    return max(d for d in range(1, int(n ** 0.5) + 1) if n % d == 0)


def structure_specs(n):
    """{line: (title, `weight = ...` of l1, hyper-parameters)} of the structure-step lines at width n."""
    s = structure_factor(n)
    r_low, r_lora, blocks = min(LOWRANK_RANK, n), min(LORA_RANK, n), BLOCKDIAG_BLOCKS
    return {
        "dense": ("dense", "dense", {}),
        "lowrank": (f"lowrank(rank = {r_low})", f"lowrank(rank = {r_low})", {"r": r_low}),
        "kronecker": (f"kronecker(a = [{s}, {s}], b = [{n // s}, {n // s}], terms = 1)",
                      f"kronecker(a = [{s}, {s}], b = [{n // s}, {n // s}], terms = 1)",
                      {"m1": s, "n1": s, "m2": n // s, "n2": n // s, "k": 1}),
        "monarch": (f"monarch(blocks = {s})", f"monarch(blocks = {s})", {"b": s, "c": n // s}),
        "blockdiag": (f"blockdiag(blocks = {blocks})", f"blockdiag(blocks = {blocks})", {"b": blocks}),
        "lora": (f"frozen + lora(rank = {r_lora}, alpha = {LORA_ALPHA})",
                 f"frozen(init = normal(std = {FROZEN_STD})) + lora(rank = {r_lora}, alpha = {LORA_ALPHA})",
                 {"r": r_lora}),
    }


def structure_flops(key, n, hp):
    """Multiply-adds per example of l1 (n -> n) in the forward and in forward + backward, and its
    trainable parameter count. The backward computes the trainable factors' gradients and the
    intermediate adjoints they need, no dx (l1 is the first layer, x needs no gradient) and no
    gradient of a frozen base."""
    if key == "dense":
        return n * n, 2 * n * n, n * n
    if key == "lowrank":  # t = Vᵀx, y = U t; dU = dy tᵀ, dt = Uᵀdy, dV = x dtᵀ
        r = hp["r"]
        return 2 * n * r, 5 * n * r, 2 * n * r
    if key == "kronecker":  # T = A X, Y = T Bᵀ; dB, dT, dA (X: n1 x n2)
        m1, n1, m2, n2, k = hp["m1"], hp["n1"], hp["m2"], hp["n2"], hp["k"]
        fwd = k * (m1 * n1 * n2 + m1 * n2 * m2)
        return fwd, fwd + k * (2 * m1 * m2 * n2 + m1 * n1 * n2), k * (m1 * n1 + m2 * n2)
    if key == "monarch":  # h = R x (b blocks c x c), y = L h (c blocks b x b); dL, dh, dR
        b, c = hp["b"], hp["c"]
        return n * c + n * b, 2 * n * c + 3 * n * b, n * (b + c)
    if key == "blockdiag":  # b blocks (n/b) x (n/b); the blocks' gradient
        return n * n // hp["b"], 2 * n * n // hp["b"], n * n // hp["b"]
    if key == "lora":  # W0 x + s B (A x); dB, dt, dA (none for the frozen W0)
        r = hp["r"]
        return n * n + 2 * n * r, n * n + 5 * n * r, 2 * n * r
    raise ValueError(key)


class LowRankPeer(torch.nn.Module):
    """y = U (Vᵀ x) + b with U [n, r], V [n, r]: two plain matmuls (no nn.Linear)."""

    def __init__(self, p):
        super().__init__()
        self.U, self.V, self.bias = (torch.nn.Parameter(p[k]) for k in ("U", "V", "bias"))

    def forward(self, x):
        return F.linear(x @ self.V, self.U, self.bias)  # (x V) Uᵀ + b


class KronMaterialisedPeer(torch.nn.Module):
    """PEFT LoKr-style: W = Σᵢ kron(Aᵢ, Bᵢ) materialised in every forward, then F.linear."""

    def __init__(self, p):
        super().__init__()
        self.A, self.B, self.bias = (torch.nn.Parameter(p[k]) for k in ("A", "B", "bias"))

    def forward(self, x):
        w = torch.kron(self.A[0], self.B[0])
        for i in range(1, self.A.shape[0]):
            w = w + torch.kron(self.A[i], self.B[i])
        return F.linear(x, w, self.bias)


class KronFactoredPeer(KronMaterialisedPeer):
    """The same parameters applied factored: y = Σᵢ vec(Aᵢ X Bᵀᵢ), X = x as [n1, n2] (row-major)."""

    def forward(self, x):
        x3 = x.reshape(x.shape[0], self.A.shape[2], self.B.shape[2])
        y = None
        for i in range(self.A.shape[0]):
            t = torch.matmul(self.A[i], x3) @ self.B[i].T  # [B, m1, m2]
            y = t if y is None else y + t
        return y.reshape(x.shape[0], -1) + self.bias


class MonarchPeer(torch.nn.Module):
    """Monarch with bmm, as Dao et al.'s blockdiag_butterfly_multiply (fly/HazyResearch) with
    w1 = R [b, c, c], w2 = L [c, b, b]: h[:, g] = x[:, g] R[g]ᵀ, y[:, g', c'] = Σ_g L[c', g', g] h[:, g, c']."""

    def __init__(self, p):
        super().__init__()
        self.R, self.L, self.bias = (torch.nn.Parameter(p[k]) for k in ("R", "L", "bias"))

    def forward(self, x):
        bsz, (b, c, _) = x.shape[0], self.R.shape
        h = torch.bmm(x.reshape(bsz, b, c).transpose(0, 1), self.R.transpose(-1, -2))  # [b, B, c]
        h = h.transpose(0, 1).transpose(-1, -2).contiguous().transpose(0, 1)  # [c, B, b]
        y = torch.bmm(h, self.L.transpose(-1, -2))  # [c, B, b]: y[c', :, g']
        return y.permute(1, 2, 0).reshape(bsz, b * c) + self.bias


class BlockDiagPeer(torch.nn.Module):
    """y[:, g] = x[:, g] W[g]ᵀ with blocks [b, OUT/b, IN/b]: one bmm over the blocks."""

    def __init__(self, p):
        super().__init__()
        self.blocks, self.bias = (torch.nn.Parameter(p[k]) for k in ("blocks", "bias"))

    def forward(self, x):
        bsz, b = x.shape[0], self.blocks.shape[0]
        y = torch.bmm(x.reshape(bsz, b, -1).transpose(0, 1), self.blocks.transpose(-1, -2))  # [b, B, o]
        return y.transpose(0, 1).reshape(bsz, -1) + self.bias


class LoraPeer(torch.nn.Module):
    """PEFT's LoRA Linear: frozen base F.linear(x, W0, b) + lora_B(lora_A(x)) * (alpha / r);
    W0 is a buffer (no gradient), lora_A [r, n], lora_B [n, r] and the bias train."""

    def __init__(self, p, scaling):
        super().__init__()
        self.register_buffer("base", p["base"])
        self.lora_A, self.lora_B, self.bias = (torch.nn.Parameter(p[k]) for k in ("lora_A", "lora_B", "bias"))
        self.scaling = scaling

    def forward(self, x):
        return F.linear(x, self.base, self.bias) + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling


class TorchStructured(torch.nn.Module):
    """The peer of a structure step: relu(l1(x)) -> head, l1 one of the peers above."""

    def __init__(self, l1, n):
        super().__init__()
        self.l1 = l1
        self.head = torch.nn.Linear(n, CLASSES)

    def forward(self, x):
        return self.head(F.relu(self.l1(x)))


def structure_peer(key, wl, n, hp, factored=False):
    """The torch peer of line `key` from wl's initial parameters + AdamW on its trainable tensors;
    returns (module, optimizer, {wl parameter name: torch tensor})."""
    info = wl.param_info()
    p = {name[len("l1.weight."):]: torch.from_numpy(wl.get(name, shape))
         for name, (shape, _) in info.items() if name.startswith("l1.weight.")}
    p["bias"] = torch.from_numpy(wl.get("l1.bias", (n,)))
    if key == "lowrank":
        l1 = LowRankPeer(p)
    elif key == "kronecker":
        l1 = (KronFactoredPeer if factored else KronMaterialisedPeer)(p)
    elif key == "monarch":
        l1 = MonarchPeer(p)
    elif key == "blockdiag":
        l1 = BlockDiagPeer(p)
    elif key == "lora":
        l1 = LoraPeer(p, LORA_ALPHA / hp["r"])
    else:
        raise ValueError(key)
    tm = TorchStructured(l1, n)
    with torch.no_grad():
        tm.head.weight.copy_(torch.from_numpy(wl.get("head.weight", (CLASSES, n))))
        tm.head.bias.copy_(torch.from_numpy(wl.get("head.bias", (CLASSES,))))
    tensors = {f"l1.weight.{k}": getattr(l1, k) for k in p if k != "bias"}
    tensors.update({"l1.bias": l1.bias, "head.weight": tm.head.weight, "head.bias": tm.head.bias})
    for name, (_, trainable) in info.items():  # the same split into trained and frozen tensors
        if name not in tensors:
            raise RuntimeError(f"{key}: the library has a tensor {name} the peer does not know")
        if trainable != tensors[name].requires_grad:
            raise RuntimeError(f"{key}: {name} is {'' if trainable else 'not '}trainable in the library")
    opt = torch.optim.AdamW([t for t in tm.parameters() if t.requires_grad],
                            lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    return tm, opt, tensors


def structure_check(wl, tensors, l_wl, l_t):
    """One line: both losses, the gradients of the step (the largest of max |g_wl - g_torch| /
    max |g_torch| over the trainable tensors) and, per tensor, max |θ_wl - θ_torch| after the step
    (a frozen tensor must not change). AdamW's first update is lr·g/(|g| + eps), so entries with
    |g| near eps = 1e-8 turn the gradients' float rounding into a visible parameter difference."""
    parts, grel = [], 0.0
    for name, t in tensors.items():
        a = t.detach().numpy()
        d = float(np.max(np.abs(wl.get(name, a.shape) - a)))
        short = name.replace("l1.weight.", "")
        parts.append(f"{short} {d:.1e}" + ("" if t.requires_grad else " (frozen)"))
        if t.requires_grad and t.grad is not None:
            g = t.grad.numpy()
            dg = float(np.max(np.abs(wl.grad(name, g.shape) - g)))
            scale = float(np.max(np.abs(g)))
            grel = max(grel, dg / scale if scale > 0 else (0.0 if dg == 0 else float("inf")))
    return (f"loss wl {l_wl:.6f} vs torch {l_t:.6f}; gradients: max |g_wl − g_torch|/max |g_torch| ≤ {grel:.1e}; "
            f"max |θ_wl − θ_torch| after one step (lr {LR}): {', '.join(parts)}")


def run_structures(wlc, workdir, args, block, lines, size, dense_ref, rows, checks, say):
    """The structure-step lines: one wl_train_step vs one torch eager step (forward, cross_entropy,
    backward, AdamW) of an MLP n -> n -> 10 whose hidden layer l1 is structured, alternated.
    dense_ref: {(B, n): (wl ms, torch ms)} of the dense train-step lines already run."""
    B, n = size
    rng = np.random.default_rng(2)  # independent of which other sections run
    x = rng.random((B, n), dtype=np.float32)
    labels = rng.integers(0, CLASSES, B).astype(np.int32)
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    specs = structure_specs(n)
    dense_fwd, dense_train, dense_params = structure_flops("dense", n, {})
    ref = dense_ref.get((B, n))
    ref_name = f"train step B={B} n={n}"
    if "dense" in lines and ref is not None:
        say(f"  structure dense: the `{ref_name}` line ({ref[0]:.3f} ms wl, {ref[1]:.3f} ms torch)")
    for key in lines:
        if key == "dense" and ref is not None:
            continue
        title, weight, hp = specs[key]
        name = f"structure step B={B} n={n}: {title}"
        stem = f"struct_{key}_n{n}"
        say(f"  [{elapsed():4.0f} s] running {name}")
        text = (mlp_wl(n, "Bench_dense") if key == "dense" else
                constrained_wl(n, weight, [f"default: {ADAMW_GROUP}"], f"Bench_{key}"))
        compiled = compile_or_skip(wlc, text, workdir, stem, name, rows, say, any_error_ok=True)
        if compiled is None:
            continue
        lib, ct = compiled
        wl = WLModel(lib, seed=0)
        try:
            if key == "dense":  # the train-step line's workload (that line did not run at this size)
                tm, opt = torch_peer(n, wl)
                tensors = {f"{ly}.{k}": getattr(getattr(tm, ly), k) for ly in ("fc1", "head") for k in ("weight", "bias")}
                peers = [("", torch_step_fn(tm, opt, tx, ty),
                          lambda l_wl, l_t, tensors=tensors: structure_check(wl, tensors, l_wl, l_t),
                          "nn.Linear + AdamW (the train-step lines' workload)")]
            else:
                peers = []
                variants = [(False, "")] + ([(True, " (factored torch)")] if key == "kronecker" else [])
                for factored, suffix in variants:
                    tm, opt, tensors = structure_peer(key, wl, n, hp, factored)
                    what = ("(x V) Uᵀ: two matmuls" if key == "lowrank" else
                            ("A X Bᵀ on x as [n1, n2] (matmul + reshape)" if factored else
                             "PEFT LoKr-style W = kron(A, B) in every forward, then F.linear") if key == "kronecker" else
                            "two bmm over the blocks with reshape/transpose (Dao et al.)" if key == "monarch" else
                            "one bmm over the blocks" if key == "blockdiag" else
                            f"PEFT-style LoRA: frozen F.linear(x, W0) + (α/r)·(x Aᵀ) Bᵀ, α/r = {LORA_ALPHA / hp['r']:g}")
                    peers.append((suffix, torch_step_fn(tm, opt, tx, ty),
                                  lambda l_wl, l_t, tensors=tensors: structure_check(wl, tensors, l_wl, l_t),
                                  f"{what} + AdamW"))
            wl_fn = wl.train_step_fn(x, labels)

            # Same-math check: one step of wl and of every peer from the same parameters on the
            # same batch; timed, as it is the only warm-up of a slow line.
            t0 = time.perf_counter()
            wl_fn()
            t_wl1 = time.perf_counter() - t0
            l_wl = float(wl._loss.value)
            t_t1 = []
            for suffix, t_fn, check, _ in peers:
                t0 = time.perf_counter()
                l_t = float(t_fn())
                t_t1.append(time.perf_counter() - t0)
                msg = f"{check(l_wl, l_t)}; first step wl {t_wl1:.2f} s, torch {t_t1[-1]:.2f} s"
                checks.append(f"structure {title}{suffix}, B={B}, n={n}: {msg}")
                say(f"  check {title}{suffix}: {msg}")
        except RuntimeError as e:
            rows.append((name, None, None, None, f"skipped: {e}"))
            say(f"  {name:<26} skipped: {e}")
            wl.close()
            continue

        fwd, train, params = structure_flops(key, n, hp)
        flop_note = (f"l1 / dense l1: FLOPs fwd {fwd / dense_fwd:.3f}×, fwd+bwd {train / dense_train:.3f}×, "
                     f"trainable params {params / dense_params:.3f}×")
        for (suffix, t_fn, _, what), t1 in zip(peers, t_t1):
            slow, rounds, on_round = plan_rounds(args, t_wl1, t1, say)
            tw, tt, kw, kt = alternate(wl_fn, t_fn, rounds, block, args.settle, fixed_k=1 if slow else None,
                                       on_round=on_round)
            wm, pm = med_ms(tw), med_ms(tt)
            if key == "dense":
                ref = (wm, pm)
                ref_name = name
                dense_note = ""
            elif ref is not None:
                dense_note = (f"dense step / this step: wl {ref[0] / wm:.2f}× (vs wl dense step {ref[0]:.3f} ms), "
                              f"torch {ref[1] / pm:.2f}× (dense {ref[1]:.3f} ms; `{ref_name}`), "
                              f"l1 FLOPs predict {dense_train / train:.2f}×")
            else:
                dense_note = "no dense step at this size in this run (line `dense`)"
            notes = [f"wl_train_step vs torch eager {what}"] + ([] if key == "dense" else [flop_note])
            notes += ([dense_note] if dense_note else []) + [f"{rounds}×k (k={kw}/{kt})"]
            notes += [SLOW_NOTE] if slow else []
            notes += [f"spread {spread(tw):.0%}/{spread(tt):.0%}", f"wlc {ct:.1f} s"]
            rows.append((name + suffix, wm, pm, pm / wm, "; ".join(notes)))
            say(f"  {rows[-1][0]:<26} wl {wm:10.3f} ms  torch {pm:10.3f} ms  ratio {pm / wm:.3f}")
        wl.close()


# ---------------------------------------------------------------- machine
def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    fl = set(line.split(":", 1)[1].split())
                    return " ".join(x for x in ("avx2", "fma", "avx512f", "avx512bw", "avx512_bf16") if x in fl)
    except OSError:
        pass
    return "?"


def wlc_revision(wlc):
    d = os.path.dirname(os.path.realpath(wlc))

    def git(*a):
        r = subprocess.run(["git", "-C", d, *a], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    rev = git("rev-parse", "--short=12", "HEAD")
    if rev is None:
        return "unknown (binary not inside a git checkout)"
    if git("status", "--porcelain", "--untracked-files=no"):
        rev += "-dirty"
    return rev


def wlc_sha(wlc):
    try:
        with open(wlc, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:12]
    except OSError:
        return "unreadable"


def wlc_binary_id(wlc):
    sha = wlc_sha(wlc)
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(wlc), datetime.timezone.utc)
    try:
        ver = subprocess.run([wlc, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        ver = ""
    return f"{ver or 'wlc'}; sha256 {sha}; built {mtime:%Y-%m-%d %H:%M} UTC"


def openblas_info():
    try:
        ob = ctypes.CDLL("libopenblas.so.0")
        ob.openblas_get_config.restype = ctypes.c_char_p
        return f"{ob.openblas_get_config().decode()} (threads={ob.openblas_get_num_threads()})"
    except (OSError, AttributeError):
        return "OpenBLAS not found by soname (numpy's BLAS: see numpy.show_config())"


def openblas_threads():
    try:
        return ctypes.CDLL("libopenblas.so.0").openblas_get_num_threads()
    except (OSError, AttributeError):
        return "?"


def wl_openmp(workdir):
    """Whether the generated libraries of this run use OpenMP (then OMP_NUM_THREADS threads), read
    from their files: an OpenMP runtime among the needed libraries or an OpenMP entry point."""
    markers = (b"libomp.so", b"libgomp.so", b"libiomp5.so", b"__kmpc_fork_call", b"GOMP_parallel")
    libs = sorted(f for f in os.listdir(workdir) if f.endswith(".so")) if os.path.isdir(workdir) else []
    omp = 0
    for f in libs:
        try:
            with open(os.path.join(workdir, f), "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        omp += any(m in data for m in markers)
    if not libs:
        return "no generated library in this run"
    if omp == 0:
        return f"none of the {len(libs)} generated libraries uses OpenMP: the generated code runs on 1 thread"
    return f"{omp} of the {len(libs)} generated libraries use OpenMP"


def goal_summary(rows):
    """One line per goal of GOALS: met / not met on this run's lines, and the worst line."""
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
    return out


def cpu_seconds():
    """(busy CPU seconds of the whole machine, CPU seconds of this process and its waited children)."""
    try:
        with open("/proc/stat") as f:
            v = [int(t) for t in f.readline().split()[1:]]
        busy = (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    except (OSError, ValueError, IndexError):
        busy = float("nan")
    t = os.times()
    return busy, t.user + t.system + t.children_user + t.children_system


def loadavg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"


# ---------------------------------------------------------------- main
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    ap.add_argument("--rounds", type=int, default=7, help="alternating rounds per line (default 7)")
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
    ap.add_argument("--only", default=None,
                    help=f"comma-separated sections to run, of {','.join(SECTIONS)} (default all)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="results file (default bench/RESULTS.md)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory with .wl and .so files")
    args = ap.parse_args()

    wlc = os.path.abspath(args.wlc)
    if not os.access(wlc, os.X_OK):
        sys.exit(f"not an executable: {wlc}")
    block = args.block if args.block is not None else (0.1 if args.quick else 0.25)
    # --max-n and --no-4096 drop the lines wider than max_n (n >= 4096 are the slow ones).
    max_n = args.max_n if args.max_n is not None else float("inf")
    if args.no_4096:
        max_n = min(max_n, BIG_N - 1)

    def fits(n):
        return n <= max_n
    muon_sizes = [n for n in parse_sizes(
        args.muon_sizes if args.muon_sizes is not None else (QUICK_MUON_SIZES if args.quick else FULL_MUON_SIZES),
        "--muon-sizes") if fits(n)]
    soft_cap_sizes = [n for n in parse_sizes(
        args.soft_cap_sizes if args.soft_cap_sizes is not None else
        (QUICK_SOFT_CAP_SIZES if args.quick else FULL_SOFT_CAP_SIZES), "--soft-cap-sizes") if fits(n)]
    configs = [(B, n) for B, n in (parse_shapes(args.train_shapes, "--train-shapes") if args.train_shapes is not None
                                   else QUICK_CONFIGS if args.quick else FULL_CONFIGS) if fits(n)]
    gemm_shapes = [(B, n) for B, n in (parse_shapes(args.gemm_shapes, "--gemm-shapes") if args.gemm_shapes is not None
                                       else QUICK_GEMM_SHAPES if args.quick else FULL_GEMM_SHAPES) if fits(n)]
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
    con_lines = line_list("--constraint-lines", args.constraint_lines, CONSTRAINT_LINES)
    con_size = size_pair("--constraint-size", args.constraint_size,
                         QUICK_CONSTRAINT_SIZE if args.quick else CONSTRAINT_SIZE)
    # Every constraint line at --constraint-size, then soft_cap + Muon at the wider sizes (same B).
    con_jobs = [(key, con_size) for key in con_lines if fits(con_size[1])]
    con_jobs += [("soft_cap", (con_size[0], n)) for n in soft_cap_sizes
                 if "soft_cap" in con_lines and n != con_size[1]]
    st_lines = line_list("--structure-lines", args.structure_lines, STRUCTURE_LINES)
    st_lines = [v for v in STRUCTURE_LINES if v in st_lines]  # dense first: the others' reference
    st_size = size_pair("--structure-size", args.structure_size,
                        QUICK_STRUCTURE_SIZE if args.quick else STRUCTURE_SIZE)
    if not fits(st_size[1]):
        st_lines = []
    t_start = time.perf_counter()
    load_before = loadavg()
    sha_before = wlc_sha(wlc)
    cpu_before = cpu_seconds()
    when = datetime.datetime.now(datetime.timezone.utc)

    workdir = tempfile.mkdtemp(prefix="wlbench-")
    if not args.keep:  # removed however the run ends
        atexit.register(shutil.rmtree, workdir, True)
    rows = []  # (workload, wl_ms, peer_ms, ratio, notes)
    checks = []
    dense_ref = {}  # (B, n) -> (wl ms, torch ms) of the train-step lines: the structure lines' reference
    rng = np.random.default_rng(0)

    def say(msg):
        print(msg, flush=True)

    say(f"wlc {wlc}; {NTHREADS} threads for both sides (OMP_NUM_THREADS, torch, OpenBLAS); temp dir {workdir}")
    libs = {}  # .wl text -> (library, wlc seconds): one compile per model (a loaded .so is never rewritten)

    def compiled(text, stem):
        if text not in libs:
            libs[text] = compile_wl(wlc, text, workdir, stem)
        return libs[text]

    # -- training steps: wl_train_step vs PyTorch eager ---------------------
    for (B, n) in (configs if "train" in sections else []):
        name = f"train step B={B} n={n}"
        say(f"  [{elapsed():4.0f} s] running {name}")
        lib, ct = compiled(mlp_wl(n), f"mlp_n{n}")
        wl = WLModel(lib, seed=0)
        x = rng.random((B, n), dtype=np.float32)
        labels = rng.integers(0, CLASSES, B).astype(np.int32)
        tm, opt = torch_peer(n, wl)
        tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
        wl_fn, t_fn = wl.train_step_fn(x, labels), torch_step_fn(tm, opt, tx, ty)

        # Same-math check: one step from the same weights on the same batch; timed, as it is the
        # only warm-up of a slow line (n = 4096 at large B).
        _, t_wl1 = timed(wl_fn)
        l_wl = float(wl._loss.value)
        l_t, t_t1 = timed(t_fn)
        dmax = max(float(np.max(np.abs(wl.get(f"{ly}.weight", (o, n)) - getattr(tm, ly).weight.detach().numpy())))
                   for ly, o in (("fc1", n), ("head", CLASSES)))
        # The step's weight gradients too: AdamW's first update is about lr·sign(g), so an entry whose
        # gradient is float rounding away from 0 can differ by up to 2·lr in W with the same math.
        grel = max(max_rel_diff(wl.grad(f"{ly}.weight", (o, n)), getattr(tm, ly).weight.grad.numpy())
                   for ly, o in (("fc1", n), ("head", CLASSES)))
        checks.append(f"B={B}, n={n}: loss wl {l_wl:.6f} vs torch {float(l_t):.6f}; "
                      f"weight gradients: max |g_wl − g_torch|/max |g_torch| ≤ {grel:.1e}; "
                      f"max |W_wl - W_torch| after one step {dmax:.2e} (lr {LR}); "
                      f"first step wl {t_wl1:.2f} s, torch {t_t1:.2f} s")
        say(f"  check {name}: loss wl {l_wl:.6f} vs torch {float(l_t):.6f}; gradients rel {grel:.1e}; "
            f"max |W_wl - W_torch| {dmax:.2e}")

        slow, rounds, on_round = plan_rounds(args, t_wl1, t_t1, say)
        tw, tt, kw, kt = alternate(wl_fn, t_fn, rounds, block, args.settle, fixed_k=1 if slow else None,
                                   on_round=on_round)
        wm, pm = med_ms(tw), med_ms(tt)
        dense_ref[(B, n)] = (wm, pm)
        rows.append((name, wm, pm, pm / wm,
                     f"vs torch eager AdamW; {rounds}×k (k={kw}/{kt})" + (f"; {SLOW_NOTE}" if slow else "")
                     + f"; spread {spread(tw):.0%}/{spread(tt):.0%}; wlc {ct:.1f} s"))
        say(f"  {name:<26} wl {wm:10.3f} ms  torch {pm:10.3f} ms  ratio {pm / wm:.3f}")
        wl.close()

    # -- GEMM: wl_forward at B=256, n=1024 vs OpenBLAS sgemm (numpy) ---------
    if "gemm" in sections and fits(GEMM_N):
        B, n = GEMM_B, GEMM_N
        name = f"GEMM: wl_forward B={B} n={n}"
        say(f"  [{elapsed():4.0f} s] running {name}")
        lib, _ = compiled(mlp_wl(n), f"mlp_n{n}")
        wl = WLModel(lib, seed=0)
        x = rng.random((B, n), dtype=np.float32)
        y = np.empty((B, CLASSES), np.float32)
        w = wl.get("fc1.weight", (n, n))
        wt = w.T  # x @ W^T, as nn.Linear computes it: sgemm with a transposed operand
        c = np.empty((B, n), np.float32)
        tw, tb, kw, kb = alternate(wl.forward_fn(x, y), lambda: np.matmul(x, wt, out=c),
                                   args.rounds, block, args.settle)
        wm, pm = med_ms(tw), med_ms(tb)
        gf_wl = 2.0 * B * n * (n + CLASSES) / (wm * 1e-3) / 1e9  # the forward's two matmuls
        gf_bl = 2.0 * B * n * n / (pm * 1e-3) / 1e9
        rows.append((name, wm, pm, pm / wm,
                     f"MLP n → n → 10 forward vs numpy/OpenBLAS sgemm [{B},{n}]x[{n},{n}] (its dominant GEMM); "
                     f"{gf_wl:.2f} vs {gf_bl:.2f} GFLOP/s; "
                     f"{args.rounds}×k (k={kw}/{kb}); spread {spread(tw):.0%}/{spread(tb):.0%}"))
        say(f"  {name:<26} wl {wm:10.3f} ms  sgemm {pm:10.3f} ms  ratio {pm / wm:.3f}  "
            f"({gf_wl:.2f} vs {gf_bl:.2f} GFLOP/s)")
        wl.close()

    # -- GEMM: one bias-free layer, wl_forward / wl_backward vs the same sgemms ---
    for (B, n) in (gemm_shapes if "gemm" in sections else []):
        run_gemm_shape(compiled(gemm_wl(n), f"gemm_n{n}")[0], B, n, args, block, rows, checks, say)

    # -- constraint steps: training step with a constrained layer vs torch ----
    if "constraints" in sections:
        run_constraints(wlc, workdir, args, block, con_jobs, rows, checks, say)

    # -- structure steps: training step with a structured layer vs torch -----
    if "structures" in sections and st_lines:
        run_structures(wlc, workdir, args, block, st_lines, st_size, dense_ref, rows, checks, say)

    # -- Muon step: wl_step on one n x n weight vs the same math in torch ------
    for n in (muon_sizes if "muon" in sections else []):
        say(f"  [{elapsed():4.0f} s] running Muon step n={n}")
        lib, ct = compiled(muon_wl(n), f"muon_n{n}")
        wl = WLModel(lib, seed=0)
        # Fill the gradient once; every wl_step re-runs momentum + NS5 + update on it.
        xb = rng.standard_normal((MUON_BATCH, n), dtype=np.float32)
        dy = rng.standard_normal((MUON_BATCH, n), dtype=np.float32)
        wl.backward(xb, dy)
        w0, g = wl.get("fc.weight", (n, n)), wl.grad("fc.weight", (n, n))
        tw_, tg, tm_ = torch.from_numpy(w0.copy()), torch.from_numpy(g.copy()), torch.zeros(n, n)
        wl_fn, t_fn = wl.step_fn(), torch_muon_fn(tw_, tg, tm_)

        # Same-math check: one step each from the same W, gradient and zero momentum.
        # It is also the warm-up of a slow line, so it is timed.
        _, t_wl1 = timed(wl_fn)
        _, t_t1 = timed(t_fn)
        d_wl = wl.get("fc.weight", (n, n)) - w0
        d_t = tw_.numpy() - w0
        dmax = float(np.max(np.abs(d_wl - d_t)))
        checks.append(f"Muon n={n}: one step from the same W, gradient (wl_backward, B={MUON_BATCH}) and zero "
                      f"momentum: max |ΔW_wl - ΔW_torch| {dmax:.2e} (max |ΔW_torch| {float(np.max(np.abs(d_t))):.2e}, "
                      f"lr {MUON_LR}); first step wl {t_wl1:.2f} s, torch {t_t1:.2f} s")
        say(f"  check Muon n={n}: max |dW_wl - dW_torch| {dmax:.2e}; first step wl {t_wl1:.2f} s, torch {t_t1:.2f} s")

        slow, rounds, on_round = plan_rounds(args, t_wl1, t_t1, say)
        tw, tt, kw, kt = alternate(wl_fn, t_fn, rounds, block, args.settle, fixed_k=1 if slow else None,
                                   on_round=on_round)
        wm, pm = med_ms(tw), med_ms(tt)
        flops = 3 * 2.0 * n ** 3 * MUON_STEPS  # NS5 nominal: X Xᵀ, A·A, B·X per iteration, X Xᵀ counted in full
        gf_wl, gf_t = flops / (wm * 1e-3) / 1e9, flops / (pm * 1e-3) / 1e9
        rows.append((f"Muon step n={n}", wm, pm, pm / wm,
                     f"wl_step vs torch eager same math (fp32 NS5); nominal {gf_wl:.2f} vs {gf_t:.2f} GFLOP/s; "
                     f"{rounds}×k (k={kw}/{kt})" + (f"; {SLOW_NOTE}" if slow else "")
                     + f"; spread {spread(tw):.0%}/{spread(tt):.0%}; wlc {ct:.1f} s"))
        say(f"  {rows[-1][0]:<26} wl {wm:10.3f} ms  torch {pm:10.3f} ms  ratio {pm / wm:.3f}  "
            f"({gf_wl:.2f} vs {gf_t:.2f} GFLOP/s nominal)")
        wl.close()

    # -- compile time of a 12-layer model -----------------------------------
    if "compile" in sections:
        say(f"  [{elapsed():4.0f} s] running compile: {DEEP_LAYERS}-layer dense n={DEEP_N}")
        text = deep_wl(DEEP_LAYERS, DEEP_N)
        cts = [compile_wl(wlc, text, workdir, f"deep{i}")[1] for i in range(args.compile_reps)]
        cm = 1e3 * statistics.median(cts)
        rows.append((f"compile: {DEEP_LAYERS}-layer dense n={DEEP_N}", cm, None, None,
                     f"wlc wall time, median of {len(cts)} ({', '.join(f'{t:.2f}' for t in cts)} s)"))
        say(f"  {rows[-1][0]:<26} wlc {cm:10.1f} ms")

    # -- report ---------------------------------------------------------------
    total = time.perf_counter() - t_start
    load_after = loadavg()
    cpu_after = cpu_seconds()
    # Other processes' CPU use during the run, in cores: the machine's busy time minus ours.
    others = ((cpu_after[0] - cpu_before[0]) - (cpu_after[1] - cpu_before[1])) / total
    try:  # the load before the run: afterwards it includes this script's own threads
        busy = float(load_before.split()[0]) >= (os.cpu_count() or 1)
    except ValueError:
        busy = False
    busy = busy or others >= 0.25 * (os.cpu_count() or 1)
    table = ["| workload | wl median ms | peer median ms | ratio peer/wl | notes |",
             "|---|---:|---:|---:|---|"]
    for name, wm, pm, ratio, notes in rows:
        table.append(f"| {name} | {'—' if wm is None else f'{wm:.3f}'} | {'—' if pm is None else f'{pm:.3f}'} | "
                     f"{'—' if ratio is None else f'{ratio:.3f}'} | {notes} |")
    slow_rounds = min(args.rounds, args.slow_rounds)
    machine = [
        f"- date: {when:%Y-%m-%d %H:%M} UTC; run took {total:.0f} s"
        f"{' (--quick)' if args.quick else ''}",
        f"- CPU: {cpu_model()} ({cpu_flags()}); os.cpu_count() = {os.cpu_count()}; "
        f"load average before {load_before}, after {load_after}; "
        f"other processes used {others:.2f} cores on average during the run",
        f"- wlc: git {wlc_revision(wlc)} ({wlc_binary_id(wlc)})"
        + ("" if wlc_sha(wlc) == sha_before else
           f"; WARNING: the binary changed during the run (sha256 {sha_before} at the start)"),
        f"- threads: wl OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '?')} "
        f"KMP_BLOCKTIME={os.environ.get('KMP_BLOCKTIME', '?')} ms ({wl_openmp(workdir)}); "
        f"torch {torch.get_num_threads()} (torch.get_num_threads()); OpenBLAS {openblas_threads()} "
        f"(OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '?')}); --threads {NTHREADS}",
        f"- peers: torch {torch.__version__} (threads={torch.get_num_threads()}), numpy {np.__version__}, "
        f"{openblas_info()}; Python {platform.python_version()} ({sys.executable}); allocator (both sides): {MALLOC}",
        f"- method: warm-up (≥2 calls and ≥0.2 s per side), then {args.rounds} alternating rounds "
        f"of k calls per side (k calibrated to ~{block} s per block, order swapped each round, "
        f"{args.settle} s pause before each block); medians over rounds; "
        f"spread = (max − min)/median over rounds (wl/peer); a line whose first call takes "
        f"≥ {SLOW_CALL_S:g} s (`slow line` in its notes): {slow_rounds} round{'s' * (slow_rounds != 1)} of 1 call "
        f"per side, the same-math check step as the only warm-up",
    ]
    goals = goal_summary(rows)
    if busy:
        goals.append("- the machine was busy during this run (see the warning above): the peers suffer most, "
                     "so these verdicts may flatter wl")
    md = ["# wlc benchmark results", "",
          "Generated by `bench/run.py` (see bench/README.md); ratio = peer ms / wl ms, "
          "so < 1 means the peer is faster.", "",
          *machine, "",
          *(["**Warning: the machine was busy (1-minute load average before the run ≥ core count, "
              "or other processes used ≥ 1/4 of the cores during it).** "
              "Multi-threaded peers lose the most from oversubscription (an OpenMP/BLAS thread "
              "that is descheduled stalls the others), so the ratios overstate wl; "
              "compare with a run on a quiet machine, or with `--threads 1`.", ""] if busy else []),
          *table, "",
          "Goals (issue 6), judged on this run's lines (ratio = peer ms / wl ms; for GEMM, the share of "
          "OpenBLAS's speed):", "",
          *goals, "",
          "Same-math check (both sides from the same state, one step; training steps: same initial "
          "weights and batch; Muon: same weights and gradient, zero momentum; constraint and structure "
          "steps: same initial parameters and batch, see bench/README.md for what each line compares):", "",
          *[f"- {c}" for c in checks], "",
          f"Command: `{' '.join([os.path.basename(sys.executable)] + sys.argv)}`", ""]
    with open(args.out, "w") as f:
        f.write("\n".join(md))
    print()
    print("\n".join(machine + [""] + table + ["", "Goals (issue 6), on this run's lines:"] + goals))
    if busy:
        print("\nWARNING: the machine was busy (other work running): the peers' timings suffer most.")
    print()
    print("\n".join(f"check: {c}" for c in checks))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
