"""The Lipschitz transformer example (examples/lipschitz_gpt_small.wl) trained on text:
its constraints after every step, the loss, and its certificate against an adversarial search.

    usage: lipschitz_gpt.py model.mlir NAME=lib.so,report.json [NAME=lib.so,report.json ...]
                            (CPU/lipschitz_gpt.test)

model.mlir is `wlc --emit=wl` of the example: the exact c of every constraint (the report
rounds it to 2 decimals, e.g. 11.31 for sqrt(128)), each weight's init and the attention
ops' attributes. Each NAME is one compiled configuration of the example with its `wlc
--report=json`: which layer has which constraint, and soft_cap's guarantee, which must be
"exact" (the configuration in which constraints.py's TOL_SOFT_CAP applies). The layers,
their shapes and the number of blocks come from the library: nothing about the example's
sizes or lrs is written here.

For each configuration, STEPS steps of wl_train_step on BATCH random windows of Debian's
fortunes (wl.text.read_fortunes and TextData: the package's vocabulary and 90/10 split),
and at creation and after EVERY step, by numpy's float64 SVD:
  constraints_NAME  every spectral_bound(c, soft_cap) layer: sigma_max(W) <= c (1 +
                    TOL_SOFT_CAP); the embedding's norm_bound(c, norm = row): every row's l2
                    norm <= c (1 + TOL_EXACT). Prints the largest sigma/c at creation (1:
                    creation's svd_clip) and over the steps.
  loss_NAME         the mean loss on VAL_WINDOWS fixed validation windows drops by LOSS_DROP.
  active_NAME       (NAME "driven" only: the example compiled with a larger --lr-scale) the
                    bounds are reached by TRAINING, so that constraints_driven cannot pass
                    vacuously: at the last step some spectral layer is within ACTIVE of its
                    c, and some layer that starts at zeros (init = zeros: sigma_max 0 at
                    creation, where creation's projection plays no part) has reached
                    ZERO_INIT_REACH c. For other names the same numbers are only printed
                    (`# NAME: ...`).
Then, at the trained weights:
  forward_NAME      a float64 torch re-implementation of the example's architecture (as its
                    header describes it: L blocks, found from the layer names q1..qL, convex
                    residuals h = (1 - 1/(2L)) h + 1/(2L) block(h), attention with the
                    emitted heads, scale heads/D, RoPE, output / 3, gelu/1.1289 MLP, no
                    biases) from the certificate's input X = E[ids] matches wl_forward on
                    validation windows.
  search_NAME_PHASE certificate_sequence.py's search: Adam on log r over SEARCH_STARTS pairs
                    X, X' whose rows stay within E's largest row norm (near and far pairs,
                    some from embedded validation text), full context,
                        r(X, X') = max_t ||f(X)_t - f(X')_t||_2 / max_t ||X_t - X'_t||_2,
                    the ascent in float32 (2-3x faster here), each pair's best iterate
                    evaluated again in float64. PHASE trained: at the trained weights;
                    sharp: with every q and k weight scaled by SHARP (near-hard attention).
                    No ratio may exceed wl_lipschitz_bound; prints the worst ratio, the
                    certificate and their quotient.
Every check prints `OK <name> ...` or `FAIL <name> ...`; the script exits 1 if any failed.
"""
import math
import os
import re
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402

import certificate_sequence as cs  # noqa: E402  (sets torch to float64, one thread)
from constraints import TOL_EXACT, TOL_SOFT_CAP  # noqa: E402
import wl  # noqa: E402
from wl import text as wltext  # noqa: E402
from wl.train import parse_report  # noqa: E402

STEPS = 30              # train steps per configuration
BATCH = 8
VAL_WINDOWS = 32        # fixed validation windows (evenly spaced over the validation text)
LOSS_DROP = 0.2         # nats the validation loss must drop in STEPS steps
ACTIVE = 0.02           # "at the bound": sigma_max >= (1 - ACTIVE) c
ZERO_INIT_REACH = 0.95  # a zero-initialised layer must reach this fraction of its c
SEARCH_STARTS = 10      # pairs per search phase
SEARCH_STEPS = 80       # Adam steps per phase
SEARCH_SEED = {"trained": 1, "sharp": 2}
SHARP = 4.0             # factor on the q and k weights in the sharp phase
GELU_SCALE = 1.1289     # the example's gelu/1.1289
ATTN_OUT = 1.0 / 3.0    # the example's 1/3 on the attention output
SEED = 3

FAILED = []


def setup_fail(detail):
    """A precondition of the whole test does not hold: FAIL setup, exit 1."""
    print("FAIL setup %s" % detail)
    sys.stdout.flush()
    print("FAIL setup %s" % detail, file=sys.stderr)
    sys.exit(1)


def check(name, ok, detail):
    print("%s %s %s" % ("OK" if ok else "FAIL", name, detail))
    sys.stdout.flush()
    if not ok:
        print("FAIL %s %s" % (name, detail), file=sys.stderr)
        FAILED.append(name)
    return ok


# -- what the compiler says ------------------------------------------------------------
def parse_emit(path):
    """From `wlc --emit=wl`: ({layer: [(kind, c)]}, {layer: init kind}, [the attributes of
    @forward's attention ops, in order])."""
    bounds, init, attention = {}, {}, []
    func = None
    with open(path) as f:
        for line in f:
            fn = re.match(r"\s*func\.func @(\w+)", line)
            if fn:
                func = fn.group(1)
            p = re.match(r"\s*wl\.param @([\w.]+)\.weight : \S+ \{(.*)\}\s*$", line)
            if p:
                layer, attrs = p.group(1), p.group(2)
                for kind, c in re.findall(r"#wl\.(spectral_bound|norm_bound)<c = ([^,>]+)",
                                          attrs):
                    bounds.setdefault(layer, []).append((kind, float(c)))
                k = re.search(r"init = #wl\.init<kind = (\w+)", attrs)
                init[layer] = k.group(1) if k else "?"
            a = re.search(r"wl\.attention .*\{(.*heads = .*)\}", line)
            if a and func == "forward":
                attrs = dict(re.findall(r"(\w+) = ([^,:}]+)", a.group(1)))
                attention.append({"heads": int(attrs["heads"]), "scale": float(attrs["scale"]),
                                  "causal": attrs.get("causal", "false").strip() == "true",
                                  "rope": attrs.get("rope", "false").strip() == "true",
                                  "rope_base": float(attrs.get("rope_base", "10000"))})
    return bounds, init, attention


def constraint_table(lib, report, bounds):
    """[(layer, kind, c)] for every constrained layer, from the report (kind, method,
    guarantee) and the emitted c (the report's rounded c must agree with it)."""
    table = []
    for layer in lib.layers:
        info = report.get(layer.name)
        if info is None:
            setup_fail("layer %s is not in the report" % layer.name)
        emitted = dict(bounds.get(layer.name, []))
        for con in info["constraints"]:
            kind, args = con["kind"], con["args"]
            c = emitted.get(kind)
            if c is None or abs(float(args[0]) - c) > 0.006 * max(1.0, c):
                setup_fail("%s: the report's %s is not the emitted %r" % (layer.name, con["text"],
                                                                          emitted))
            if kind == "spectral_bound":
                if args[1:] != ["soft_cap"] or con["guarantee"] != "exact":
                    setup_fail("%s: %s %s (the test expects soft_cap, exact)"
                               % (layer.name, con["text"], con["guarantee"]))
                table.append((layer.name, "spectral", c))
            elif kind == "norm_bound" and args[1:] == ["row"]:
                table.append((layer.name, "row", c))
            else:
                setup_fail("%s: unexpected constraint %s" % (layer.name, con["text"]))
    return table


def measure(m, table):
    """{layer: sigma_max / c (spectral) or largest row norm / c (row)}, float64."""
    out = {}
    for name, kind, c in table:
        W = m.weight(name).astype(np.float64)
        if kind == "spectral":
            out[name] = np.linalg.svd(W, compute_uv=False)[0] / c
        else:
            out[name] = np.linalg.norm(W, axis=1).max() / c
    return out


# -- the re-implementation ---------------------------------------------------------------
class Arch:
    """The example's architecture with its sizes from the library: tok, blocks 1..L of
    q, k, v, o, up, down, head."""

    def __init__(self, lib, attention):
        names = [l.name for l in lib.layers]
        self.L = len([n for n in names if re.fullmatch(r"q\d+", n)])
        expect = ["tok"] + ["%s%d" % (p, i) for i in range(1, self.L + 1)
                            for p in ("q", "k", "v", "o", "up", "down")] + ["head"]
        if sorted(names) != sorted(expect) or len(attention) != self.L:
            setup_fail("layers %s and %d attention ops: not the example's architecture (%s)"
                       % (names, len(attention), expect))
        self.D = lib._layer_index["tok"].out_features
        self.attention = attention
        self.alpha = 1.0 / (2 * self.L)

    def __call__(self, W, X):
        h, a = X, self.alpha
        for i in range(1, self.L + 1):
            at = self.attention[i - 1]
            heads = at["heads"]
            att = attention(W.lin("q%d" % i, h), W.lin("k%d" % i, h), W.lin("v%d" % i, h), heads,
                            heads / self.D, at["causal"], at["rope"], at["rope_base"])
            h = (1 - a) * h + a * W.lin("o%d" % i, ATTN_OUT * att)
            mlp = torch.nn.functional.gelu(W.lin("up%d" % i, h)) / GELU_SCALE
            h = (1 - a) * h + a * W.lin("down%d" % i, mlp)
        return W.lin("head", h)


def rope(x, base):
    """certificate_sequence.rope (rotate_half, ALGORITHMS.md) in x's dtype."""
    T, m = x.shape[1], x.shape[3]
    j = torch.arange(m // 2, dtype=torch.float64)
    ang = torch.arange(T, dtype=torch.float64)[:, None] * base ** (-2.0 * j / m)[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1)[None, :, None, :].to(x.dtype)
    sin = torch.cat([ang.sin(), ang.sin()], -1)[None, :, None, :].to(x.dtype)
    x1, x2 = x[..., : m // 2], x[..., m // 2:]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def attention(q, k, v, heads, scale, causal, use_rope, base):
    B, T, D = q.shape
    m = D // heads
    q, k, v = (t.reshape(B, T, heads, m) for t in (q, k, v))
    if use_rope:
        q, k = rope(q, base), rope(k, base)
    s = scale * torch.einsum("bthm,bshm->bhts", q, k)
    if causal:
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
    return torch.einsum("bhts,bshm->bthm", torch.softmax(s, -1), v).reshape(B, T, D)


# -- the search ---------------------------------------------------------------------------
def rowmax(z):
    """max_t ||z_t||_2 per example of [B, T, n] (certificate_sequence.rowmax, any dtype)."""
    return torch.sqrt((z * z).sum(-1) + 1e-30).max(-1).values


def ratios(f, W, x, x2):
    return rowmax(f(W, x) - f(W, x2)) / rowmax(x - x2)


def pairs(rng, n, shape, radius, base):
    """certificate_sequence.starts for n pairs: a third from embedded text, some on the
    boundary, the rest random directions at random radii; even pairs near (X' = X + noise
    of 1e-4..1e-1 radius: the local constant), odd pairs far."""
    T, d = shape
    dirs = rng.normal(size=(n, T, d))
    dirs /= np.linalg.norm(dirs, axis=-1, keepdims=True)
    u = dirs * radius * rng.uniform(0.2, 1.0, size=(n, T, 1))
    u[: n // 3] = base(n // 3)
    u[n // 3: n // 2] = dirs[n // 3: n // 2] * radius
    near = rng.normal(size=(n, T, d)) * radius * 10.0 ** rng.uniform(-4, -1, size=(n, 1, 1))
    far = rng.normal(size=(n, T, d)) * radius
    u2 = u + np.where(np.arange(n)[:, None, None] % 2 == 0, near, far)
    return u, u2


def search(f, m, shape, radius, seed, base):
    """(the largest float64 r(X, X') found, the float32 one): Adam on -log r in float32
    over SEARCH_STARTS pairs, rows kept in the ball by certificate_sequence.project; each
    pair's best iterate is evaluated again in float64, which is the result."""
    W64 = cs.Weights(m)
    W32 = cs.Weights(m)
    W32.w = {k: v.float() for k, v in W32.w.items()}
    u, u2 = (torch.tensor(a, dtype=torch.float32, requires_grad=True)
             for a in pairs(np.random.default_rng(seed), SEARCH_STARTS, shape, radius, base))
    opt = torch.optim.Adam([u, u2], lr=0.02 * radius)
    best = torch.full((SEARCH_STARTS,), -1.0)
    bx = torch.zeros(u.shape, dtype=torch.float32)
    bx2 = torch.zeros(u.shape, dtype=torch.float32)
    for step in range(SEARCH_STEPS + 1):
        x, x2 = cs.project(u, radius), cs.project(u2, radius)
        r = ratios(f, W32, x, x2)
        with torch.no_grad():
            better = r > best
            best = torch.where(better, r, best)
            bx[better], bx2[better] = x[better], x2[better]
        if step == SEARCH_STEPS:
            break
        opt.zero_grad()
        (-torch.log(r).sum()).backward()
        opt.step()
    with torch.no_grad():
        # float64 projection again: the float32 rows may sit a rounding above the radius.
        r64 = ratios(f, W64, cs.project(bx.double(), radius), cs.project(bx2.double(), radius))
    return float(r64.max()), float(best.max())


# -- one configuration -------------------------------------------------------------------
def run(name, lib_path, report_path, bounds, init, attention, data, val):
    t0 = time.perf_counter()
    lib = wl.load_library(lib_path)
    with open(report_path) as f:
        table = constraint_table(lib, parse_report(f.read()), bounds)
    arch = Arch(lib, attention)
    xv, yv = val
    rng = np.random.default_rng(SEED)
    with lib.create(seed=SEED) as m:
        # Training, with every bound checked at creation and after every step.
        tol = {"spectral": TOL_SOFT_CAP, "row": TOL_EXACT}
        kinds = {n: k for n, k, _ in table}
        spectral = [n for n, k, _ in table if k == "spectral"]
        rows = [n for n, k, _ in table if k == "row"]
        worst, where, bad = {}, {}, []  # worst ratio over steps 1..STEPS, and its step
        loss0 = m.loss(xv, yv)
        for step in range(STEPS + 1):
            if step:
                m.train_step(*data.train_batch(rng, BATCH))
            last = measure(m, table)
            if step == 0:
                creation = last
            for layer, r in last.items():
                if not r <= 1 + tol[kinds[layer]]:
                    bad.append("step %d %s %.6f c" % (step, layer, r))
                if step and r > worst.get(layer, -1.0):
                    worst[layer], where[layer] = r, step
        loss1 = m.loss(xv, yv)
        top = max(spectral, key=worst.get)
        check("constraints_" + name, not bad,
              "%d spectral layers, sigma_max/c: creation max %.6f, steps 1-%d max %.6f (%s, "
              "step %d); %s largest row norm/c: creation %.7f, steps max %.7f%s"
              % (len(spectral), max(creation[n] for n in spectral), STEPS, worst[top], top,
                 where[top], ",".join(rows), max(creation[n] for n in rows),
                 max(worst[n] for n in rows),
                 "; violations: " + "; ".join(bad[:6]) if bad else ""))
        check("loss_" + name, loss1 <= loss0 - LOSS_DROP,
              "validation loss %.4f -> %.4f (%d windows, %d steps of batch %d)"
              % (loss0, loss1, len(xv), STEPS, BATCH))
        at_c = [n for n in spectral if last[n] >= 1 - ACTIVE]
        zero = {n: worst[n] for n in spectral if init.get(n) == "zeros"}
        detail = ("final sigma_max/c: %s; at the bound (>= %.2f c): %s; zero-initialised "
                  "layers' max sigma_max/c: %s" % (
                      " ".join("%s %.3f" % (n, last[n]) for n in spectral),
                      1 - ACTIVE, ",".join(at_c) or "none",
                      " ".join("%s %.3f" % (n, r) for n, r in zero.items()) or "none"))
        if name == "driven":
            check("active_" + name, bool(at_c) and bool(zero)
                  and max(zero.values()) >= ZERO_INIT_REACH, detail)
        else:
            print("# %s: %s" % (name, detail))

        # The re-implementation against wl_forward at the trained weights.
        E = m.weight("tok").astype(np.float64)
        radius = float(np.linalg.norm(E, axis=1).max())
        ids = xv[:4]
        y = m.forward(ids)
        got = arch(cs.Weights(m), torch.tensor(E[ids])).detach().numpy().reshape(y.shape)
        err = float(np.abs(got - y).max() / max(1.0, np.abs(y).max()))
        if not check("forward_" + name, err < 1e-4, "max rel err %.2e vs wl_forward (%d blocks, "
                     "D %d, T %d, %s heads)" % (err, arch.L, arch.D, ids.shape[1],
                                                "/".join(str(a["heads"]) for a in attention))):
            return

        # The certificate against the search.
        srng = np.random.default_rng(11)

        def base(n):
            return E[xv[srng.integers(0, len(xv), size=n)]]

        shape = (lib.sequence_length, arch.D)
        for phase in ("trained", "sharp"):
            if phase == "sharp":
                for i in range(1, arch.L + 1):
                    for p in ("q", "k"):
                        key = "%s%d.weight" % (p, i)
                        m.params[key] = m.params[key] * SHARP
            bound = m.lipschitz_bound()
            label = "search_%s_%s" % (name, phase)
            if not (bound > 0 and math.isfinite(bound)):
                check(label, False, "certificate %r: %s" % (bound, m.last_error()))
                continue
            ts = time.perf_counter()
            worst_r, worst32 = search(arch, m, shape, radius, SEARCH_SEED[phase], base)
            check(label, worst_r <= bound,
                  "worst ratio %.6g certificate %.6g quotient %.4f (float32 search %.6g; radius "
                  "%.4g, %d starts x %d steps, %.1f s)"
                  % (worst_r, bound, worst_r / bound, worst32, radius, SEARCH_STARTS,
                     SEARCH_STEPS, time.perf_counter() - ts))
    print("# %s: %.1f s" % (name, time.perf_counter() - t0))


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    bounds, init, attention = parse_emit(sys.argv[1])
    configs = []
    for arg in sys.argv[2:]:
        name, _, paths = arg.partition("=")
        lib_path, _, report_path = paths.partition(",")
        configs.append((name, lib_path, report_path))
    T = wl.load_library(configs[0][1]).sequence_length
    try:
        data = wltext.TextData(wltext.read_fortunes(), T, "the fortunes")
    except wltext.TextError as e:
        setup_fail(str(e))
    starts, _ = wltext.validation_windows(len(data.val_ids), T, limit=VAL_WINDOWS)
    val = data.windows(starts)
    for name, lib_path, report_path in configs:
        run(name, lib_path, report_path, bounds, init, attention, data, val)
    if FAILED:
        print("%d check(s) failed: %s" % (len(FAILED), ", ".join(FAILED)), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
