"""A layer applied twice: gradients of both uses add up (finite differences in float64)."""
import sys

import numpy as np

import wlharness


def main(path):
    m = wlharness.Library(path).create(1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6))
    y = rng.normal(size=(4, 6))
    p = {k: m.get_param(k).astype(np.float64) for k in ("fc.weight", "fc.bias")}

    def loss(q):
        h = np.tanh(x @ q["fc.weight"].T + q["fc.bias"])
        z = h @ q["fc.weight"].T + q["fc.bias"]
        return ((z - y) ** 2).mean()

    m.zero_grad()
    h = np.tanh(x @ p["fc.weight"].T + p["fc.bias"])
    z = h @ p["fc.weight"].T + p["fc.bias"]
    m.backward(x.astype(np.float32), (2 * (z - y) / z.size).astype(np.float32))
    for name, value in p.items():
        fd = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            for sign in (1, -1):
                q = {k: v.copy() for k, v in p.items()}
                q[name][idx] += sign * 1e-6
                fd[idx] += sign * loss(q) / 2e-6
        err = np.abs(m.get_grad(name) - fd).max() / max(1e-12, np.abs(fd).max())
        ok = err < 1e-4
        print(("OK " if ok else "FAIL ") + "shared_grad_%s rel_err=%.2e" % (name, err))
        if not ok:
            sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
