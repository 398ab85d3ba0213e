"""One side of a training-step, constraint-step, structure-step or Muon line, in its own process
(wlbench/apart.py starts it, once for wl and once per torch environment):

    cd bench && WLBENCH_SIDE=wl|torch /usr/bin/python3 -m wlbench.lineside --threads N spec.json result.json

The wl process never imports torch (env.py) and the torch process never loads a generated
library: the torch peer starts from the wl model's initial tensors, which the parent saved
(abi.save_params) before its same-math check. The spec (JSON) names the line (kind, key, B, n),
the library, the saved tensors and the batch (.npz); the result (JSON) has the first call's
seconds and the per-call seconds of each round (harness.time_alone)."""
import json
import os
import sys

import numpy as np

from .harness import time_alone, timed

SIDE = os.environ.get("WLBENCH_SIDE", "torch")


def wl_side(spec, batch):
    """wl_train_step on the batch, or for a Muon line wl_step after one wl_backward fills the gradient."""
    from .abi import WLModel
    wl = WLModel(spec["lib"], seed=0)
    if spec["kind"] == "muon":
        wl.backward(batch["xb"], batch["dy"])
        return wl.step_fn(), wl
    return wl.train_step_fn(batch["x"], batch["labels"]), wl


def torch_side(spec, batch):
    """The line's torch peer (the same builders the in-process check uses), from the saved tensors."""
    import torch
    from .abi import SavedParams
    from .constraints import constraint_cayley, constraint_normalize, constraint_soft_cap
    from .dense import torch_peer, torch_step_fn
    from .optimizers import torch_muon_fn
    from .structures import structure_peer, structure_specs
    kind, key, n = spec["kind"], spec.get("key"), spec["n"]
    if kind == "muon":
        w0, g = batch["w0"], batch["g"]
        return torch_muon_fn(torch.from_numpy(w0.copy()), torch.from_numpy(g.copy()), torch.zeros(n, n)), None
    params = SavedParams(spec["params"])
    x, labels = batch["x"], batch["labels"]
    tx, ty = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    if kind == "train" or (kind == "structure" and key == "dense"):
        return torch_step_fn(*torch_peer(n, params), tx, ty), None
    if kind == "constraint":
        if key == "normalize":
            return constraint_normalize(params, n, x, labels)[0], None
        if key == "soft_cap":
            return constraint_soft_cap(params, n, x, labels, spec["alpha"])[0], None
        return constraint_cayley(params, n, x, labels)[0], None
    if kind == "structure":
        _, _, hp = structure_specs(n)[key]
        tm, opt, _ = structure_peer(key, params, n, hp, spec.get("factored", False))
        return torch_step_fn(tm, opt, tx, ty), None
    raise ValueError(f"unknown line kind {kind!r}")


def main():
    spec_path, out_path = sys.argv[-2], sys.argv[-1]
    with open(spec_path) as f:
        spec = json.load(f)
    with np.load(spec["batch"]) as b:
        batch = {k: np.ascontiguousarray(b[k]) for k in b.files}
    fn, keep = (wl_side if SIDE == "wl" else torch_side)(spec, batch)  # noqa: F841 (keep: the wl model)
    _, t1 = timed(fn)
    ts, k, slow = time_alone(fn, t1, spec, spec.get("label", SIDE))
    with open(out_path, "w") as f:
        json.dump({"t_first": t1, "times": ts, "k": k, "slow": slow}, f)


if __name__ == "__main__":
    main()
