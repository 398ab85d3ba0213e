"""The GEMM lines: wl_forward / wl_backward vs OpenBLAS sgemm through numpy, same shapes."""
import numpy as np

from .abi import WLModel
from .config import CLASSES, GEMM_B, GEMM_N
from .env import NTHREADS
from .harness import add_line, max_rel_diff, measure, timed
from .peak import peak_now, share
from .programs import gemm_wl, mlp_wl


def run_gemm_mlp(ctx):
    """`GEMM: wl_forward B=256 n=1024`: the MLP's forward vs numpy's x @ W.T of its dominant GEMM."""
    B, n = GEMM_B, GEMM_N
    name = f"GEMM: wl_forward B={B} n={n}"
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running {name}")
    lib, _ = ctx.compiled(mlp_wl(n), f"mlp_n{n}")
    wl = WLModel(lib, seed=0)
    x = ctx.rng.random((B, n), dtype=np.float32)
    y = np.empty((B, CLASSES), np.float32)
    w = wl.get("fc1.weight", (n, n))
    wt = w.T  # x @ W^T, as nn.Linear computes it: sgemm with a transposed operand
    c = np.empty((B, n), np.float32)
    t = measure(ctx, wl.forward_fn(x, y), lambda: np.matmul(x, wt, out=c))
    gf_wl = 2.0 * B * n * (n + CLASSES) / (t.wl_ms * 1e-3) / 1e9  # the forward's two matmuls
    gf_bl = 2.0 * B * n * n / (t.peer_ms * 1e-3) / 1e9
    of_peak = share(gf_wl, peak_now(ctx.peak, NTHREADS), NTHREADS)
    add_line(ctx, name, t,
             f"MLP n → n → 10 forward vs numpy/OpenBLAS sgemm [{B},{n}]x[{n},{n}] (its dominant GEMM); "
             f"{gf_wl:.2f} vs {gf_bl:.2f} GFLOP/s (wl{of_peak}); {t.notes()}",
             peer="sgemm", extra=f"  ({gf_wl:.2f} vs {gf_bl:.2f} GFLOP/s{of_peak})")
    wl.close()


def gemm_check(ctx, wl, B, n, x, dy, outs, fwd_np, bwd_np):
    """Same-math check: one call each (timed: the warm-up of a slow line); the gradient starts at
    zero. Returns (the wl callables, check seconds, relative differences)."""
    y_wl, y_np, dx_wl, dx_np, dw_np = outs
    fwd_wl, bwd_wl = wl.forward_fn(x, y_wl), wl.backward_fn(x, dy, dx_wl)
    _, tf_wl1 = timed(fwd_wl)
    _, tf_np1 = timed(fwd_np)
    wl.zero_grad()
    _, tb_wl1 = timed(bwd_wl)
    _, tb_np1 = timed(bwd_np)
    rel_y, rel_dx = max_rel_diff(y_wl, y_np), max_rel_diff(dx_wl, dx_np)
    rel_dw = max_rel_diff(wl.grad("fc.weight", (n, n)), dw_np)
    ctx.checks.append(f"GEMM B={B}, n={n} (one layer, same W, x, dy): max |a_wl − a_numpy|/max |a_numpy| "
                      f"y = x·Wᵀ {rel_y:.1e}, dx = dy·W {rel_dx:.1e}, dW = dyᵀ·x {rel_dw:.1e}")
    ctx.say(f"  check GEMM B={B} n={n}: max rel diff y {rel_y:.1e}, dx {rel_dx:.1e}, dW {rel_dw:.1e}")
    return (fwd_wl, bwd_wl), (tf_wl1, tf_np1, tb_wl1, tb_np1), (rel_y, rel_dx, rel_dw)


def run_gemm_shape(ctx, B, n):
    """The one-layer GEMM lines at (B, n) on the bias-free `linear fc: n -> n` model (gemm_wl):
    wl_forward (y = x Wᵀ) vs numpy's x @ W.T, and wl_backward (dx = dy W and dW += dyᵀ x: the
    generated backward always computes dx, into scratch when the caller passes none) vs numpy's
    dy @ W, dy.T @ x and the accumulation. numpy writes into preallocated outputs (np.matmul(...,
    out=)), so both sides run exactly the same sgemm shapes and transposes, alternated."""
    lib = ctx.compiled(gemm_wl(n), f"gemm_n{n}")[0]
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running GEMM: x·Wᵀ and dy·W + dyᵀ·x (1 layer) B={B} n={n}")
    wl = WLModel(lib, seed=0)
    rng = np.random.default_rng(3)  # independent of which other sections run
    x = rng.random((B, n), dtype=np.float32)
    dy = rng.standard_normal((B, n), dtype=np.float32)
    w = wl.get("fc.weight", (n, n))
    wt, dyt = w.T, dy.T  # views: numpy hands OpenBLAS the transpose flag, no copy
    outs = y_wl, y_np, dx_wl, dx_np, dw_np = [np.empty((B, n), np.float32) for _ in range(4)] + \
        [np.empty((n, n), np.float32)]
    g_np = np.zeros((n, n), np.float32)

    def fwd_np():
        np.matmul(x, wt, out=y_np)

    def bwd_np():
        np.matmul(dy, w, out=dx_np)
        np.matmul(dyt, x, out=dw_np)
        np.add(g_np, dw_np, out=g_np)  # wl accumulates into the stored gradient

    (fwd_wl, bwd_wl), (tf_wl1, tf_np1, tb_wl1, tb_np1), (rel_y, rel_dx, rel_dw) = gemm_check(
        ctx, wl, B, n, x, dy, outs, fwd_np, bwd_np)
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
        t = measure(ctx, wl_fn, np_fn, t_wl1, t_np1)
        ctx.flops[name] = flops
        gf_wl, gf_np = flops / (t.wl_ms * 1e-3) / 1e9, flops / (t.peer_ms * 1e-3) / 1e9
        peak = peak_now(ctx.peak, NTHREADS)
        of_peak, blas_of_peak = share(gf_wl, peak, NTHREADS), share(gf_np, peak, NTHREADS)
        add_line(ctx, name, t, f"{what}; {gf_wl:.2f} vs {gf_np:.2f} GFLOP/s (wl{of_peak}; OpenBLAS{blas_of_peak}); "
                 f"{t.notes()}", peer="sgemm", extra=f"  ({gf_wl:.2f} vs {gf_np:.2f} GFLOP/s{of_peak})")
    wl.close()
