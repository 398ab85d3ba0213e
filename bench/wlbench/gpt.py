"""The Lipschitz GPT line (issue 18): a .wl Lipschitz transformer (default
examples/lipschitz_gpt_small.wl) trained for the same steps by its compiled library and by a
PyTorch eager peer of the same architecture and update, side by side.

Both sides start from wl's initial parameters (wl_create(seed), copied into torch) and train on the
same batches of Debian's fortunes (drawn here once, as wl-train draws them: wl.text.TextData,
numpy.random.default_rng(seed)); the peer is written from the .wl text (wlbench/gptspec.py), not
from wlc's output. Before anything is timed, the torch process checks itself against wl on shared
check parameters (forward logits, the loss and the parameters after one and two steps) and refuses
to train when they differ. Each side runs in its own process (wlbench/gptside.py), as the sequence
lines: wl, then torch once per environment of config.TORCH_ENVS (apart.py), the fastest torch
counting. Reported: the median step time after a warm-up, tokens/s, the final validation loss and
accuracy on the same evenly spaced validation windows, where each side's time goes, wl's sound
certificate and the reference code's formula (phess2/lipschitz-transformers utils.py) on the
final weights."""
import hashlib
import os
import statistics
import sys

import numpy as np

from .config import GPT_BATCH, GPT_SEED, GPT_VAL_WINDOWS, GPT_WARMUP_STEPS, WL_SIDE_ENV
from .gptspec import SpecError, describe, parse_gpt, settings
from .apart import run_side as run_worker, torch_envs
from .harness import med_ms
from .sequence import torch_runs

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bench/: the workers' cwd
REPO = os.path.dirname(BENCH)
GELU_BOUND = 1.1289  # gelu's largest slope: what the reference formula divides the MLP term by


def wl_package():
    """The wl Python package of this checkout (runtime/python)."""
    sys.path.insert(0, os.path.join(REPO, "runtime", "python"))
    import wl
    import wl.text
    return wl


def draw_data(model, steps, batch, windows, seed, path):
    """The training batches (as wl-train draws them: TextData.train_batch with default_rng(seed)) and
    `windows` evenly spaced validation windows of the fortunes, saved to `path` for both sides;
    returns (vocabulary size, validation positions)."""
    text = wl_package().text
    data = text.TextData(text.read_fortunes(), model["T"], "fortunes")
    if data.vocab.size > model["V"]:
        raise SpecError(f"the fortunes need V >= {data.vocab.size}, the model has V = {model['V']}")
    rng = np.random.default_rng(seed)
    xs, ys = zip(*(data.train_batch(rng, batch) for _ in range(steps)))
    starts, first = text.validation_windows(len(data.val_ids), model["T"], windows)
    vx, vy = data.windows(starts)
    np.savez(path, x=np.stack(xs).astype(np.int32), y=np.stack(ys).astype(np.int32), val_x=vx.astype(np.int32),
             val_y=vy.astype(np.int32), val_first=first)
    return data.vocab.size, int(np.sum(model["T"] - first))


def run_side(ctx, side, spec, label, extra_env=None):
    """One side in its own process (gptside.py); its result dict."""
    spec = dict(spec, final=os.path.join(ctx.workdir, f"gpt.{label}.final.npz"))
    res = run_worker(ctx, side, spec, "gpt", extra_env, label, worker="wlbench.gptside")
    res["final"] = spec["final"]
    return res


def step_ms(res, warmup):
    """Median ms of the steps after the warm-up."""
    return med_ms(res["times"][warmup:])


def sigma(w):
    return float(np.linalg.norm(np.asarray(w, np.float64), 2))


def reference_bound(W, model):
    """calculate_lipschitz_constant of phess2/lipschitz-transformers utils.py (its transformer
    branch), term by term, on our weights: weight_norm = σ_max(W) (modula logs
    jnp.linalg.norm(w, ord=2)), attention_scale = the .wl's scale, alpha = 1/(2·num_blocks),
    activation norms starting at 1 (the embedding's rows have RMS norm <= 1). L_embed = 1: wl's
    certificate also starts at the embedding's output (max_t ||x_t||_2 over it). As written, the
    formula divides the MLP term by 1.1289 although our GeLU is already scaled by 1/1.1289, so its
    value is no upper bound (ALGORITHMS.md, "Certificates of sequence models")."""
    attn = [b for b in model["blocks"] if b["kind"] == "attn"]
    mlp = [b for b in model["blocks"] if b["kind"] == "mlp"]
    if len(attn) != len(mlp):
        raise SpecError("the reference formula needs one MLP per attention block")
    n = {k: sigma(w) for k, w in W.items()}

    def norm(layer):
        return n[layer + ".weight"]
    scale, alpha = attn[0]["scale"], 1 / (2 * len(attn))
    act = [1.0]
    for a, m in zip(attn, mlp):
        att_norm = 1 / 3 * norm(a["o"]) * norm(a["v"])
        act.append((1 - alpha) * act[-1] + alpha * att_norm * act[-1])
        mlp_norm = norm(m["down"]) * norm(m["up"]) / GELU_BOUND
        act.append((1 - alpha) * act[-1] + alpha * mlp_norm * act[-1])
    L = 1.0
    for i, (a, m) in enumerate(zip(attn, mlp)):
        q, k, v, w = norm(a["q"]), norm(a["k"]), norm(a["v"]), norm(a["o"])
        L_att = 1 / 3 * w * (v + 2 * v * act[2 * i] ** 2 * q * k) * scale
        L_mlp = norm(m["down"]) * norm(m["up"]) / GELU_BOUND
        L = (1 - alpha) * L + alpha * L * L_att
        L = (1 - alpha) * L + alpha * L * L_mlp
    return L * norm(model["head"])


def wl_certificate(lib_path, params, seed):
    """wl's sound certificate (wl_lipschitz_bound) of the given parameters."""
    wl = wl_package()
    with wl.load_library(lib_path).create(seed=seed) as m:
        m.params.update({k: np.ascontiguousarray(v) for k, v in params.items()})
        return m.lipschitz_bound()


def phase_split(wl, tb, warmup):
    """Where a step's time goes, ms: torch's phases timed inside its steps; wl's forward + loss
    (wl_loss) and optimizer + constraints (wl_step) timed on their own after training, the backward
    the rest of the median wl_train_step."""
    t = {k: med_ms(v[warmup:]) for k, v in tb["phases"].items()}
    w_fwd, w_opt = med_ms(wl["phases"]["forward + loss"]), med_ms(wl["phases"]["optimizer + constraints"])
    w_bwd = step_ms(wl, warmup) - w_fwd - w_opt
    return (f"{w_fwd:.1f} / {w_bwd:.1f} / {w_opt:.1f}",
            f"{t['forward + loss']:.1f} / {t['backward']:.1f} / {t['Muon'] + t['constraints']:.1f} "
            f"(Muon {t['Muon']:.1f}, constraints {t['constraints']:.1f})")


def run_gpt(ctx, path, steps, batch=GPT_BATCH, windows=GPT_VAL_WINDOWS, seed=GPT_SEED, warmup=GPT_WARMUP_STEPS):
    warmup = min(warmup, steps // 2)  # a short run (--gpt-steps 3) keeps steps to take the median of
    ctx.say(f"  [{ctx.elapsed():4.0f} s] running the Lipschitz GPT line: {path}, {steps} steps of batch {batch}")
    with open(path) as f:
        text = f.read()
    try:
        model = parse_gpt(text)
    except SpecError as e:
        ctx.rows.append((f"gpt step {os.path.basename(path)}", None, None, None, f"skipped: {e}"))
        ctx.say(f"  skipped: {path}: {e}")
        return
    name = f"gpt step {describe(model)} B={batch}: Muon + soft_cap, {steps} steps"
    lib, ct = ctx.compiled(text, f"gpt_{model['name']}")
    data = os.path.join(ctx.workdir, "gpt.data.npz")
    vocab, positions = draw_data(model, steps, batch, windows, seed, data)
    spec = dict(lib=lib, model=model, seed=seed, steps=steps, data=data,
                init=os.path.join(ctx.workdir, "gpt.init.npz"), check_params=os.path.join(ctx.workdir, "gpt.check.npz"),
                check_wl=os.path.join(ctx.workdir, "gpt.check_wl.npz"))
    res = {}
    for side, label, env in [("wl", "wl", WL_SIDE_ENV)] + [("torch", f"torch-{lb}", ex) for lb, ex in torch_envs()]:
        res[label] = r = run_side(ctx, side, spec, label, env)
        if "refused" in r:
            msg = f"the torch peer does not compute what wl computes: {r['refused']}; check {r['check']}"
            ctx.rows.append((name, None, None, None, f"skipped: {msg}"))
            ctx.checks.append(f"{name}: {msg}")
            ctx.say(f"  skipped: {msg}")
            return
        ctx.say(f"    {label:<13} median step {step_ms(r, warmup):.1f} ms, val loss {r['val_loss']:.4f} "
                f"accuracy {r['val_acc']:.4f}, peak RSS {r['rss_peak_mb']:.0f} MB")
    wl = res["wl"]
    best = min((lb for lb in res if lb != "wl"), key=lambda lb: step_ms(res[lb], warmup))
    tb = res[best]
    c = tb["check"]
    ctx.checks.append(
        f"{name}: from shared check parameters (wl's initial ones, the zero-initialised o and down replaced by "
        f"random matrices at 0.9 of their bound): logits max |Δ|/max |z_torch| {c['logits']:.1e}; loss wl "
        f"{c['losses'][0]:.6f} vs torch {c['losses'][1]:.6f} (step 2: {c['losses'][2]:.6f} vs {c['losses'][3]:.6f}); "
        f"parameters after one step max |Δ|/max |θ_torch| {c['step1'][0]:.1e} ({c['step1'][1]}), after two "
        f"{c['step2'][0]:.1e} ({c['step2'][1]})")
    about = (f"{os.path.relpath(path, REPO)} (sha256 {hashlib.sha256(text.encode()).hexdigest()[:12]}): "
             f"{settings(model)}; vocabulary {vocab} of V = {model['V']}; validation: {positions} positions of "
             f"{windows} evenly spaced windows")
    ctx.checks.append(f"{name}: measured on {about}")
    record(ctx, name, model, wl, tb, best, res, lib, seed, batch, steps, warmup, positions, about, ct)


def record(ctx, name, model, wl, tb, best, res, lib, seed, batch, steps, warmup, positions, about, ct):
    """The row (median step ms of each side, notes), and the side-by-side table on the console."""
    w_ms, t_ms = step_ms(wl, warmup), step_ms(tb, warmup)
    tokens = batch * model["T"]
    final_wl, final_t = dict(np.load(wl["final"])), dict(np.load(tb["final"]))
    cert_wl, cert_t = wl["lipschitz"], wl_certificate(lib, final_t, seed)
    ref_wl, ref_t = reference_bound(final_wl, model), reference_bound(final_t, model)
    # The accuracy's noise scale: the binomial standard error over the validation positions
    # (an underestimate: neighbouring positions are correlated).
    se = (tb["val_acc"] * (1 - tb["val_acc"]) / positions) ** 0.5
    # How far the two trajectories drifted apart (float32 rounding compounding over the steps)
    drift = max((float(np.max(np.abs(final_wl[k] - final_t[k])) / np.max(np.abs(final_t[k]))), k) for k in final_t)
    w_phase, t_phase = phase_split(wl, tb, warmup)
    runs = torch_runs(res)

    def last(r):
        return statistics.mean(r["losses"][-20:])
    notes = [f"{tokens / w_ms * 1e3:,.0f} vs {tokens / t_ms * 1e3:,.0f} tokens/s",
             f"val accuracy {wl['val_acc']:.4f} vs {tb['val_acc']:.4f} (±{se:.4f} binomial s.e.), val loss "
             f"{wl['val_loss']:.4f} vs {tb['val_loss']:.4f}; final weights differ by {drift[0]:.1e} relative "
             f"({drift[1]})",
             f"wl certificate {cert_wl:.4g} (of torch's weights {cert_t:.4g}); reference formula {ref_t:.4g} "
             f"(of wl's weights {ref_wl:.4g})",
             f"ms forward + loss / backward / optimizer + constraints: wl {w_phase}; torch {t_phase}",
             "torch best of " + " / ".join(f"{lb} {step_ms(r, warmup):.1f} ms" for lb, r in runs.items())
             + f" (best: {best[len('torch-'):]}; environments in the header)",
             f"separate processes; median of steps {warmup + 1}–{steps}; peak RSS wl {wl['rss_peak_mb']:.0f} MB vs "
             f"torch {min(r['rss_peak_mb'] for r in runs.values()):.0f} MB; wlc {ct:.1f} s"]
    ctx.rows.append((name, w_ms, t_ms, t_ms / w_ms, "; ".join(notes)))
    table = [f"Side by side: {name}; {about}", "",
             "| | wl | torch eager | torch / wl |", "|---|---:|---:|---:|",
             f"| step ms (median of steps {warmup + 1}–{steps}) | {w_ms:.1f} | {t_ms:.1f} | {t_ms / w_ms:.2f} |",
             f"| tokens/s | {tokens / w_ms * 1e3:,.0f} | {tokens / t_ms * 1e3:,.0f} | |",
             f"| ms forward + loss / backward / optimizer + constraints | {w_phase} | {t_phase} | |",
             f"| train loss (mean of the last 20 steps) | {last(wl):.4f} | {last(tb):.4f} | |",
             f"| final validation loss | {wl['val_loss']:.4f} | {tb['val_loss']:.4f} | |",
             f"| final validation accuracy (±{se:.4f} binomial s.e.) | {wl['val_acc']:.4f} | {tb['val_acc']:.4f} | |",
             f"| final weights: max \\|θ_wl − θ_torch\\| / max \\|θ_torch\\| | {drift[0]:.1e} ({drift[1]}) | | |",
             f"| wl certificate (sound, wl_lipschitz_bound) of the final weights | {cert_wl:.4g} | {cert_t:.4g} | |",
             f"| reference formula (lipschitz-transformers utils.py) of the final weights | {ref_wl:.4g} | "
             f"{ref_t:.4g} | |", ""]
    ctx.say("\n".join(table))
    ctx.say(f"  {name}: wl {w_ms:.1f} ms  torch {t_ms:.1f} ms  ratio {t_ms / w_ms:.2f}")
