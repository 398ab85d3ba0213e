"""gelu and its derivative from a wl library (CPU/gelu_accuracy.wl) against float64 erf."""
import math
import sys

import numpy as np

import wl
import wlcheck

TOL = 5e-7  # max |y - y_ref| / max(1, |x|)

erf = np.vectorize(math.erf)


def main():
    m = wl.load_library(sys.argv[1]).create(seed=0)
    # Every float32 step near the approximation's interval edges (0.8, 2, 3.75
    # of |x|/√2) and the saturated tails, on a dense grid.
    x = np.linspace(-9, 9, 64 * 2048).astype(np.float32).reshape(-1, 64)
    xd = x.astype(np.float64)
    cdf = 0.5 * (1 + erf(xd / math.sqrt(2)))
    scale = np.maximum(1, np.abs(xd))

    y = m.forward(x).astype(np.float64)
    wlcheck.ok("gelu_forward", float(np.max(np.abs(y - xd * cdf) / scale)), TOL)

    # d gelu/dx = Φ(x) + x φ(x): the backward's erf is the same approximation.
    dx = m.backward(x, np.ones_like(x)).astype(np.float64)
    pdf = np.exp(-0.5 * xd * xd) / math.sqrt(2 * math.pi)
    wlcheck.ok("gelu_input_gradient", float(np.max(np.abs(dx - (cdf + xd * pdf)) / scale)), TOL)

    # erf is odd, so gelu(x) - gelu(-x) = x exactly up to rounding.
    y_neg = m.forward(-x).astype(np.float64)
    wlcheck.ok("gelu_odd_symmetry", float(np.max(np.abs(y - y_neg - xd) / scale)), TOL)


if __name__ == "__main__":
    main()
