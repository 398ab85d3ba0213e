"""wl_train_step starts from zero gradients, whatever wl_backward accumulated before.

Two models from one seed: A's gradients are first polluted by two wl_backward calls,
B's are untouched; then both take the same wl_train_step. Their gradients (the step's
batch alone) and parameters must agree bit for bit. Then wl_zero_grad must leave every
gradient exactly 0. Usage: zeroed_grads.py LIB
"""
import sys

import numpy as np

import wl

lib = wl.load_library(sys.argv[1])
rng = np.random.default_rng(7)
B = 16
x = rng.standard_normal((B,) + lib.input_shape, dtype=np.float32)
y = rng.integers(0, lib.output_size, B).astype(np.int32)
junk_x = 3 * rng.standard_normal(x.shape, dtype=np.float32)
junk_dy = rng.standard_normal((B, lib.output_size), dtype=np.float32)


def same(a, b):
    return all(np.array_equal(a[k], b[k]) for k in a)


with lib.create(seed=1) as polluted, lib.create(seed=1) as fresh:
    for _ in range(2):
        polluted.backward(junk_x, junk_dy)
    assert any(np.any(g != 0) for g in polluted.grads.values())
    polluted.train_step(x, y)
    fresh.train_step(x, y)
    grads = same(dict(polluted.grads.items()), dict(fresh.grads.items()))
    params = same(dict(polluted.params.items()), dict(fresh.params.items()))
    print("OK" if grads and params else "FAIL", "train_step_starts_from_zero_grads")
    polluted.backward(junk_x, junk_dy)
    polluted.zero_grad()
    zero = all(not np.any(g) for g in polluted.grads.values())
    print("OK" if zero else "FAIL", "zero_grad_zeroes_every_gradient")
