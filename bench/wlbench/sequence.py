"""The sequence lines: one training step of a causal transformer LM (AdamW; Muon + soft_cap) and
causal attention alone (forward; forward + backward) vs PyTorch eager with hand-written attention.

Each side runs in its own process (wlbench/seqside.py), one after the other, so that each side's
peak memory (VmHWM) can be reported too: the wl process, then the torch process once per
environment of config.TORCH_ENVS (apart.py), the fastest counting. The sides are therefore not
alternated block by block: each process runs its own warm-up, calibration and rounds."""
import os

import numpy as np

from .apart import run_side, torch_envs
from .config import CONSTRAINT_C, MUON_LR, SEQ_ATTN_B, SEQ_ATTN_D, SEQ_ATTN_HEADS, SEQ_B, SEQ_BLOCKS, SEQ_D, \
    SEQ_HEADS, SEQ_T, SEQ_VOCAB, WL_SIDE_ENV
from .constraints import soft_cap_alpha, wlc_soft_cap_alphas
from .harness import max_rel_diff, med_ms, spread
from .programs import attention_wl, lm_layers, lm_wl

def run_pair(ctx, name, stem, spec):
    """wl, then torch once per environment of apart.torch_envs(); returns (wl result, best torch
    result, its label, {label: result} of every process). Torch's labels: `torch-<environment>`."""
    base = dict(spec, rounds=ctx.args.rounds, slow_rounds=ctx.args.slow_rounds, block=ctx.block,
                settle=ctx.args.settle, init=os.path.join(ctx.workdir, stem + ".init.npz"))
    res = {}
    for side, label, env in [("wl", "wl", WL_SIDE_ENV)] + [("torch", f"torch-{lb}", ex) for lb, ex in torch_envs()]:
        if label == "torch-passive-blas1" and any(r["slow"] for r in res.values()):
            continue
        res[label] = run_side(ctx, side, dict(base, after=os.path.join(ctx.workdir, f"{stem}.{label}.after.npz")),
                              stem, env, label)
        r = res[label]
        ctx.say(f"    {label:<19} first call {r['t_first']:.2f} s, median {med_ms(r['times']):.1f} ms "
                f"({len(r['times'])}×k, k={r['k']}), peak RSS {r['rss_peak_mb']:.0f} MB "
                f"({r['rss_import_mb']:.0f} MB after imports)")
    best = min((lb for lb in res if lb != "wl"), key=lambda lb: med_ms(res[lb]["times"]))
    return res["wl"], res[best], best, res


def torch_runs(res):
    """{environment: result} of the torch processes in run_pair's or gpt's results."""
    return {lb[len("torch-"):]: r for lb, r in res.items() if lb.startswith("torch-")}


def record(ctx, name, wl, tb, best, res, what, gflop=None):
    """The row (wl median, best torch median) with notes: every torch environment, spreads, the
    check step times, peak memory; the memory row for the memory goal."""
    wl_ms, t_ms = med_ms(wl["times"]), med_ms(tb["times"])
    runs = torch_runs(res)
    # torch's peak: the smallest of its processes, so the memory comparison never favours wl
    t_rss = min(r["rss_peak_mb"] for r in runs.values())
    t_import = runs["default"]["rss_import_mb"]
    notes = [what, "torch best of " + " / ".join(f"{lb} {med_ms(r['times']):.1f} ms" for lb, r in runs.items())
             + f" (best: {best[len('torch-'):]}; environments in the header)"]
    if gflop is not None:
        ctx.flops[name] = gflop * 1e6
        notes.append(f"nominal {gflop / wl_ms:.1f} vs {gflop / t_ms:.1f} GFLOP/s")
    slow = wl["slow"] or tb["slow"]
    notes.append(f"separate processes, not alternated; {len(wl['times'])}/{len(tb['times'])} rounds, "
                 f"k={wl['k']}/{tb['k']}{'; slow line: 1 call per round, the check step is the warm-up' if slow else ''}; "
                 f"spread {spread(wl['times']):.0%}/{spread(tb['times']):.0%}")
    notes.append(f"peak RSS wl {wl['rss_peak_mb']:.0f} MB vs torch {t_rss:.0f} MB (after imports "
                 f"{wl['rss_import_mb']:.0f} / {t_import:.0f} MB)")
    ctx.rows.append((name, wl_ms, t_ms, t_ms / wl_ms, "; ".join(notes)))
    ctx.memory.append((name, wl["rss_peak_mb"], t_rss, wl["rss_import_mb"], t_import))
    ctx.say(f"  {name:<26} wl {wl_ms:10.3f} ms  torch {t_ms:10.3f} ms  ratio {t_ms / wl_ms:.3f}  "
            f"peak RSS {wl['rss_peak_mb']:.0f} / {t_rss:.0f} MB")


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
        wlc = sorted(round(a, 9) for a in wlc_soft_cap_alphas(ctx.wlc, os.path.join(ctx.workdir, stem + ".wl"),
                                                               MUON_LR))
        msg += (f"; soft_cap α {', '.join(f'{a:.6g}' for a in py)} "
                f"(wlc's at lr {MUON_LR}: {', '.join(f'{a:.6g}' for a in wlc) or 'unread'})")
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
