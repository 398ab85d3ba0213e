"""muon on stacked factors (CPU/muon_stacked.wl): every step of the library against
reference.opt_update in float64 (which orthogonalises each matrix of a [k, m, n]
stack on its own), fed the library's own gradients, for 3 steps.

Prints "OK step<t> <param>" / "FAIL ..." per muon parameter and step, then "<n> failed".
"""
import sys

import numpy as np

import reference as R
import wlharness as wh

GROUPS = {
    "fc1.weight.A": R.muon(lr=0.05, weight_decay=0.1),
    "fc1.weight.B": R.muon(lr=0.05, weight_decay=0.1),
    "fc2.weight.R": R.muon(lr=0.05, weight_decay=0.1),
    "fc2.weight.L": R.muon(lr=0.05, weight_decay=0.1),
    "fc3.weight.blocks": R.muon(lr=0.03, momentum=0.9, nesterov=False),
    "head.weight": R.muon(lr=0.03, momentum=0.9, nesterov=False),
}

lib = wh.Library(sys.argv[1])
m = lib.create(seed=5)
rng = np.random.default_rng(0)
state = {k: {} for k in GROUPS}
failures = 0
for t in range(1, 4):
    x = rng.standard_normal((16, lib.input_size)).astype(np.float32)
    y = rng.integers(0, lib.output_size, size=16).astype(np.int32)
    old = {k: m.get_param(k).astype(np.float64) for k in GROUPS}
    m.train_step(x, y)
    for k, cfg in GROUPS.items():
        g = m.get_grad(k).astype(np.float64)
        want = R.opt_update(cfg, old[k], g, state[k], t, cfg["lr"])
        got = m.get_param(k).astype(np.float64)
        err = np.linalg.norm(got - want) / np.linalg.norm(want - old[k])
        if got.shape == old[k].shape and err < 1e-4:
            print("OK step%d %s" % (t, k))
        else:
            failures += 1
            print("FAIL step%d %s: error relative to the update %.3g" % (t, k, err))
print("%d failed" % failures)
sys.exit(1 if failures else 0)
