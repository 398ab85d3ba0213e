"""text_check.py OUT --text FILE --model-file M.wl --cache-dir D --steps N --eval-every K
--sample-chars C --prompt P: checks what `wl-train --dataset text:FILE` wrote into OUT
(train_text.test): metrics.csv and steps.csv (columns, one row per evaluation and per
step, finite values, the validation loss falling), the checkpoint's metadata (the
vocabulary of the training text, the unknown id, the model's source) and the checkpoint
itself (loaded into a fresh model of M.wl, it gives the last row's validation loss and
accuracy again), sample.txt, the plots when matplotlib imports, and the stdout lines
(--stdout) that repeat metrics.csv and the sample."""
import argparse
import csv
import math
import os
import re

import numpy as np

import wl
import wl.text as wt
from wl import train
from pycheck import check, guarded

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--text", required=True)
p.add_argument("--model-file", required=True)
p.add_argument("--cache-dir", required=True)
p.add_argument("--stdout", required=True)
p.add_argument("--steps", type=int, required=True)
p.add_argument("--eval-every", type=int, required=True)
p.add_argument("--batch", type=int, required=True)
p.add_argument("--sample-chars", type=int, required=True)
p.add_argument("--prompt", required=True)
args = p.parse_args()


def rows_of(name):
    with open(os.path.join(args.out, name), newline="") as f:
        return list(csv.reader(f))


def main():
    metrics = rows_of("metrics.csv")
    fields = ["step", "train_loss", "val_loss", "val_accuracy", "lipschitz_bound",
              "examples_per_s", "tokens_per_s", "seconds"]
    check("metrics_header", metrics[0] == fields, metrics[0])
    rows = [dict(zip(fields, map(float, r))) for r in metrics[1:]]
    evals = list(range(args.eval_every, args.steps, args.eval_every)) + [args.steps]
    check("metrics_rows", [int(r["step"]) for r in rows] == evals, [r["step"] for r in rows])
    check("metrics_finite", all(math.isfinite(v) for r in rows for v in r.values()), rows)
    check("val_loss_falls", rows[-1]["val_loss"] < rows[0]["val_loss"],
          [r["val_loss"] for r in rows])
    check("train_loss_falls", rows[-1]["train_loss"] < rows[0]["train_loss"],
          [r["train_loss"] for r in rows])
    check("metrics_ranges", all(0 <= r["val_accuracy"] <= 1 and r["lipschitz_bound"] > 0 and
                                r["examples_per_s"] > 0 for r in rows) and
          all(abs(r["tokens_per_s"] - 16 * r["examples_per_s"]) <= 1e-4 * r["tokens_per_s"]
              for r in rows) and
          all(a["seconds"] < b["seconds"] for a, b in zip(rows, rows[1:])), rows)

    steps = rows_of("steps.csv")
    check("steps_csv", steps[0] == ["step", "loss"] and
          [int(r[0]) for r in steps[1:]] == list(range(1, args.steps + 1)) and
          all(math.isfinite(float(r[1])) for r in steps[1:]), steps[:3])
    # Each row's train loss is the mean of its steps.
    losses = [float(r[1]) for r in steps[1:]]
    starts = [0] + evals[:-1]
    check("train_loss_mean", all(abs(np.mean(losses[a:b]) - r["train_loss"]) <= 1e-4 * abs(r["train_loss"])
                                 for a, b, r in zip(starts, evals, rows)))

    ckpt = os.path.join(args.out, "model.safetensors")
    meta = wl.safetensors.load_metadata(ckpt)
    text = wt.read_text(args.text)
    train_text = text[:wt.split_point(len(text))]
    vocab = wt.Vocabulary.from_metadata(meta)
    with open(args.model_file, encoding="utf-8") as f:
        source = f.read()
    check("ckpt_vocab", vocab.chars == sorted(set(train_text)) and
          meta.get("wl.unknown") == str(len(vocab.chars)), meta.get("wl.vocab"))
    check("ckpt_source", meta.get("wl.source") == source and meta.get("model") == "TextLM" and
          meta.get("format") == "wl", sorted(meta))

    # The checkpoint in a fresh model gives the last evaluation again.
    lib = wl.compile(args.model_file, cache_dir=args.cache_dir)
    with lib.create(seed=123) as m:
        m.load(ckpt)
        data = wt.TextData(text, 16)
        starts_, first = wt.validation_windows(len(data.val_ids), 16)
        loss, acc = train.evaluate_text(m, data, starts_, first, args.batch)
        check("ckpt_eval", abs(loss - rows[-1]["val_loss"]) <= 1e-5 * loss and
              abs(acc - rows[-1]["val_accuracy"]) <= 1e-6, (loss, acc, rows[-1]))
        check("ckpt_step", m.step_count == args.steps, m.step_count)

    with open(os.path.join(args.out, "sample.txt"), encoding="utf-8") as f:
        sample = f.read()
    check("sample_txt", sample.startswith(args.prompt) and
          len(sample) == len(args.prompt) + args.sample_chars and
          set(sample[len(args.prompt):]) <= set(vocab.chars), repr(sample))
    with open(args.stdout, encoding="utf-8") as f:
        stdout = f.read()
    check("stdout_sample", ("\n" + sample + "\n") in stdout, repr(stdout[-400:]))
    # The lines repeat metrics.csv (to the 4 decimals they print).
    pattern = re.compile(r"step (\d+)/%d  train loss ([0-9.]+)  val loss ([0-9.]+)  "
                         r"val accuracy ([0-9.]+)  " % args.steps)
    found = [pattern.match(l) for l in stdout.splitlines() if l.startswith("step ")]
    check("stdout_rows", len(found) == len(rows) and all(
        m and int(m.group(1)) == r["step"] and
        all(abs(float(m.group(i)) - r[k]) <= 6e-5 for i, k in
            ((2, "train_loss"), (3, "val_loss"), (4, "val_accuracy")))
        for m, r in zip(found, rows)), stdout)

    plt, _ = train.import_pyplot()
    pngs = ["curves.png", "bound.png", "spectra.png"]
    if plt is not None:
        ok = True
        for name in pngs:
            with open(os.path.join(args.out, name), "rb") as f:
                ok = ok and f.read(8) == b"\x89PNG\r\n\x1a\n"
        check("plots", ok)
    else:
        check("plots", not any(os.path.exists(os.path.join(args.out, n)) for n in pngs))


guarded(main)
