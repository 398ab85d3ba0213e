"""Checks what one wl-train run wrote (test/Python/train_fashion.test).

    train_check.py OUT_DIR --stdout F --stderr F --epochs N [--min-accuracy A]
                   [--loss-decreases test|train|none] [--plots yes|no|auto]

Exits non-zero with a message naming the first failed check.
"""
import argparse
import csv
import math
import os
import re
import struct
import sys

HEADER = ["epoch", "step", "train_loss", "test_loss", "test_accuracy", "lipschitz_bound",
          "examples_per_s", "seconds"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def fail(msg):
    sys.stderr.write("train_check: FAIL: %s\n" % msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def read_csv(path):
    check(os.path.isfile(path), "%s missing" % path)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    check(rows, "%s is empty" % path)
    return rows[0], rows[1:]


def check_png(path):
    check(os.path.isfile(path), "%s missing" % path)
    with open(path, "rb") as f:
        head = f.read(24)
    check(head[:8] == PNG_MAGIC, "%s: not a PNG (magic %r)" % (path, head[:8]))
    check(head[12:16] == b"IHDR", "%s: first chunk is %r, not IHDR" % (path, head[12:16]))
    width, height = struct.unpack(">II", head[16:24])
    check(width > 100 and height > 100, "%s: %dx%d image" % (path, width, height))
    return width, height


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--stdout", required=True)
    p.add_argument("--stderr", required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--min-accuracy", type=float, default=0.3)
    p.add_argument("--loss-decreases", choices=["test", "train", "none"], default="test")
    p.add_argument("--plots", choices=["yes", "no", "auto"], default="auto",
                   help="whether the PNGs must exist (no: matplotlib was hidden, the PNGs must "
                        "be absent and stderr must warn; auto: yes when this python imports "
                        "matplotlib)")
    a = p.parse_args()
    if a.plots == "auto":
        try:
            import matplotlib  # noqa: F401
            a.plots = "yes"
        except ImportError:
            sys.stderr.write("train_check: matplotlib is not installed here: expecting no PNGs\n")
            a.plots = "no"
    no_plots = a.plots == "no"

    # metrics.csv: the header and one row of finite numbers per epoch.
    header, rows = read_csv(os.path.join(a.out, "metrics.csv"))
    check(header == HEADER, "metrics.csv header %r" % header)
    check(len(rows) == a.epochs, "metrics.csv has %d rows, want %d" % (len(rows), a.epochs))
    metrics = []
    for i, r in enumerate(rows):
        check(len(r) == len(HEADER), "metrics.csv row %d: %r" % (i + 1, r))
        v = dict(zip(HEADER, map(float, r)))
        for k, x in v.items():
            check(math.isfinite(x), "metrics.csv row %d: %s = %r" % (i + 1, k, x))
        check(v["epoch"] == i + 1, "metrics.csv row %d: epoch %r" % (i + 1, v["epoch"]))
        check(0.0 <= v["test_accuracy"] <= 1.0, "accuracy %r outside [0, 1]" % v["test_accuracy"])
        check(v["lipschitz_bound"] > 0, "lipschitz bound %r" % v["lipschitz_bound"])
        check(v["examples_per_s"] > 0 and v["seconds"] > 0, "timings %r" % r)
        check(v["train_loss"] > 0 and v["test_loss"] > 0, "losses %r" % r)
        metrics.append(v)
    steps = [m["step"] for m in metrics]
    check(all(s > 0 for s in steps) and steps == sorted(steps) and
          all(s == steps[0] * (i + 1) for i, s in enumerate(steps)),
          "step counts %r are not multiples of the first epoch's" % steps)
    last = metrics[-1]
    check(last["test_accuracy"] > a.min_accuracy,
          "test accuracy %.4f after %d epochs is not above %.2f"
          % (last["test_accuracy"], a.epochs, a.min_accuracy))
    if a.loss_decreases != "none" and a.epochs >= 2:
        key = a.loss_decreases + "_loss"
        losses = [m[key] for m in metrics]
        check(all(x > y for x, y in zip(losses, losses[1:])), "%s does not decrease: %r"
              % (key, losses))

    # steps.csv: one loss per step.
    header, srows = read_csv(os.path.join(a.out, "steps.csv"))
    check(header == ["step", "epoch", "loss"], "steps.csv header %r" % header)
    check(len(srows) == int(last["step"]), "steps.csv has %d rows, want %d"
          % (len(srows), int(last["step"])))

    # certified.csv: radius increasing from 0, accuracy non-increasing from the
    # clean accuracy down to 0.
    header, crows = read_csv(os.path.join(a.out, "certified.csv"))
    check(header == ["radius", "certified_accuracy"], "certified.csv header %r" % header)
    check(len(crows) >= 10, "certified.csv has only %d rows" % len(crows))
    radii = [float(r[0]) for r in crows]
    acc = [float(r[1]) for r in crows]
    check(radii[0] == 0.0, "certified.csv starts at radius %r" % radii[0])
    check(all(x < y for x, y in zip(radii, radii[1:])), "radii not increasing")
    check(all(x >= y for x, y in zip(acc, acc[1:])), "certified accuracy increases: %r" % acc)
    check(abs(acc[0] - last["test_accuracy"]) < 1e-5,
          "certified accuracy at 0 is %r, clean accuracy %r" % (acc[0], last["test_accuracy"]))
    check(acc[-1] == 0.0, "certified accuracy does not reach 0 (%r at radius %r)"
          % (acc[-1], radii[-1]))

    check(os.path.getsize(os.path.join(a.out, "model.safetensors")) > 0
          if os.path.isfile(os.path.join(a.out, "model.safetensors")) else False,
          "model.safetensors missing or empty")

    for name in ("curves.png", "spectra.png", "certified.png"):
        path = os.path.join(a.out, name)
        if no_plots:
            check(not os.path.exists(path), "%s written without matplotlib" % path)
        else:
            check_png(path)

    # stdout: one summary line per epoch, and where everything went.
    with open(a.stdout) as f:
        out = f.read()
    summaries = re.findall(r"^epoch (\d+)/(\d+)  step \d+  train loss \S+  test loss \S+  "
                           r"test accuracy (\S+)", out, re.M)
    check(len(summaries) == a.epochs, "%d epoch summary lines on stdout:\n%s"
          % (len(summaries), out))
    check(abs(float(summaries[-1][2]) - last["test_accuracy"]) < 1e-4,
          "summary accuracy %s differs from metrics.csv" % summaries[-1][2])
    check("wrote " in out and "metrics.csv" in out, "stdout does not say where files went")

    # stderr (not a TTY): plain progress lines, a few per epoch, with ETA and ex/s.
    with open(a.stderr) as f:
        err = f.read()
    check("\r" not in err, "carriage returns in non-TTY progress output")
    progress = [l for l in err.splitlines() if l.startswith("epoch ")]
    for e in range(1, a.epochs + 1):
        mine = [l for l in progress if l.startswith("epoch %d/%d " % (e, a.epochs))]
        check(1 <= len(mine) <= 6, "epoch %d has %d progress lines:\n%s" % (e, len(mine), err))
        for l in mine:
            check("ETA" in l and "ex/s" in l and "loss" in l, "progress line %r" % l)
    if no_plots:
        check("python3-matplotlib" in err, "no warning naming python3-matplotlib:\n%s" % err)
    print("train_check: OK (%d epochs, accuracy %.4f, test loss %s, lipschitz %.4f)"
          % (a.epochs, last["test_accuracy"], " -> ".join("%.4f" % m["test_loss"] for m in metrics),
             last["lipschitz_bound"]))


if __name__ == "__main__":
    main()
