"""train_distributed.test: a 2-rank wl-train run (DIR2) against a one-process run (DIR1)."""
import csv
import os
import sys

import numpy as np

from wl import safetensors

TOL = 1e-4  # float rounding of the gradient reduction, after a dozen AdamW steps


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def fail(name, why):
    raise SystemExit("FAIL %s: %s" % (name, why))


def main(one, two):
    s1, s2 = rows(os.path.join(one, "steps.csv")), rows(os.path.join(two, "steps.csv"))
    if len(s1) != len(s2):
        fail("steps", "%d vs %d rows" % (len(s1), len(s2)))
    err = max(abs(float(a["loss"]) - float(b["loss"])) for a, b in zip(s1, s2))
    if err > TOL:
        fail("steps", "loss differs by %.3g" % err)
    print("OK steps (%d steps, max loss difference %.3g)" % (len(s1), err))
    m1, m2 = rows(os.path.join(one, "metrics.csv")), rows(os.path.join(two, "metrics.csv"))
    err = max(abs(float(a[k]) - float(b[k])) for a, b in zip(m1, m2)
              for k in ("step", "train_loss", "val_loss", "val_accuracy"))
    if len(m1) != len(m2) or err > TOL:
        fail("metrics", "%d vs %d rows, max difference %.3g" % (len(m1), len(m2), err))
    print("OK metrics (%d rows, max difference %.3g)" % (len(m1), err))
    t1 = safetensors.load_file(os.path.join(one, "model.safetensors"))
    t2 = safetensors.load_file(os.path.join(two, "model.safetensors"))
    if sorted(t1) != sorted(t2):
        fail("checkpoint", "different tensors")
    err = max(float(np.max(np.abs(np.asarray(t1[k], np.float64) - np.asarray(t2[k]))))
              if np.asarray(t1[k]).size else 0.0 for k in t1)
    if err > TOL:
        fail("checkpoint", "parameters differ by %.3g" % err)
    print("OK checkpoint (%d tensors, max difference %.3g)" % (len(t1), err))


if __name__ == "__main__":
    main(*sys.argv[1:3])
