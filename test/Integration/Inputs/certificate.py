"""Certificates: wl_layer_spectral_bound and wl_lipschitz_bound against numpy's SVD."""
import sys

import numpy as np

import wlharness


def sigma(w):
    return float(np.linalg.svd(w.astype(np.float64), compute_uv=False)[0])


def expected(m):
    # sigmoid (1/4), residual h + fc2(gelu(h)) -> (1 + 1.13*s2), scale 0.5, head.
    s1 = sigma(m.get_param("fc1.weight"))
    s2 = sigma(m.get_param("fc2.weight"))
    s3 = sigma(m.get_param("head.weight"))
    return s1 * 0.25 * (1 + 1.13 * s2) * 0.5 * s3


def check(name, ok, detail):
    print(("OK " if ok else "FAIL ") + name + " " + detail)
    if not ok:
        sys.exit(1)


def main(path):
    lib = wlharness.Library(path)
    m = lib.create(3)
    for layer in ("fc1", "fc2", "head"):
        s = sigma(m.get_param(layer + ".weight"))
        b = m.layer_spectral_bound(layer)
        check("layer_bound_" + layer, s <= b <= s * (1 + 1e-3), "sigma=%.6f bound=%.6f" % (s, b))
    e, b = expected(m), m.lipschitz_bound()
    check("lipschitz_composition", e <= b <= e * (1 + 1e-3), "expected=%.6f bound=%.6f" % (e, b))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 24)).astype(np.float32)
    y = rng.integers(0, 5, size=16).astype(np.int32)
    for _ in range(5):
        m.train_step(x, y)
    e, b = expected(m), m.lipschitz_bound()
    check("lipschitz_after_training", e <= b <= e * (1 + 1e-3), "expected=%.6f bound=%.6f" % (e, b))
    bad = m.layer_spectral_bound("nope")
    check("bad_layer_name", bad < 0 and "nope" in m.last_error(), "returned %r: %s" % (bad, m.last_error()))


if __name__ == "__main__":
    main(sys.argv[1])
