"""The sequence lines: one training step of a causal transformer LM (AdamW; Muon + soft_cap) and
causal attention alone (forward; forward + backward) vs PyTorch eager with hand-written attention.

Unlike the other sections, each side runs in its own process (wlbench/seqside.py), one after the
other, so that each side's peak memory (ru_maxrss) can be reported: the wl process, then the torch
process twice, with the inherited environment and with TORCH_PASSIVE_ENV (libgomp's threads
sleeping instead of spinning), the faster of the two counting. The sides are therefore not
alternated block by block: each process runs its own warm-up, calibration and rounds."""
import json
import os
import re
import subprocess
import sys

import numpy as np

from .config import CONSTRAINT_C, MUON_LR, SEQ_ATTN_B, SEQ_ATTN_D, SEQ_ATTN_HEADS, SEQ_B, SEQ_BLOCKS, SEQ_D, \
    SEQ_HEADS, SEQ_T, SEQ_VOCAB, TORCH_PASSIVE_ENV
from .constraints import soft_cap_alpha
from .env import NTHREADS
from .harness import max_rel_diff, med_ms, spread
from .programs import attention_wl, lm_layers, lm_wl

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bench/: the workers' cwd


def run_side(ctx, side, spec, stem, extra_env=None, label=None, worker="wlbench.seqside"):
    """Runs one side in its own process (the module `worker`: seqside.py, gptside.py); returns
    its result dict."""
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


def run_pair(ctx, name, stem, spec):
    """wl, then torch (inherited environment), then torch (TORCH_PASSIVE_ENV); returns
    (wl result, best torch result, its label, both torch results)."""
    base = dict(spec, rounds=ctx.args.rounds, slow_rounds=ctx.args.slow_rounds, block=ctx.block,
                settle=ctx.args.settle, init=os.path.join(ctx.workdir, stem + ".init.npz"))
    res = {}
    for side, label, env in (("wl", "wl", None), ("torch", "torch", None),
                             ("torch", "torch-passive", TORCH_PASSIVE_ENV)):
        res[label] = run_side(ctx, side, dict(base, after=os.path.join(ctx.workdir, f"{stem}.{label}.after.npz")),
                              stem, env, label)
        r = res[label]
        ctx.say(f"    {label:<13} first call {r['t_first']:.2f} s, median {med_ms(r['times']):.1f} ms "
                f"({len(r['times'])}×k, k={r['k']}), peak RSS {r['rss_peak_mb']:.0f} MB "
                f"({r['rss_import_mb']:.0f} MB after imports)")
    best = min(("torch", "torch-passive"), key=lambda lb: med_ms(res[lb]["times"]))
    return res["wl"], res[best], best, res


def record(ctx, name, wl, tb, best, res, what, gflop=None):
    """The row (wl median, best torch median) with notes: both torch environments, spreads, the
    check step times, peak memory; the memory row for the memory goal."""
    wl_ms, t_ms = med_ms(wl["times"]), med_ms(tb["times"])
    t1, t2 = res["torch"], res["torch-passive"]
    # torch's peak: the smaller of its two processes, so the memory comparison never favours wl
    t_rss = min(t1["rss_peak_mb"], t2["rss_peak_mb"])
    notes = [what,
             f"torch best of inherited env {med_ms(t1['times']):.1f} ms / "
             f"{'+'.join(f'{k}={v}' for k, v in TORCH_PASSIVE_ENV.items())} {med_ms(t2['times']):.1f} ms "
             f"(best: {best})"]
    if gflop is not None:
        notes.append(f"nominal {gflop / wl_ms:.1f} vs {gflop / t_ms:.1f} GFLOP/s")
    slow = wl["slow"] or tb["slow"]
    notes.append(f"separate processes, not alternated; {len(wl['times'])}/{len(tb['times'])} rounds, "
                 f"k={wl['k']}/{tb['k']}{'; slow line: 1 call per round, the check step is the warm-up' if slow else ''}; "
                 f"spread {spread(wl['times']):.0%}/{spread(tb['times']):.0%}")
    notes.append(f"peak RSS wl {wl['rss_peak_mb']:.0f} MB vs torch {t_rss:.0f} MB (after imports "
                 f"{wl['rss_import_mb']:.0f} / {t1['rss_import_mb']:.0f} MB)")
    ctx.rows.append((name, wl_ms, t_ms, t_ms / wl_ms, "; ".join(notes)))
    ctx.memory.append((name, wl["rss_peak_mb"], t_rss, wl["rss_import_mb"], t1["rss_import_mb"]))
    ctx.say(f"  {name:<26} wl {wl_ms:10.3f} ms  torch {t_ms:10.3f} ms  ratio {t_ms / wl_ms:.3f}  "
            f"peak RSS {wl['rss_peak_mb']:.0f} / {t_rss:.0f} MB")


def wlc_alphas(ctx, stem):
    """The distinct soft_cap α in the step wlc generated (`wlc -emit=step`)."""
    try:
        r = subprocess.run([ctx.wlc, os.path.join(ctx.workdir, stem + ".wl"), "-emit=step"],
                           capture_output=True, text=True)
    except OSError:
        return set()
    return {float(a) for a in re.findall(r"wl\.spectral_soft_cap\b[^\n]*?alpha\s*=\s*([-+0-9.eE]+)", r.stdout)}


def run_lm(ctx, variant):
    title = {"adamw": "AdamW", "muon_soft_cap": "Muon + soft_cap (AdamW on embeddings, biases)"}[variant]
    name = f"seq step B={SEQ_B} T={SEQ_T} d={SEQ_D} {SEQ_BLOCKS} blocks: {title}"
    stem = f"seq_lm_{variant}"
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running {name}")
    lib, ct = ctx.compiled(lm_wl(variant), stem)
    rng = np.random.default_rng(2)  # its own generator: the batch does not depend on what else runs
    batch = os.path.join(ctx.workdir, stem + ".batch.npz")
    np.savez(batch, ids=rng.integers(0, SEQ_VOCAB, (SEQ_B, SEQ_T)).astype(np.int32),
             labels=rng.integers(0, SEQ_VOCAB, (SEQ_B, SEQ_T)).astype(np.int32))
    spec = dict(kind="lm", lib=lib, variant=variant, batch=batch, T=SEQ_T, d=SEQ_D, heads=SEQ_HEADS,
                blocks=SEQ_BLOCKS, vocab=SEQ_VOCAB)
    wl, tb, best, res = run_pair(ctx, name, stem, spec)

    # Same-math check: one step from the same parameters on the same batch.
    a_wl = np.load(os.path.join(ctx.workdir, f"{stem}.wl.after.npz"))
    a_t = np.load(os.path.join(ctx.workdir, f"{stem}.{best}.after.npz"))
    grel = max((max_rel_diff(a_wl[k], a_t[k]), k[2:]) for k in a_wl.files if k.startswith("g:"))
    pmax = max((float(np.max(np.abs(a_wl[k] - a_t[k]))), k[2:]) for k in a_wl.files if k.startswith("p:"))
    msg = (f"loss wl {wl['loss']:.6f} vs torch {tb['loss']:.6f}; gradients max |g_wl − g_torch|/max |g_torch| "
           f"{grel[0]:.1e} ({grel[1]}); after one step max |θ_wl − θ_torch| {pmax[0]:.2e} ({pmax[1]})")
    if variant == "muon_soft_cap":
        py = sorted({round(soft_cap_alpha(CONSTRAINT_C, MUON_LR, 0.0, o, i), 9) for _, i, o, _ in lm_layers()})
        msg += (f"; soft_cap α {', '.join(f'{a:.6g}' for a in py)} "
                f"(wlc's: {', '.join(f'{a:.6g}' for a in sorted(wlc_alphas(ctx, stem))) or 'unread'})")
    msg += f"; first step wl {wl['t_first']:.2f} s, torch {tb['t_first']:.2f} s"
    ctx.checks.append(f"{name}: {msg}")
    ctx.say(f"  check: {msg}")
    record(ctx, name, wl, tb, best, res,
           "wl_train_step vs torch eager (F.linear, hand-written RoPE attention, torch.optim.AdamW"
           + (", Muon NS5 fp32 + soft_cap as in the soft_cap constraint line" if variant != "adamw" else "")
           + f"); wlc {ct:.1f} s")


def run_attention(ctx, T, mode):
    B, d, H = SEQ_ATTN_B, SEQ_ATTN_D, SEQ_ATTN_HEADS
    name = f"attention {'fwd' if mode == 'fwd' else 'fwd+bwd'} B={B} T={T} d={d} H={H} causal"
    stem = f"seq_attn_T{T}_{mode}"
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running {name}")
    lib, ct = ctx.compiled(attention_wl(T, d, H), f"seq_attn_T{T}")
    rng = np.random.default_rng(3)
    batch = os.path.join(ctx.workdir, stem + ".batch.npz")
    np.savez(batch, x=rng.standard_normal((B, T, d), dtype=np.float32),
             dy=rng.standard_normal((B, T, d), dtype=np.float32))
    spec = dict(kind="attention", lib=lib, mode=mode, batch=batch, T=T, d=d, heads=H)
    wl, tb, best, res = run_pair(ctx, name, stem, spec)
    a_wl = np.load(os.path.join(ctx.workdir, f"{stem}.wl.after.npz"))
    a_t = np.load(os.path.join(ctx.workdir, f"{stem}.{best}.after.npz"))
    y_rel = max_rel_diff(a_wl["y"].reshape(B, -1), a_t["y"])
    msg = f"max |a_wl − a_torch|/max |a_torch| y {y_rel:.1e}"
    if mode != "fwd":
        msg += f", dx {max_rel_diff(a_wl['dx'].reshape(B, -1), a_t['dx']):.1e}"
    ctx.checks.append(f"{name}: {msg}; first call wl {wl['t_first']:.3f} s, torch {tb['t_first']:.3f} s")
    ctx.say(f"  check: {msg}")
    # Useful FLOPs (the causal half): forward q kᵀ and P v, 2·B·T²·d; the backward four products more.
    fwd_flop = 2.0 * B * T * T * d
    gflop = (fwd_flop if mode == "fwd" else 3 * fwd_flop) / 1e6  # / ms -> GFLOP/s
    what = ("wl_forward vs torch eager under no_grad" if mode == "fwd" else
            "wl_backward (runs the forward itself; dx = dq + dk + dv) vs torch eager forward + backward(dy)")
    record(ctx, name, wl, tb, best, res, f"{what}, hand-written attention (scaled q kᵀ, mask, softmax, · v); "
           f"wlc {ct:.1f} s", gflop)


def run_sequence(ctx, lines, attn_ts):
    """The sequence lines: `lm_adamw`, `lm_muon` (training steps), `attn_fwd`, `attn_fwdbwd` at each T."""
    for variant, key in (("adamw", "lm_adamw"), ("muon_soft_cap", "lm_muon")):
        if key in lines:
            run_lm(ctx, variant)
    for T in attn_ts:
        for mode, key in (("fwd", "attn_fwd"), ("fwdbwd", "attn_fwdbwd")):
            if key in lines:
                run_attention(ctx, T, mode)
