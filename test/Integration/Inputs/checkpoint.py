"""Checkpoints (CPU/checkpoint.wl): usage  checkpoint.py lib.so other_model.so workdir

save -> load into a fresh model is bit-exact (parameters, optimizer state, step count:
saving the loaded model again gives the same bytes) and training continues identically;
truncated, garbage, missing-tensor, missing-file and other-model checkpoints are rejected
with a message and leave the model unchanged (parameters, state and step count)."""
import os
import sys

import numpy as np

import reference as R
import wlcheck
from wlharness import WLError

PARAMS = {"fc1.weight": (6, 4), "fc1.bias": (6,), "head.weight": (3, 6), "head.bias": (3,)}
OTHER = {"fc1.weight": (5, 4), "fc1.bias": (5,), "head.weight": (3, 5), "head.bias": (3,)}


def forward(p, x):
    return R.linear(p, "head", R.gelu(R.linear(p, "fc1", x)))


SPECS = [R.Spec("Ckpt", 4, 3, PARAMS, forward, "cross_entropy", {"default": R.adamw(lr=0.01)},
                R.warmup_linear(warmup=2, total=100)),
         R.Spec("CkptOther", 4, 3, OTHER, forward, "cross_entropy", {"default": R.adamw(lr=0.01)})]


def snapshot(m):
    return {k: v.tobytes() for k, v in m.params().items()}, m.step_count()


def rejected(m, path, what):
    before = snapshot(m)
    try:
        m.load(path)
    except WLError as e:
        msg = m.last_error()
        if not msg:
            raise wlcheck.Failure("%s: wl_load failed without a wl_last_error message" % what)
        if snapshot(m) != before:
            raise wlcheck.Failure("%s: the failed wl_load changed the model" % what)
        wlcheck.expect(True, "reject_" + what)
        print("  message: %s" % msg.splitlines()[0] if msg else "")
        return
    raise wlcheck.Failure("%s: wl_load accepted %s" % (what, path))


def run(lib, spec, other_path, workdir):
    os.makedirs(workdir, exist_ok=True)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10, 4)).astype(np.float32)
    lab = rng.integers(0, 3, size=10).astype(np.int32)
    a = lib.create(seed=1)
    for _ in range(3):
        a.train_step(x, lab)
    ck = os.path.join(workdir, "a.safetensors")
    a.save(ck)
    wlcheck.expect(not [f for f in os.listdir(workdir) if f != "a.safetensors"], "save_leaves_no_temp",
                   "%s" % os.listdir(workdir))

    tensors, header = wlcheck.read_safetensors(ck)
    pa = a.params()
    for k, v in pa.items():
        if k not in tensors or header[k]["dtype"] != "F32" or tensors[k].tobytes() != v.tobytes():
            raise wlcheck.Failure("checkpoint tensor %s missing or different (header %r)" % (k, header.get(k)))
    wlcheck.expect("optim.step" in tensors and int(tensors["optim.step"]) == 3, "checkpoint_format",
                   "optim.step = %r" % tensors.get("optim.step"))

    b = lib.create(seed=2)
    wlcheck.expect(snapshot(b) != snapshot(a), "fresh_model_differs", "seeds 1 and 2 gave the same params")
    b.load(ck)
    wlcheck.expect(snapshot(b) == snapshot(a), "load_params_bit_exact",
                   "step counts %r %r" % (a.step_count(), b.step_count()))
    ck2 = os.path.join(workdir, "b.safetensors")
    b.save(ck2)
    wlcheck.expect(open(ck, "rb").read() == open(ck2, "rb").read(), "resave_bytes_identical",
                   "%s and %s differ" % (ck, ck2))
    la, lb = a.train_step(x, lab), b.train_step(x, lab)
    wlcheck.expect(la == lb and snapshot(a) == snapshot(b), "continue_training_identical",
                   "losses %r %r" % (la, lb))

    data = open(ck, "rb").read()
    for name, blob in [("truncated", data[:len(data) - 7]), ("truncated_header", data[:12]),
                       ("empty", b""), ("garbage", bytes(range(256)) * 4)]:
        p = os.path.join(workdir, name + ".safetensors")
        open(p, "wb").write(blob)
        rejected(b, p, name)
    missing = dict(tensors)
    del missing["head.weight"]
    p = os.path.join(workdir, "missing.safetensors")
    wlcheck.write_safetensors(p, missing, header["__metadata__"])  # valid but for the missing tensor
    rejected(b, p, "missing_tensor")
    rejected(b, os.path.join(workdir, "does_not_exist.safetensors"), "no_such_file")

    other = wlcheck.open_library(other_path, {s.name: s for s in SPECS}).create(seed=0)
    po = os.path.join(workdir, "other.safetensors")
    other.save(po)
    rejected(b, po, "other_model")

    # After all the rejected loads, b still trains exactly like a (state untouched).
    la, lb = a.train_step(x, lab), b.train_step(x, lab)
    wlcheck.expect(la == lb and snapshot(a) == snapshot(b), "state_intact_after_rejects",
                   "losses %r %r" % (la, lb))


if __name__ == "__main__":
    wlcheck.main(run, SPECS)
