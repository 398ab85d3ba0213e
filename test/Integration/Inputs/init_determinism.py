"""Initialisation (CPU/init_determinism.wl): wl_create is deterministic in the seed;
dense weights are normal with std 1/sqrt(IN) (mean, std, and the 1-sigma mass that tells
a normal from a uniform), biases are zeros, layers are not copies of each other, and
wl_get_weight of a dense layer is its weight."""
import math

import numpy as np

import reference as R
import wlcheck


def forward(p, x):
    return R.linear(p, "head", R.relu(R.linear(p, "fc2", R.relu(R.linear(p, "fc1", x)))))


SPEC = R.Spec("InitNet", 256, 10, {"fc1.weight": (128, 256), "fc1.bias": (128,), "fc2.weight": (128, 128),
                                   "head.weight": (10, 128), "head.bias": (10,)},
              forward, "cross_entropy", {"default": R.adamw(lr=1e-3)})


def run(lib, spec):
    a, b, c = lib.create(seed=123), lib.create(seed=123), lib.create(seed=124)
    pa, pb, pc = a.params(), b.params(), c.params()
    wlcheck.expect(all(pa[k].tobytes() == pb[k].tobytes() for k in pa), "same_seed_identical")
    wlcheck.expect(all(not np.array_equal(pa[k], pc[k]) for k in pa if k.endswith("weight")),
                   "other_seed_differs")
    for k, v in pa.items():
        if k.endswith("bias"):
            wlcheck.expect(not np.any(v), "zeros_" + k)
            continue
        n_in = spec.params[k][1]
        std = 1.0 / math.sqrt(n_in)
        w = v.astype(np.float64).reshape(-1)
        se = std / math.sqrt(w.size)
        wlcheck.ok("mean_" + k, abs(w.mean()) / se, 5.0)  # in standard errors
        wlcheck.ok("std_" + k, abs(w.std() / std - 1.0), 5.0 / math.sqrt(2 * w.size) + 1e-3)
        mass = np.mean(np.abs(w) < std)  # normal 0.6827, uniform 0.5774
        wlcheck.ok("normal_" + k, abs(mass - 0.6827), 5.0 * math.sqrt(0.6827 * 0.3173 / w.size))
    wlcheck.ok("layers_independent", abs(np.corrcoef(pa["fc1.weight"].reshape(-1)[:16384],
                                                     pa["fc2.weight"].reshape(-1))[0, 1]), 0.04)
    for layer in ("fc1", "fc2", "head"):
        w = a.get_weight(layer, spec.params[layer + ".weight"])
        wlcheck.expect(np.array_equal(w, pa[layer + ".weight"]), "get_weight_" + layer)


if __name__ == "__main__":
    wlcheck.main(run, [SPEC])
