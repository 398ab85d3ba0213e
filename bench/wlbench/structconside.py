"""One configuration of the structure-constraint lines, in its own process (wlbench/structcon.py
starts it, one process per configuration and pass):

    cd bench && WLBENCH_SIDE=wl /usr/bin/python3 -m wlbench.structconside --threads N spec.json result.json

Never imports torch (WLBENCH_SIDE=wl, env.py). The spec (JSON) names the library, the batch (.npz:
x, labels, dy) and the timing parameters; the worker times wl_train_step (the check step, then
warm-up, calibrated blocks and rounds as harness.time_alone), and with spec["pieces"] its parts
on their own: wl_forward, wl_backward (forward + backward from a fixed dy, no loss) and wl_step
(the optimizer update and the constraint, on a fixed gradient). Its l1 tensors after the run go
to spec["after"] (.npz) so that the parent can read the spectral norm the constraint left."""
import json
import sys

import numpy as np

from .harness import block_times, calibrate, time_alone, timed, warm
from .seqside import rss_mb

PIECE_ROUNDS = 3  # rounds of each piece (the pieces explain the step; the step itself gets --rounds)


def piece_times(fn, spec):
    """Per-call seconds of PIECE_ROUNDS blocks of about spec["block"] / 2 seconds each, after a short
    warm-up: cheaper than the step's own timing, enough to say where a step's time goes."""
    warm(fn, 2, 0.05)
    return block_times(fn, calibrate(fn, spec["block"] / 2), PIECE_ROUNDS, spec["settle"])


def main():
    from .abi import WLModel
    spec_path, out_path = sys.argv[-2], sys.argv[-1]
    with open(spec_path) as f:
        spec = json.load(f)
    rss_import = rss_mb()
    m = WLModel(spec["lib"], seed=0)
    b = np.load(spec["batch"])
    x, labels, dy = (np.ascontiguousarray(b[k]) for k in ("x", "labels", "dy"))
    fn = m.train_step_fn(x, labels)
    _, t1 = timed(fn)  # the first step: also the only warm-up of a slow line
    loss_first = float(m._loss.value)
    ts, k, slow = time_alone(fn, t1, spec, "wl")
    loss_last = float(m._loss.value)
    steps = 1 + len(ts) * k  # at least: the warm-up and calibration calls are not counted
    pieces = {}
    if spec["pieces"]:
        y = np.empty((x.shape[0], m.n_out), np.float32)
        pieces["forward"] = piece_times(m.forward_fn(x, y), spec)
        bwd = m.backward_fn(x, dy)  # accumulates into the stored gradient: wl_step sees a fixed one
        pieces["backward"] = piece_times(bwd, spec)
        m.zero_grad()
        bwd()
        pieces["step"] = piece_times(m.step_fn(), spec)
    info = m.param_info()
    np.savez(spec["after"], **{k2: m.get(k2, shape) for k2, (shape, _) in info.items() if k2.startswith("l1.weight")})
    m.close()
    with open(out_path, "w") as f:
        json.dump({"t_first": t1, "loss_first": loss_first, "loss_last": loss_last, "times": ts, "k": k,
                   "slow": slow, "steps": steps, "pieces": pieces, "rss_import_mb": rss_import,
                   "rss_peak_mb": rss_mb()}, f)


if __name__ == "__main__":
    main()
