"""wl.train: train a wlc model on Fashion-MNIST or on text, and plot what happened.

    wl-train model.wl [--dataset fashion-mnist] [--epochs N] [--batch B]
             [--lr-scale S] [--out DIR] [--model NAME] [--seed K]
             [--limit-train N] [--limit-test N] [--cache-dir D] [--data DIR]
             [--target cpu|cuda] [--quiet]
    wl-train model.wl --dataset fortunes|text:PATH [--steps N] [--eval-every K]
             [--eval-windows N] [--batch B] [--sample-chars N] [--prompt TEXT]
             [--temperature T] [--lr-scale S] [--out DIR] [--seed K] ...

(also `python3 -m wl.train ...`). It compiles the model with wl.compile (cached).

Fashion-MNIST (a classifier of 28x28 images into 10 classes): it reads Debian's
dataset-fashion-mnist (IDX files, gzip), preprocesses it exactly like
examples/train_fashion.cpp (pixels / 255, then (p - 0.2860) / 0.3530), trains
with Model.train_step on batches drawn from a permutation of the training set
that is reshuffled every epoch from --seed (the last partial batch of an epoch
is dropped), shows its progress on stderr (on a terminal a live bar: tqdm's
when python3-tqdm is installed, else a hand-written line; otherwise a plain
line at each quarter of an epoch) and, after every epoch, evaluates on the test
set and prints one summary line to stdout. It writes into --out:

  metrics.csv       epoch,step,train_loss,test_loss,test_accuracy,lipschitz_bound,
                    examples_per_s,seconds   (one row per epoch; step is the model's
                    step count after the epoch, train_loss the mean loss of the
                    epoch's steps, seconds the epoch's training time)
  steps.csv         step,epoch,loss          (every training step)
  certified.csv     radius,certified_accuracy
  model.safetensors the trained model (Model.save)
  curves.png        training loss per step (raw and smoothed), test loss and
                    accuracy per epoch
  spectra.png       sorted singular values of the effective weight of every
                    constrained layer (every layer when none is), at the start and
                    at the end of training, with the constraint's bound
  certified.png     certified robust accuracy against the l2 radius

Certified accuracy (Tsuzuku et al. 2018): with L the model's sound Lipschitz
bound of the logits (l2 -> l2, Model.lipschitz_bound), an example is certified
at radius r > 0 when it is classified correctly and its margin (top logit minus
runner-up) exceeds sqrt(2) * L * r; at r = 0 the curve is the clean accuracy.

Text (a causal character-level language model: `input tokens: i32[T]`,
`label next: i32[T]`, logits [T, V], cross_entropy): --dataset text:PATH reads
any UTF-8 file, --dataset fortunes the English fortune files of Debian's
fortunes package (--data, default /usr/share/games/fortunes: its text files in
name order, not the .dat indexes or links), with wl.text. The first 90% of the
characters train, the last 10% validate; the vocabulary is the sorted set of the
training characters plus one unknown id (for validation or prompt characters the
training text lacks), so the model's V must be at least the characters + 1 (both
its output classes and its token embedding). Each of --steps steps trains on
--batch windows of T characters at random offsets (a numpy Generator seeded by
--seed; the labels are the same windows shifted by one). Every --eval-every steps
and after the last, it evaluates on the validation text: consecutive windows that
predict every validation character once (the last aligned to the end), or
--eval-windows of them evenly spaced, in batches of --batch; the loss is the mean
cross entropy in nats per character, the accuracy that of the argmax. Each
evaluation prints one line to stdout:

  step 100/1000  train loss 2.1234  val loss 2.0456  val accuracy 0.4012  lipschitz 3.21
  5210 ex/s  83360 tok/s  12.3 s        (one line)

(train loss: the mean of the steps since the last evaluation; ex/s and tok/s:
training windows and characters per second of training time; s: seconds since
training began), with the progress bar of the steps in between on stderr. At the
end it prints the final validation loss and accuracy, the Lipschitz bound and,
unless --sample-chars is 0, a sample: --sample-chars characters generated after
--prompt (default a newline) at --temperature with seed --seed (wl.text.sample,
Model.generate). It writes into --out:

  metrics.csv       step,train_loss,val_loss,val_accuracy,lipschitz_bound,
                    examples_per_s,tokens_per_s,seconds   (one row per evaluation)
  steps.csv         step,loss                (every training step)
  model.safetensors the trained model (Model.save) with the vocabulary and the
                    model's source as metadata ("wl.vocab", "wl.unknown",
                    "wl.source": wl-sample needs nothing else)
  sample.txt        the prompt and the sample (UTF-8)
  curves.png        training loss per step (raw and smoothed) and validation
                    loss per evaluation; validation accuracy per evaluation
  bound.png         the certified Lipschitz bound at the start and at every
                    evaluation
  spectra.png       as for Fashion-MNIST

The constrained layers and their bounds come from `wlc --report=json` (the wlc
that wl.compile runs: $WLC, else wlc on PATH). Without matplotlib (Debian:
python3-matplotlib) training and the CSV files are unchanged and the PNGs are
skipped with a warning.

Exit status: 0 on success, 1 on any error (missing model or data, an empty, binary
or too short text, a model that does not fit the data set or its vocabulary,
a compile or runtime error), 2 on bad arguments, 130 when interrupted.
"""

import argparse
import collections
import csv
import gzip
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import warnings

import numpy as np

import wl
from wl import _threads
from wl import distributed as wldist
from wl import text as wltext

DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
DATA_PACKAGE = "dataset-fashion-mnist"
IMAGE_SIZE = 28 * 28
NUM_CLASSES = 10
# examples/train_fashion.cpp's normalisation (the usual Fashion-MNIST mean/std).
PIXEL_MEAN = np.float32(0.2860)
PIXEL_STD = np.float32(0.3530)
EVAL_CHUNK = 1000
# Radii at which the summary prints the certified accuracy (train_fashion's).
SUMMARY_RADII = (0.1, 0.25)


class TrainError(Exception):
    """An error with a message for the user (printed as `wl-train: error: ...`)."""


# --------------------------------------------------------------------------
# Fashion-MNIST
# --------------------------------------------------------------------------


def read_idx(path, ndim, limit=None):
    """Reads a gzip'd IDX file of unsigned bytes with `ndim` dimensions (magic
    0x0000080N, N big-endian u32 sizes, then the bytes); with `limit`, only the
    first `limit` entries of the first dimension are read. Returns the array and
    the sizes the header gives."""
    if not os.path.exists(path):
        raise TrainError(
            "%s: no such file\n  Fashion-MNIST is missing: install Debian's %s package "
            "(apt-get install %s) or pass --data DIR" % (path, DATA_PACKAGE, DATA_PACKAGE))
    header = 4 + 4 * ndim
    try:
        with gzip.open(path, "rb") as f:
            head = f.read(header)
            if len(head) >= 4:
                magic = int.from_bytes(head[0:4], "big")
                want = 0x0800 | ndim  # 0x08: unsigned byte data
                if magic != want:
                    raise TrainError("%s: bad IDX magic 0x%08x (want 0x%08x: %d-dimensional "
                                     "unsigned bytes)" % (path, magic, want, ndim))
            if len(head) < header:
                raise TrainError("%s: truncated IDX header (%d bytes)" % (path, len(head)))
            dims = [int.from_bytes(head[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
            total = int(np.prod(dims, dtype=np.int64))
            full = list(dims)
            if limit is not None and limit < dims[0]:
                dims[0] = limit
                want_bytes = int(np.prod(dims, dtype=np.int64))
                data = f.read(want_bytes)
                extra = b""
            else:
                want_bytes = total
                data = f.read(total)
                extra = f.read(1)
    except (OSError, EOFError) as e:
        raise TrainError("%s: cannot read (%s)" % (path, e))
    if extra:
        raise TrainError("%s: more data than the IDX header's %d bytes (%s)"
                         % (path, total, "x".join(map(str, full))))
    if len(data) != want_bytes:
        raise TrainError("%s: truncated: %d data bytes where the IDX header (%s) says %d"
                         % (path, len(data), "x".join(map(str, full)), total))
    return np.frombuffer(data, dtype=np.uint8).reshape(dims), full


def load_split(data_dir, prefix, limit=None):
    """Returns (images float32 [n, 784] normalised, labels int32 [n])."""
    base = os.path.join(data_dir, prefix)
    images, idims = read_idx(base + "-images-idx3-ubyte.gz", 3, limit)
    labels, ldims = read_idx(base + "-labels-idx1-ubyte.gz", 1, limit)
    if idims[1:] != [28, 28] or idims[0] != ldims[0]:
        raise TrainError("%s: unexpected sizes (%d images of %dx%d, %d labels)"
                         % (base, idims[0], idims[1], idims[2], ldims[0]))
    if labels.size and int(labels.max()) >= NUM_CLASSES:
        raise TrainError("%s: label %d out of range [0, %d)"
                         % (base, int(labels.max()), NUM_CLASSES))
    # The same float32 arithmetic as train_fashion.cpp: (p / 255 - mean) / std.
    x = images.reshape(images.shape[0], IMAGE_SIZE).astype(np.float32)
    x /= np.float32(255.0)
    x -= PIXEL_MEAN
    x /= PIXEL_STD
    return np.ascontiguousarray(x), labels.astype(np.int32)


# --------------------------------------------------------------------------
# Progress display
# --------------------------------------------------------------------------


def format_duration(seconds):
    if not math.isfinite(seconds) or seconds < 0:
        return "--:--"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return "%d:%02d:%02d" % (h, m, s) if h else "%d:%02d" % (m, s)


class Progress:
    """The progress of one run of `steps` steps (an epoch, or the steps between two
    evaluations) on `stream`, labelled `label` ("epoch 1/5").

    mode "tty": one line redrawn in place with \\r, at most ~10 times per second;
    mode "lines": a plain line at each quarter of the run; mode "off": nothing.
    """

    LINES_PER_EPOCH = 4

    def __init__(self, stream, mode, label, steps, batch):
        self.stream, self.mode = stream, mode
        self.label, self.steps, self.batch = label, steps, batch
        self.total = steps * batch
        self.start = time.perf_counter()
        self.last_draw = 0.0
        self.width = 0
        marks = {max(1, math.ceil(k * steps / self.LINES_PER_EPOCH))
                 for k in range(1, self.LINES_PER_EPOCH + 1)}
        self.marks = marks

    def text(self, step, mean_loss, bar_width):
        done = step * self.batch
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed > 0 and done else 0.0
        eta = (self.total - done) / rate if rate > 0 else float("nan")
        frac = done / self.total if self.total else 1.0
        filled = int(frac * bar_width)
        bar = "=" * filled + (">" if filled < bar_width else "") + " " * (bar_width - filled - 1)
        bar = bar[:bar_width]
        ndig = len(str(self.total))
        return ("%s [%s] %*d/%d ex  loss %.4f  %.0f ex/s  ETA %s"
                % (self.label, bar, ndig, done, self.total, mean_loss, rate,
                   format_duration(eta)))

    def update(self, step, mean_loss):
        if self.mode == "off":
            return
        if self.mode == "lines":
            if step in self.marks:
                self.stream.write(self.text(step, mean_loss, 20) + "\n")
                self.stream.flush()
            return
        now = time.perf_counter()
        if step < self.steps and now - self.last_draw < 0.1:
            return
        self.last_draw = now
        columns = shutil.get_terminal_size((100, 24)).columns
        # The bar takes what the rest of the line leaves, between 10 and 40 columns.
        rest = len(self.text(step, mean_loss, 0))
        line = self.text(step, mean_loss, max(10, min(40, columns - 1 - rest)))
        pad = max(0, self.width - len(line))
        self.width = len(line)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()

    def finish(self):
        if self.mode == "tty":
            self.stream.write("\n")
            self.stream.flush()


def _import_tqdm():
    """tqdm's progress bar class, or None when tqdm is not installed (Debian: python3-tqdm)."""
    try:
        from tqdm import tqdm
    except Exception:  # ImportError, or a broken installation
        return None
    return tqdm


def progress_mode(quiet, stream):
    """"off" (--quiet), "lines" (not a terminal: Progress's plain lines), else the live bar:
    "tqdm" when tqdm imports, "tty" (Progress's hand-written line) when it does not."""
    if quiet:
        return "off"
    if not stream.isatty():
        return "lines"
    return "tqdm" if _import_tqdm() is not None else "tty"


class TqdmProgress:
    """One run's live progress bar drawn by tqdm: examples done of the run's, the mean loss
    of its steps so far, the rate and the ETA (what Progress's "tty" line shows)."""

    def __init__(self, stream, label, steps, batch):
        self.batch = batch
        self.bar = _import_tqdm()(total=steps * batch, desc=label, unit="ex",
                                  file=stream, dynamic_ncols=True, leave=True, mininterval=0.1)

    def update(self, step, mean_loss):
        self.bar.set_postfix_str("loss %.4f" % mean_loss, refresh=False)
        self.bar.update(step * self.batch - self.bar.n)

    def finish(self):
        self.bar.close()


def make_progress(stream, mode, label, steps, batch):
    """The progress display of `steps` steps of `batch` examples in `mode` (progress_mode)."""
    if mode == "tqdm":
        return TqdmProgress(stream, label, steps, batch)
    return Progress(stream, mode, label, steps, batch)


# --------------------------------------------------------------------------
# wlc --report=json: which layers are constrained, and their bounds
# --------------------------------------------------------------------------

def run_report(path, model=None):
    """Runs `wlc --report=json` (the wlc that wl.compile runs: wl.find_wlc, i.e. $WLC,
    else wlc on PATH) and returns its stdout (raises TrainError on failure)."""
    try:
        wlc = wl.find_wlc()
    except FileNotFoundError as e:
        raise TrainError(str(e))
    cmd = [wlc, "--report=json", path] + (["--model=" + model] if model else [])
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
    except OSError as e:
        raise TrainError("cannot run %s: %s" % (wlc, e))
    if r.returncode != 0:
        raise TrainError("%s failed:\n%s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout


def _report_field(obj, key, kind, where):
    """obj[key], which must be a `kind`; TrainError naming `where` otherwise."""
    if not isinstance(obj, dict):
        raise TrainError("malformed `wlc --report=json`: %s is %s, not an object"
                         % (where, type(obj).__name__))
    if key not in obj:
        raise TrainError("malformed `wlc --report=json`: %s has no \"%s\"" % (where, key))
    value = obj[key]
    if not isinstance(value, kind):
        raise TrainError("malformed `wlc --report=json`: %s \"%s\" is %s, not %s"
                         % (where, key, type(value).__name__, kind.__name__))
    return value


def parse_constraint(text):
    """One constraint of the report, e.g. "spectral_bound(1.00, soft_cap)" or
    "s: spectral_bound(2.00, clamp)": (factor ("" or "s", "U", ...), kind, args)."""
    factor, _, call = text.rpartition(": ")
    kind, _, args = call.partition("(")
    args = [a.strip() for a in args.rstrip(")").split(",") if a.strip()]
    return factor, kind, args


def parse_report(text):
    """Parses `wlc --report=json` output ({"model", "layers": [{"name", "structure",
    "params", "constraints": [{"constraint", "guarantee", "why"}]}], "total_params",
    "trainable_params"}) into {layer: {"structure", "constraints"}}, in order.

    Each constraint is a dict: text (e.g. "spectral_bound(1.00, soft_cap)" or
    "s: spectral_bound(2.00, clamp)"), factor ("" or "s", "U", ...), kind, args
    (list of strings), guarantee, why, through (carried onto a factor of a
    structured term with its share of the written bound, so its value does not
    bound W itself). Raises TrainError when the text is not the report's JSON.
    """
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise TrainError("malformed `wlc --report=json`: not JSON (%s)" % e)
    if not isinstance(doc, dict):
        raise TrainError("malformed `wlc --report=json`: not a JSON object")
    layers = {}
    for i, entry in enumerate(_report_field(doc, "layers", list, "the report")):
        where = "layer %d" % i
        name = _report_field(entry, "name", str, where)
        where = "layer %d (%s)" % (i, name)
        if name in layers:
            raise TrainError("malformed `wlc --report=json`: layer %s appears twice" % name)
        constraints = []
        for j, c in enumerate(_report_field(entry, "constraints", list, where)):
            at = "%s constraint %d" % (where, j)
            ctext = _report_field(c, "constraint", str, at)
            factor, kind, args = parse_constraint(ctext)
            constraints.append({"text": ctext, "factor": factor, "kind": kind, "args": args,
                                "guarantee": _report_field(c, "guarantee", str, at),
                                "why": _report_field(c, "why", str, at).strip(),
                                "through": bool(c.get("through", False))})
        layers[name] = {"structure": _report_field(entry, "structure", str, where),
                        "constraints": constraints}
    return layers


def is_orthogonal(structure):
    """orthogonal(...) alone (not a term of a sum): orthonormal by construction."""
    return structure.startswith("orthogonal(") and "+" not in structure


def is_constrained(info):
    return bool(info["constraints"]) or is_orthogonal(info["structure"])


def describe_constraints(info):
    texts = ["%s %s" % (c["text"], c["guarantee"]) for c in info["constraints"]]
    if is_orthogonal(info["structure"]):
        texts.insert(0, info["structure"] + " by construction")
    return texts


def constraint_lines(constraints, structure=""):
    """Horizontal (value, label, linestyle) lines on a plot of sigma(W) that the
    constraints (and an orthogonal structure) imply, and rank limits (for a
    vertical line)."""
    hlines, ranks = [], []
    if is_orthogonal(structure):
        hlines.append((1.0, "%s: sigma = 1" % structure, ":"))
    for c in constraints:
        try:
            value = float(c["args"][0]) if c["args"] else None
        except ValueError:
            value = None
        if c["through"]:
            continue  # a factor's share of the bound, not a bound of W's sigma
        if c["kind"] == "spectral_bound" and value is not None and "+" not in structure:
            # On a dense weight, or through the structure (svd's s, diagonal's d,
            # orthogonal's S): a bound on sigma_max of the effective weight (not
            # when it acts on one term of a sum).
            hlines.append((value, "%s, %s" % (c["text"], c["guarantee"]), "--"))
        elif c["kind"] == "orthonormal" and not c["factor"] and not is_orthogonal(structure):
            hlines.append((1.0, "orthonormal: sigma = 1", ":"))
        elif c["kind"] == "norm_bound" and value is not None and \
                (len(c["args"]) < 2 or c["args"][1] == "frobenius"):
            hlines.append((value, c["text"] + " (sigma_max <= ||W||_F)", "-."))
        elif c["kind"] == "rank_at_most" and value is not None:
            ranks.append(int(value))
    return hlines, ranks


# --------------------------------------------------------------------------
# Evaluation and certificates
# --------------------------------------------------------------------------


def evaluate(model, x, y):
    """Returns (mean loss, accuracy, margins, correct) on (x, y).

    margins[i] = z_y - max_{j != y} z_j (positive exactly when the top logit is
    y's and beats the runner-up); correct[i] = argmax z == y.
    """
    n = x.shape[0]
    loss_sum = 0.0
    margins = np.empty(n, dtype=np.float64)
    correct = np.empty(n, dtype=bool)
    for i in range(0, n, EVAL_CHUNK):
        xb, yb = x[i:i + EVAL_CHUNK], y[i:i + EVAL_CHUNK]
        loss_sum += float(model.loss(xb, yb)) * xb.shape[0]
        z = np.asarray(model.forward(xb), dtype=np.float64)
        rows = np.arange(z.shape[0])
        zy = z[rows, yb]
        others = z.copy()
        others[rows, yb] = -np.inf
        margins[i:i + xb.shape[0]] = zy - others.max(axis=1)
        correct[i:i + xb.shape[0]] = z.argmax(axis=1) == yb
    return loss_sum / n, float(correct.mean()), margins, correct


def certified_at(margins, correct, lipschitz, radius):
    if radius <= 0:
        return float(correct.mean())
    return float((correct & (margins > math.sqrt(2.0) * lipschitz * radius)).mean())


def nice_ceil(v):
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is >= v."""
    if not (v > 0) or not math.isfinite(v):
        return 1.0
    e = math.floor(math.log10(v))
    for m in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if m * 10.0 ** e >= v * (1 - 1e-12):
            return m * 10.0 ** e
    return 10.0 ** (e + 1)


def certified_curve(margins, correct, lipschitz, points=101):
    """Radii from 0 to a round number past the largest certified radius (where the
    curve reaches 0), and the certified accuracy at each."""
    good = margins[correct]
    top = float(good.max()) / (math.sqrt(2.0) * lipschitz) if good.size else 0.0
    rmax = nice_ceil(top * 1.001) if top > 0 else 1.0
    radii = np.linspace(0.0, rmax, points)
    return radii, np.array([certified_at(margins, correct, lipschitz, r) for r in radii])


# --------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------


def import_pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as e:  # ImportError, or a broken installation
        return None, e
    return plt, None


def pyplot_or_warn(plots):
    """matplotlib.pyplot, or None after a warning that names the `plots` it skips."""
    plt, why = import_pyplot()
    if plt is None:
        sys.stderr.write("wl-train: warning: matplotlib is not available (%s); install "
                         "python3-matplotlib (Debian) for the plots. Skipping %s and %s.\n"
                         % (why, ", ".join(plots[:-1]), plots[-1]))
    return plt


def plot_step_losses(ax, step_losses):
    """The training loss of every step, raw and as a trailing mean."""
    steps = np.arange(1, len(step_losses) + 1)
    losses = np.asarray(step_losses, dtype=np.float64)
    ax.plot(steps, losses, color="tab:blue", alpha=0.3, linewidth=0.8, label="train loss (step)")
    w = int(min(100, max(1, len(losses) // 20)))
    if w > 1:
        # Trailing mean of the last w steps (of all steps so far for the first w).
        c = np.concatenate([[0.0], np.cumsum(losses)])
        lo = np.maximum(0, np.arange(len(losses)) + 1 - w)
        smooth = (c[1:] - c[lo]) / (np.arange(len(losses)) + 1 - lo)
        ax.plot(steps, smooth, color="tab:blue", linewidth=1.6,
                label="train loss (mean of %d steps)" % w)


def plot_curves(plt, path, title, step_losses, epoch_rows):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_step_losses(ax1, step_losses)
    ex = [r["step"] for r in epoch_rows]
    ax1.plot(ex, [r["test_loss"] for r in epoch_rows], "o-", color="tab:red",
             label="test loss (epoch)")
    ax1.set_xlabel("step")
    ax1.set_ylabel("loss")
    ax1.set_title("loss")
    ax1.grid(True, alpha=0.3)
    ax1.legend()
    ax2.plot([r["epoch"] for r in epoch_rows], [r["test_accuracy"] for r in epoch_rows], "o-",
             color="tab:green")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy")
    ax2.set_title("test accuracy")
    ax2.set_xticks([r["epoch"] for r in epoch_rows])
    ax2.grid(True, alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_spectra(plt, path, title, layers, start, end, report, end_bounds):
    n = len(layers)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.6 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, layer in zip(axes.flat, layers):
        s0, s1 = start[layer], end[layer]
        ax.plot(np.arange(1, s1.size + 1), s1, color="tab:blue", label="end")
        # On top, dashed: visible where training barely moved the spectrum.
        ax.plot(np.arange(1, s0.size + 1), s0, color="black", linestyle="--", linewidth=1,
                label="start")
        info = report.get(layer, {"structure": "?", "constraints": []})
        hlines, ranks = constraint_lines(info["constraints"], info["structure"])
        for value, label, style in hlines:
            ax.axhline(value, color="tab:red", linestyle=style, linewidth=1.2, label=label)
        for r in ranks:
            ax.axvline(r, color="tab:purple", linestyle=":", label="rank_at_most(%d)" % r)
        sub = "%s: %s" % (layer, info["structure"])
        if layer in end_bounds:
            sub += "\nsigma_max %.4f (sound bound %.4f)" % (s1[0] if s1.size else 0.0,
                                                              end_bounds[layer])
        ax.set_title(sub, fontsize=9)
        ax.set_xlabel("index")
        ax.set_ylabel("singular value")
        top = max([float(s0.max()) if s0.size else 0.0, float(s1.max()) if s1.size else 0.0] +
                  [v for v, _, _ in hlines])
        ax.set_ylim(0, 1.12 * top if top > 0 else 1.0)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_certified(plt, path, title, radii, acc, lipschitz):
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.plot(radii, acc, color="tab:blue")
    ax.set_xlabel("l2 radius r")
    ax.set_ylabel("certified accuracy")
    ax.set_xlim(0, radii[-1] if radii[-1] > 0 else 1)
    ax.set_ylim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.set_title("%s\nLipschitz bound L = %.4g; certified when margin > sqrt(2) L r"
                 % (title, lipschitz), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_text_curves(plt, path, title, step_losses, rows):
    """A text run's curves.png: training loss per step and validation loss per evaluation;
    next-character accuracy per evaluation."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    plot_step_losses(ax1, step_losses)
    steps = [r["step"] for r in rows]
    ax1.plot(steps, [r["val_loss"] for r in rows], "o-", color="tab:red", label="validation loss")
    ax1.set_xlabel("step")
    ax1.set_ylabel("loss (nats per character)")
    ax1.set_title("loss")
    ax1.grid(True, alpha=0.3)
    ax1.legend()
    ax2.plot(steps, [r["val_accuracy"] for r in rows], "o-", color="tab:green")
    ax2.set_xlabel("step")
    ax2.set_ylabel("validation accuracy")
    ax2.set_title("next-character accuracy")
    ax2.grid(True, alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_bound(plt, path, title, steps, bounds):
    """bound.png: the certified Lipschitz bound against the step (finite values only)."""
    fig, ax = plt.subplots(figsize=(6, 4.2))
    finite = [(s, b) for s, b in zip(steps, bounds) if math.isfinite(b)]
    if finite:
        ax.plot([s for s, _ in finite], [b for _, b in finite], "o-", color="tab:purple")
    else:
        ax.text(0.5, 0.5, "no finite bound", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("step")
    ax.set_ylabel("certified Lipschitz bound")
    ax.grid(True, alpha=0.3)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _int_at_least(lowest, what):
    """An argparse type: an integer >= lowest, else an error saying `what` it must be."""
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("not an integer: %r" % text)
        if v < lowest:
            raise argparse.ArgumentTypeError("must be %s (got %d)" % (what, v))
        return v
    return parse


_positive_int = _int_at_least(1, "a positive integer")
_nonnegative_int = _int_at_least(0, ">= 0")


def _positive_float(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number: %r" % text)
    if not (v > 0) or not math.isfinite(v):
        raise argparse.ArgumentTypeError("must be a positive number (got %s)" % text)
    return v


def _nonnegative_float(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number: %r" % text)
    if not (v >= 0) or not math.isfinite(v):
        raise argparse.ArgumentTypeError("must be a number >= 0 (got %s)" % text)
    return v


DATASETS = ("fashion-mnist", "fortunes", "text:PATH")


def _dataset(text):
    """--dataset: fashion-mnist, fortunes or text:PATH (PATH not empty)."""
    if text in ("fashion-mnist", "fortunes") or (text.startswith("text:") and len(text) > 5):
        return text
    raise argparse.ArgumentTypeError("invalid choice: %r (choose from %s)"
                                     % (text, ", ".join(DATASETS)))


def is_text(dataset):
    return dataset != "fashion-mnist"


# Options of one kind of data set only (None when not given), and their defaults.
IMAGE_OPTIONS = {"epochs": 5, "limit_train": None, "limit_test": None}
TEXT_OPTIONS = {"steps": 1000, "eval_every": 100, "eval_windows": None, "sample_chars": 300,
                "prompt": None, "temperature": 1.0}
DEFAULT_BATCH = {"image": 128, "text": 32}


def build_parser():
    p = argparse.ArgumentParser(
        prog="wl-train",
        description="Compile a .wl model with wlc, train it on Fashion-MNIST (a classifier) or on "
                    "text (a causal character-level language model), and write metrics, the "
                    "trained model and plots into --out.",
        epilog="Text datasets: the model needs `input tokens: i32[T]`, `label next: i32[T]` and "
               "logits [T, V] with V at least the text's characters + 1. See "
               "runtime/python/README.md and the docstring of wl/train.py.")
    p.add_argument("model_file", metavar="model.wl", help="the .wl model to compile and train")
    p.add_argument("--dataset", default="fashion-mnist", type=_dataset,
                   metavar="{fashion-mnist,fortunes,text:PATH}",
                   help="the data set (default fashion-mnist): Fashion-MNIST images, the English "
                        "fortune files of Debian's fortunes package, or the UTF-8 text of PATH")
    p.add_argument("--batch", type=_positive_int, default=None, metavar="B",
                   help="batch size (default %d for fashion-mnist, %d windows for text)"
                        % (DEFAULT_BATCH["image"], DEFAULT_BATCH["text"]))
    p.add_argument("--lr-scale", type=_positive_float, default=1.0, metavar="S",
                   help="multiply every optimizer group's lr (wlc --lr-scale; default 1)")
    p.add_argument("--out", default="wl-train-out", metavar="DIR",
                   help="output directory (default ./wl-train-out)")
    p.add_argument("--model", default=None, metavar="NAME",
                   help="the model to compile when the file has several")
    p.add_argument("--seed", type=_nonnegative_int, default=0, metavar="K",
                   help="seed of the initialisation, of the shuffles or training windows, and of "
                        "the sample (default 0)")
    p.add_argument("--cache-dir", default=None, metavar="D",
                   help="wl.compile's cache of compiled libraries")
    p.add_argument("--data", default=None, metavar="DIR",
                   help="directory of the data: the IDX files of fashion-mnist (default %s) or "
                        "the fortune files (default %s)" % (DEFAULT_DATA_DIR, wltext.FORTUNES_DIR))
    p.add_argument("--target", default="cpu", choices=["cpu", "cuda"],
                   help="wlc's code generation target (default cpu)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    g = p.add_argument_group("data-parallel training (wl.distributed; runtime/python/README.md)")
    g.add_argument("--nproc", type=_positive_int, default=1, metavar="N",
                   help="train data-parallel in N local processes (torchrun's launcher, gloo; "
                        "each takes 1/N of every batch and cores/N threads; default 1)")
    g.add_argument("--nnodes", type=_positive_int, default=1, metavar="M",
                   help="machines of a data-parallel run (default 1): start wl-train on each "
                        "with the same arguments and its own --node-rank")
    g.add_argument("--node-rank", type=_nonnegative_int, default=0, metavar="K",
                   help="this machine's index in [0, --nnodes) (default 0; 0 hosts --master)")
    g.add_argument("--master", default=None, metavar="HOST:PORT",
                   help="with --nnodes > 1: where machine 0 listens for the others")
    g.add_argument("--dist-timeout", type=_positive_float, default=300.0, metavar="S",
                   help="data-parallel runs: seconds a rank waits for the others before the "
                        "whole run stops with an error (default 300)")
    g = p.add_argument_group("fashion-mnist")
    g.add_argument("--epochs", type=_positive_int, default=None, metavar="N",
                   help="epochs (default 5)")
    g.add_argument("--limit-train", type=_positive_int, default=None, metavar="N",
                   help="train on the first N training examples only")
    g.add_argument("--limit-test", type=_positive_int, default=None, metavar="N",
                   help="evaluate on the first N test examples only")
    g = p.add_argument_group("text datasets (fortunes, text:PATH)")
    g.add_argument("--steps", type=_positive_int, default=None, metavar="N",
                   help="training steps (default %d)" % TEXT_OPTIONS["steps"])
    g.add_argument("--eval-every", type=_positive_int, default=None, metavar="K",
                   help="evaluate on the validation text every K steps and after the last "
                        "(default %d)" % TEXT_OPTIONS["eval_every"])
    g.add_argument("--eval-windows", type=_positive_int, default=None, metavar="N",
                   help="evaluate on N evenly spaced validation windows only (default: all, "
                        "which cover the validation text)")
    g.add_argument("--sample-chars", type=_nonnegative_int, default=None, metavar="N",
                   help="characters to generate after training (default %d; 0: no sample)"
                        % TEXT_OPTIONS["sample_chars"])
    g.add_argument("--prompt", default=None, metavar="TEXT",
                   help="the sample's prompt (default a newline, or the vocabulary's first "
                        "character when the text has none)")
    g.add_argument("--temperature", type=_nonnegative_float, default=None, metavar="T",
                   help="the sample's temperature (default %g; 0: always the most likely "
                        "character)" % TEXT_OPTIONS["temperature"])
    return p


def parse_args(argv=None):
    """The parsed command line, with the defaults of the data set's kind filled in; an option
    of the other kind is a usage error (exit status 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    kind = "text" if is_text(args.dataset) else "image"
    own, other = (TEXT_OPTIONS, IMAGE_OPTIONS) if kind == "text" else (IMAGE_OPTIONS, TEXT_OPTIONS)
    for name in other:
        if getattr(args, name) is not None:
            parser.error("--%s does not apply to --dataset %s" % (name.replace("_", "-"),
                                                                  args.dataset))
    for name, default in own.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.dataset.startswith("text:") and args.data is not None:
        parser.error("--data does not apply to --dataset text:PATH")
    if args.data is None:
        args.data = wltext.FORTUNES_DIR if kind == "text" else DEFAULT_DATA_DIR
    if args.batch is None:
        args.batch = DEFAULT_BATCH[kind]
    if args.nnodes > 1 and not args.master:
        parser.error("--nnodes %d needs --master HOST:PORT (machine 0's address)" % args.nnodes)
    if args.node_rank >= args.nnodes:
        parser.error("--node-rank %d is not below --nnodes %d" % (args.node_rank, args.nnodes))
    if args.master and not re.fullmatch(r"[^:\s]+:\d+", args.master):
        parser.error("--master must be HOST:PORT, got %r" % args.master)
    return args


def compile_model(args):
    """wl.compile of the model file (cached); wlc's own warnings (e.g. a constraint method that
    is only a heuristic) go to stderr as `wl-train: wlc: ...`."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", wl.CompileWarning)
        lib = wl.compile(args.model_file, model=args.model, target=args.target, lr_scale=args.lr_scale,
                         cache_dir=args.cache_dir)
    for w in caught:
        if issubclass(w.category, wl.CompileWarning):
            sys.stderr.write("wl-train: wlc: %s\n" % w.message)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return lib


def check_fits(lib, dataset):
    """Raises TrainError unless the model is a classifier of 28x28 images into 10 classes."""
    problems = []
    if lib.input_kind != "features":
        problems.append("input of %s (needs f32 pixels)" % lib.input_kind)
    if lib.input_size != IMAGE_SIZE:
        problems.append("input size %d (needs %d = 28x28)" % (lib.input_size, IMAGE_SIZE))
    if lib.output_size != NUM_CLASSES:
        problems.append("output size %d (needs %d classes)" % (lib.output_size, NUM_CLASSES))
    if lib.label_kind != "class":
        problems.append("label kind '%s' (needs i32 class labels and a classification loss)"
                        % lib.label_kind)
    elif lib.label_size != 1:
        problems.append("%d class labels per example (needs one)" % lib.label_size)
    if problems:
        raise TrainError("model %s does not fit %s: %s" % (lib.name, dataset, "; ".join(problems)))


def constraint_report(path, model):
    """(parsed `wlc --report=json`, None), or ({}, why) with a warning when it fails: training
    does not need it (spectra.png then plots every layer)."""
    try:
        return parse_report(run_report(path, model)), None
    except TrainError as e:
        sys.stderr.write("wl-train: warning: no constraint report (%s); spectra.png shows every "
                         "layer\n" % e)
        return {}, str(e)


Data = collections.namedtuple("Data", "x_train y_train x_test y_test steps_per_epoch")


def load_data(args):
    """The training and test splits (--limit-train / --limit-test) and the steps per epoch."""
    x_train, y_train = load_split(args.data, "train", args.limit_train)
    x_test, y_test = load_split(args.data, "t10k", args.limit_test)
    steps_per_epoch = x_train.shape[0] // args.batch
    if steps_per_epoch == 0:
        raise TrainError("batch %d is larger than the %d training examples"
                         % (args.batch, x_train.shape[0]))
    return Data(x_train, y_train, x_test, y_test, steps_per_epoch)


def singular_values(model, layers):
    """{layer: singular values of its effective weight, descending}."""
    return {n: np.linalg.svd(np.asarray(model.weight(n), dtype=np.float64), compute_uv=False)
            for n in layers}


def write_header(out, lib, args, data, report, report_error, constrained):
    """The two lines before training: the run's sizes, and the constrained layers."""
    out.write("model %s (%s): %d train / %d test examples, batch %d, %d steps per epoch, "
              "lr scale %g, seed %d\n"
              % (lib.name, args.model_file, data.x_train.shape[0], data.x_test.shape[0], args.batch,
                 data.steps_per_epoch, args.lr_scale, args.seed))
    write_constraints(out, report, report_error, constrained)


def write_constraints(out, report, report_error, constrained):
    """The header line that names the constrained layers and their guarantees."""
    if report_error:
        out.write("constrained layers: unknown (wlc --report failed)\n")
    elif constrained:
        out.write("constrained layers: %s\n" % ", ".join(
            "%s [%s]" % (n, "; ".join(describe_constraints(report[n]))) for n in constrained))
    else:
        out.write("no constrained layers\n")
    out.flush()


def train_batch(model, x, y):
    """One training step on the global batch (x, y): this rank's shard of it when `model` is
    data-parallel. Returns the batch's mean loss."""
    if isinstance(model, wldist.DataParallel):
        x, y = model.shard(x, y)
    return float(model.train_step(x, y))


def train_epoch(model, data, order, batch, progress):
    """One epoch of train_step on the batches of `order`: (step losses, their sum, seconds)."""
    t0 = time.perf_counter()
    losses, loss_sum = [], 0.0
    for s in range(data.steps_per_epoch):
        idx = order[s * batch:(s + 1) * batch]
        loss = train_batch(model, data.x_train[idx], data.y_train[idx])
        losses.append(loss)
        loss_sum += loss
        progress.update(s + 1, loss_sum / (s + 1))
    seconds = time.perf_counter() - t0
    progress.finish()
    return losses, loss_sum, seconds


def lipschitz_bound(model, epoch):
    """The model's Lipschitz bound, NaN (with a warning after the first epoch) when it has none."""
    try:
        return float(model.lipschitz_bound())
    except wl.WLError as e:
        if epoch == 1:
            sys.stderr.write("wl-train: warning: no Lipschitz bound: %s\n" % e)
        return float("nan")


def train(args, model, data, out):
    """--epochs epochs, each on a fresh permutation from --seed, then evaluated on the test set
    with a summary line on `out`. Returns (step losses, epoch rows, the last evaluation's
    margins and correctness)."""
    mode = progress_mode(args.quiet, sys.stderr)
    rng = np.random.default_rng(args.seed)
    step_losses, epoch_rows = [], []
    margins = correct = None
    steps = data.steps_per_epoch
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(data.x_train.shape[0])
        progress = make_progress(sys.stderr, mode, "epoch %d/%d" % (epoch, args.epochs), steps,
                                 args.batch)
        losses, loss_sum, seconds = train_epoch(model, data, order, args.batch, progress)
        step_losses += losses
        test_loss, accuracy, margins, correct = evaluate(model, data.x_test, data.y_test)
        lipschitz = lipschitz_bound(model, epoch)
        row = {"epoch": epoch, "step": int(model.step_count),
               "train_loss": loss_sum / steps, "test_loss": test_loss,
               "test_accuracy": accuracy, "lipschitz_bound": lipschitz,
               "examples_per_s": steps * args.batch / seconds if seconds > 0 else 0.0,
               "seconds": seconds}
        epoch_rows.append(row)
        out.write("epoch %d/%d  step %d  train loss %.4f  test loss %.4f  test accuracy %.4f  "
                  "lipschitz %.4g  %.0f ex/s  %.1f s\n"
                  % (epoch, args.epochs, row["step"], row["train_loss"], test_loss, accuracy,
                     lipschitz, row["examples_per_s"], seconds))
        out.flush()
    return step_losses, epoch_rows, margins, correct


class OutputFiles:
    """The files written into --out, in the order of the final `wrote ...` line."""

    def __init__(self, directory):
        self.directory, self.files = directory, []

    def path(self, name):
        p = os.path.join(self.directory, name)
        self.files.append(p)
        return p


METRICS_FIELDS = ["epoch", "step", "train_loss", "test_loss", "test_accuracy", "lipschitz_bound",
                  "examples_per_s", "seconds"]


def write_csvs(files, epoch_rows, step_losses, steps_per_epoch):
    """metrics.csv (a row per epoch) and steps.csv (a row per step)."""
    with open(files.path("metrics.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(METRICS_FIELDS)
        for r in epoch_rows:
            w.writerow([r["epoch"], r["step"]] +
                       ["%.6g" % r[k] for k in METRICS_FIELDS[2:]])
    with open(files.path("steps.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "epoch", "loss"])
        for i, l in enumerate(step_losses):
            w.writerow([i + 1, i // steps_per_epoch + 1, "%.6g" % l])


def write_certified(files, out, margins, correct, lipschitz):
    """certified.csv and the summary lines; returns (radii, accuracies), or (None, None) with a
    warning when the Lipschitz bound is unusable (not finite, or <= 0)."""
    if not (lipschitz > 0 and math.isfinite(lipschitz)):
        sys.stderr.write("wl-train: warning: no usable Lipschitz bound (%r): no certified "
                         "accuracy, no certified.csv or certified.png\n" % lipschitz)
        return None, None
    radii, acc = certified_curve(margins, correct, lipschitz)
    with open(files.path("certified.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["radius", "certified_accuracy"])
        for r, a in zip(radii, acc):
            w.writerow(["%.6g" % r, "%.6g" % a])
    out.write("lipschitz bound: %.4f\n" % lipschitz)
    for r in SUMMARY_RADII:
        out.write("certified accuracy @ l2 radius %.2f: %.4f\n"
                  % (r, certified_at(margins, correct, lipschitz, r)))
    return radii, acc


def spectra_title(name, report_error, constrained):
    if report_error:
        return "%s: constraints unknown (wlc --report failed); every layer" % name
    if constrained:
        return "%s: singular values of the constrained layers" % name
    return "%s: no layer is constrained; singular values of every layer" % name


def write_plots(files, lib, args, history, spectra, certified):
    """curves.png, spectra.png and (with a certified curve) certified.png; without matplotlib a
    warning instead. history: (step losses, epoch rows); spectra: plot_spectra's (title, layers,
    start, end, report, end_bounds); certified: (radii or None, accuracies, Lipschitz bound)."""
    plt = pyplot_or_warn(["curves.png", "spectra.png", "certified.png"])
    if plt is None:
        return
    title = "%s (%s), %d epoch%s, batch %d, lr scale %g" % (
        lib.name, os.path.basename(args.model_file), args.epochs, "s" if args.epochs > 1 else "",
        args.batch, args.lr_scale)
    plot_curves(plt, files.path("curves.png"), title, *history)
    plot_spectra(plt, files.path("spectra.png"), *spectra)
    radii, acc, lipschitz = certified
    if radii is not None:
        plot_certified(plt, files.path("certified.png"), "%s: certified accuracy" % lib.name,
                       radii, acc, lipschitz)


def layer_bounds(model):
    """{layer: sound bound of sigma_max} ({} when the model has none)."""
    try:
        return {k: float(v) for k, v in model.layer_bounds().items()}
    except wl.WLError:
        return {}


# --------------------------------------------------------------------------
# Text datasets: a causal character-level language model
# --------------------------------------------------------------------------


def check_text_model(lib, dataset):
    """(T, V) of a model that reads token ids [T] and predicts one of V classes at every
    position (int32 labels [T], logits [T, V]); TrainError naming what does not fit."""
    T = lib.sequence_length
    problems = []
    if lib.input_kind != "tokens":
        problems.append("input of %s (needs token ids: input tokens: i32[T])" % lib.input_kind)
    if lib.label_kind != "class":
        problems.append("label kind '%s' (needs i32 labels, one per position: label next: "
                        "i32[T], and cross_entropy)" % lib.label_kind)
    elif lib.input_kind == "tokens" and lib.label_size != T:
        problems.append("%d labels per example (needs one per position: %d)" % (lib.label_size, T))
    if not problems and len(lib.output_shape) != 2:
        problems.append("output %s (needs logits [T, V])" % list(lib.output_shape))
    if problems:
        raise TrainError("model %s does not fit %s: %s" % (lib.name, dataset, "; ".join(problems)))
    return lib.output_shape


def load_text(args):
    """(the text, where it is from, how the header names it) of --dataset fortunes or
    text:PATH."""
    if args.dataset == "fortunes":
        files = wltext.fortune_files(args.data)
        return (wltext.read_fortunes(args.data), args.data,
                "fortunes (%d files in %s)" % (len(files), args.data))
    path = args.dataset[len("text:"):]
    return wltext.read_text(path), path, "text %s" % path


def check_vocabulary(model, vocab, V):
    """TrainError unless every id of `vocab` (its characters and the unknown id) is one of the
    model's V classes and an id its token embedding accepts (tried with one forward)."""
    need = vocab.size
    what = "the text's vocabulary of %d characters plus the unknown id needs V >= %d" % (
        len(vocab.chars), need)
    if need > V:
        raise TrainError("%s, but model %s predicts V = %d classes" % (what, model.lib.name, V))
    try:
        model.forward(np.full((1, model.lib.sequence_length), need - 1, np.int32))
    except wl.WLError as e:
        m = re.search(r"outside \[0, (\d+)\)", e.message)
        raise TrainError("%s, but model %s's token embedding takes %s" % (
            what, model.lib.name, "V = %s ids" % m.group(1) if m else "fewer (%s)" % e.message))


def evaluate_text(model, data, starts, first, batch):
    """(mean cross entropy in nats, next-character accuracy) over the validation positions that
    the windows at `starts` predict, each position once (first: wltext.validation_windows)."""
    T = data.T
    loss_sum, hits, count = 0.0, 0, 0
    for i in range(0, len(starts), batch):
        x, y = data.windows(starts[i:i + batch])
        z = model.forward(x).astype(np.float64)  # [b, T, V]
        keep = np.arange(T)[None, :] >= first[i:i + batch][:, None]
        top = z.max(axis=2, keepdims=True)
        log_norm = top[..., 0] + np.log(np.exp(z - top).sum(axis=2))
        nll = log_norm - np.take_along_axis(z, y[..., None].astype(np.int64), axis=2)[..., 0]
        loss_sum += float(nll[keep].sum())
        hits += int((z.argmax(axis=2) == y)[keep].sum())
        count += int(keep.sum())
    return loss_sum / count, hits / count


def write_text_header(out, lib, args, source, data, windows, total_windows, V):
    """The lines before training: the model and the text, the run's sizes."""
    out.write("model %s (%s): %s: %d train / %d validation characters, vocabulary %d "
              "characters + unknown (model V %d), context %d\n"
              % (lib.name, args.model_file, source, len(data.train_ids), len(data.val_ids),
                 len(data.vocab.chars), V, data.T))
    which = "all" if windows == total_windows else "evenly spaced of %d" % total_windows
    out.write("batch %d, %d steps, evaluation every %d steps on %d validation windows (%s), "
              "lr scale %g, seed %d\n"
              % (args.batch, args.steps, args.eval_every, windows, which, args.lr_scale, args.seed))


def train_text(args, model, data, validation, out):
    """--steps steps of train_step on random windows (rng from --seed), evaluated every
    --eval-every steps and after the last with a line on `out`. Returns (step losses, rows)."""
    mode = progress_mode(args.quiet, sys.stderr)
    rng = np.random.default_rng(args.seed)
    T = data.T
    step_losses, rows = [], []
    start = time.perf_counter()
    while len(step_losses) < args.steps:
        n = min(args.eval_every, args.steps - len(step_losses))
        label = "steps %d-%d/%d" % (len(step_losses) + 1, len(step_losses) + n, args.steps)
        progress = make_progress(sys.stderr, mode, label, n, args.batch)
        t0 = time.perf_counter()
        loss_sum = 0.0
        for s in range(n):
            x, y = data.train_batch(rng, args.batch)
            loss = train_batch(model, x, y)
            step_losses.append(loss)
            loss_sum += loss
            progress.update(s + 1, loss_sum / (s + 1))
        seconds = time.perf_counter() - t0
        progress.finish()
        val_loss, accuracy = evaluate_text(model, data, *validation, args.batch)
        rate = n * args.batch / seconds if seconds > 0 else 0.0
        row = {"step": int(model.step_count), "train_loss": loss_sum / n, "val_loss": val_loss,
               "val_accuracy": accuracy, "lipschitz_bound": lipschitz_bound(model, len(rows) + 1),
               "examples_per_s": rate, "tokens_per_s": rate * T,
               "seconds": time.perf_counter() - start}
        rows.append(row)
        out.write("step %d/%d  train loss %.4f  val loss %.4f  val accuracy %.4f  lipschitz %.4g  "
                  "%.0f ex/s  %.0f tok/s  %.1f s\n"
                  % (len(step_losses), args.steps, row["train_loss"], val_loss, accuracy,
                     row["lipschitz_bound"], rate, row["tokens_per_s"], row["seconds"]))
        out.flush()
    return step_losses, rows


TEXT_METRICS_FIELDS = ["step", "train_loss", "val_loss", "val_accuracy", "lipschitz_bound",
                       "examples_per_s", "tokens_per_s", "seconds"]


def write_text_csvs(files, rows, step_losses):
    """metrics.csv (a row per evaluation) and steps.csv (a row per step)."""
    with open(files.path("metrics.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(TEXT_METRICS_FIELDS)
        for r in rows:
            w.writerow([r["step"]] + ["%.6g" % r[k] for k in TEXT_METRICS_FIELDS[1:]])
    with open(files.path("steps.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "loss"])
        for i, l in enumerate(step_losses):
            w.writerow([i + 1, "%.6g" % l])


def write_utf8(stream, text):
    """`text` as UTF-8 on `stream` whatever the locale's encoding (a sample may hold any
    character)."""
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
    else:
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def model_source(path):
    """The .wl file's text for the checkpoint (None, with a warning, when it is not UTF-8)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        sys.stderr.write("wl-train: warning: %s is not UTF-8: the checkpoint does not carry the "
                         "model's source (wl-sample then needs --model)\n" % path)
        return None


def run_text(args, lib, loaded, out):
    """run() for --dataset fortunes and text:PATH (`loaded`: load_text's result): checks,
    trains, evaluates, samples, writes --out."""
    T, V = check_text_model(lib, args.dataset)
    report, report_error = constraint_report(args.model_file, args.model)
    layer_names = [l.name for l in lib.layers]
    constrained = [n for n in layer_names if n in report and is_constrained(report[n])]
    text, where, source = loaded
    data = wltext.TextData(text, T, where)
    all_windows = wltext.validation_windows(len(data.val_ids), T)
    validation = wltext.validation_windows(len(data.val_ids), T, args.eval_windows)
    model = join_ranks(lib.create(seed=args.seed), out)
    check_vocabulary(model, data.vocab, V)
    prompt = args.prompt if args.prompt is not None else wltext.default_prompt(data.vocab)
    if args.sample_chars and not prompt:
        raise TrainError("--prompt must not be empty")

    if not args.rank:
        os.makedirs(args.out, exist_ok=True)
    plot_layers = constrained or layer_names
    spectra_start = singular_values(model, plot_layers)
    bound_start = lipschitz_bound(model, 0)  # (the first evaluation warns when there is none)
    write_text_header(out, lib, args, source, data, len(validation[0]), len(all_windows[0]), V)
    write_constraints(out, report, report_error, constrained)
    write_ranks(out, model, args.batch)
    step_losses, rows = train_text(args, model, data, validation, out)
    if isinstance(model, wldist.DataParallel):
        model.check_replicas()  # every rank, before rank 0 writes
    if args.rank:  # rank 0 writes the results
        return 0
    if isinstance(model, wldist.DataParallel):  # the replica itself: no more collectives
        model = model.model

    files = OutputFiles(args.out)
    write_text_csvs(files, rows, step_losses)
    last = rows[-1]
    out.write("final validation loss %.4f, accuracy %.4f\n"
              % (last["val_loss"], last["val_accuracy"]))
    out.write("lipschitz bound: %.4f\n" % last["lipschitz_bound"])
    wltext.save_checkpoint(model, files.path("model.safetensors"), data.vocab,
                           model_source(args.model_file))
    if args.sample_chars:
        generated = wltext.sample(model, data.vocab, prompt, args.sample_chars,
                                  temperature=args.temperature, seed=args.seed)
        with open(files.path("sample.txt"), "w", encoding="utf-8", newline="") as f:
            f.write(prompt + generated)
        out.write("sample (%d characters, temperature %g, seed %d):\n"
                  % (args.sample_chars, args.temperature, args.seed))
        write_utf8(out, prompt + generated + "\n")
    write_text_plots(files, lib, args, step_losses, rows, bound_start,
                     (spectra_title(lib.name, report_error, constrained), plot_layers,
                      spectra_start, singular_values(model, plot_layers), report,
                      layer_bounds(model)))
    out.write("wrote %s: %s\n" % (args.out, ", ".join(os.path.basename(f) for f in files.files)))
    out.flush()
    return 0


def write_text_plots(files, lib, args, step_losses, rows, bound_start, spectra):
    """curves.png, bound.png and spectra.png of a text run; without matplotlib a warning."""
    plt = pyplot_or_warn(["curves.png", "bound.png", "spectra.png"])
    if plt is None:
        return
    title = "%s (%s) on %s, %d steps, batch %d, lr scale %g" % (
        lib.name, os.path.basename(args.model_file), args.dataset, args.steps, args.batch,
        args.lr_scale)
    plot_text_curves(plt, files.path("curves.png"), title, step_losses, rows)
    plot_bound(plt, files.path("bound.png"), "%s: certified Lipschitz bound" % lib.name,
               [0] + [r["step"] for r in rows],
               [bound_start] + [r["lipschitz_bound"] for r in rows])
    plot_spectra(plt, files.path("spectra.png"), *spectra)


def run(args, out=None):
    """Compiles, checks, trains and evaluates the model, then writes --out; 0 on success (errors
    raise: see main). In a data-parallel run every rank trains; only rank 0 writes."""
    out, path = out or sys.stdout, args.model_file
    if not os.path.isfile(path):
        raise TrainError("%s: no such model file" % path)
    if is_text(args.dataset):
        loaded = load_text(args)  # before compiling: an unusable text fails at once
        return run_text(args, compile_model(args), loaded, out)
    lib = compile_model(args)
    check_fits(lib, args.dataset)
    report, report_error = constraint_report(path, args.model)
    layer_names = [l.name for l in lib.layers]
    constrained = [n for n in layer_names if n in report and is_constrained(report[n])]
    data = load_data(args)

    if not args.rank:
        os.makedirs(args.out, exist_ok=True)
    model = join_ranks(lib.create(seed=args.seed), out)
    plot_layers = constrained or layer_names
    spectra_start = singular_values(model, plot_layers)
    write_header(out, lib, args, data, report, report_error, constrained)
    write_ranks(out, model, args.batch)
    step_losses, epoch_rows, margins, correct = train(args, model, data, out)
    if isinstance(model, wldist.DataParallel):
        model.check_replicas()  # every rank, before rank 0 writes
    if args.rank:  # rank 0 writes the results
        return 0
    if isinstance(model, wldist.DataParallel):  # the replica itself: no more collectives
        model = model.model

    files = OutputFiles(args.out)
    write_csvs(files, epoch_rows, step_losses, data.steps_per_epoch)
    lipschitz = epoch_rows[-1]["lipschitz_bound"]
    radii, acc = write_certified(files, out, margins, correct, lipschitz)
    model.save(files.path("model.safetensors"))
    spectra = (spectra_title(lib.name, report_error, constrained), plot_layers, spectra_start,
               singular_values(model, plot_layers), report, layer_bounds(model))
    write_plots(files, lib, args, (step_losses, epoch_rows), spectra, (radii, acc, lipschitz))
    out.write("wrote %s: %s\n" % (args.out, ", ".join(os.path.basename(f) for f in files.files)))
    out.flush()
    return 0


def join_ranks(model, out):
    """The model, wrapped for data-parallel training when this process is one of several ranks
    (wl.distributed.DataParallel: the ranks check they hold the same model and take rank 0's
    parameters)."""
    return wldist.DataParallel(model) if wldist.is_distributed() else model


def write_ranks(out, model, batch):
    """The header line of a data-parallel run."""
    if isinstance(model, wldist.DataParallel):
        n = model.world_size
        out.write("data-parallel: %d ranks (torch.distributed, gloo), each step's batch of %d "
                  "split into shards of %d-%d, gradients all-reduced\n"
                  % (n, batch, batch // n, -(-batch // n)))


def free_port():
    """A TCP port free on 127.0.0.1 right now (the ranks' rendezvous)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch_ranks(args, argv):
    """--nproc N: checks and compiles here once (the ranks then find the library in wl.compile's
    cache), then starts N ranks of `python3 -m wl.train` with the same arguments through
    torchrun's launcher, each with cores/N threads. One machine: a free port on 127.0.0.1;
    --nnodes M: machine --node-rank of M, meeting at --master (a static rendezvous)."""
    if not os.path.isfile(args.model_file):
        raise TrainError("%s: no such model file" % args.model_file)
    if is_text(args.dataset):
        load_text(args)
        check_text_model(compile_model(args), args.dataset)
    else:
        check_fits(compile_model(args), args.dataset)
    try:
        from torch.distributed.elastic.multiprocessing import Std
        from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
        from torch.distributed.launcher.api import LaunchConfig, elastic_launch
    except ImportError as e:
        raise TrainError("--nproc needs PyTorch's torch.distributed (python3-torch): %s" % e)
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // args.nproc)))
    # The ranks' OpenBLAS and GNU OpenMP pools (torch's), set before the ranks load them:
    # passive, so that their idle threads do not spin against wl's (wl/_threads.py).
    _threads.quiet_for_children()
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(wl.__file__)))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    # torchrun's own launcher, configured here rather than through torchrun's command line:
    # Debian's torch 1.13 cannot parse its default --redirects under Python 3.12.
    master = args.master or "127.0.0.1:%d" % free_port()
    config = LaunchConfig(
        min_nodes=args.nnodes, max_nodes=args.nnodes, nproc_per_node=args.nproc,
        run_id="wl-train", rdzv_backend="static", rdzv_endpoint=master,
        rdzv_configs={"rank": args.node_rank, "timeout": int(args.dist_timeout)}, max_restarts=0,
        monitor_interval=0.5, redirects=Std.NONE, tee=Std.NONE)
    try:
        elastic_launch(config, sys.executable)("-m", "wl.train", *argv)
    except ChildFailedError as e:
        ranks = ", ".join("%d (exit status %s)" % (rank, f.exitcode)
                          for rank, f in sorted(e.failures.items()))
        raise TrainError("data-parallel run failed: rank %s; see its message above" % ranks)
    return 0


def main(argv=None):
    args = parse_args(argv)
    args.rank = 0
    try:
        if args.nproc * args.nnodes > 1 and not wldist.is_distributed():
            return launch_ranks(args, sys.argv[1:] if argv is None else argv)
        out = sys.stdout
        if wldist.is_distributed():
            args.rank, _ = wldist.init(timeout=args.dist_timeout)
            if args.rank:
                out, args.quiet = open(os.devnull, "w"), True
        return run(args, out)
    except wldist.DistributedError as e:
        sys.stderr.write("wl-train: error: %s\n" % e)
    except (TrainError, wltext.TextError) as e:
        sys.stderr.write("wl-train: error: %s\n" % e)
    except wl.CompileError as e:
        sys.stderr.write("wl-train: error: cannot compile %s:\n%s\n" % (args.model_file, e))
    except (wl.WLError, OSError) as e:
        sys.stderr.write("wl-train: error: %s\n" % e)
    except KeyboardInterrupt:
        sys.stderr.write("\nwl-train: interrupted\n")
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
