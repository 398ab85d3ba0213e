"""Training works (CPU/blobs.wl): Gaussian blobs, 4 classes in 8-D, 200 minibatch
steps of wl_train_step; the mean training loss of the last 20 steps must be below half
that of the first step, and held-out accuracy (wl_forward argmax) above 90%."""
import numpy as np

import reference as R
import wlcheck


def forward(p, x):
    return R.linear(p, "head", R.relu(R.linear(p, "fc1", x)))


SPEC = R.Spec("Blobs", 8, 4, {"fc1.weight": (32, 8), "fc1.bias": (32,), "head.weight": (4, 32),
                              "head.bias": (4,)}, forward, "cross_entropy", {"default": R.adamw(lr=0.01)})


def blobs(rng, centers, n):
    y = rng.integers(0, len(centers), size=n)
    x = centers[y] + rng.normal(size=(n, centers.shape[1]))
    return x.astype(np.float32), y.astype(np.int32)


def run(lib, spec):
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(4, 8))
    centers *= 4.0 / np.linalg.norm(centers, axis=1, keepdims=True)
    xtr, ytr = blobs(rng, centers, 2048)
    xte, yte = blobs(rng, centers, 1024)
    m = lib.create(seed=42)
    losses = []
    for step in range(200):
        i = rng.integers(0, len(xtr), size=64)
        loss = m.train_step(xtr[i], ytr[i])
        if not np.isfinite(loss):
            raise wlcheck.Failure("step %d: loss %r" % (step + 1, loss))
        losses.append(loss)
    first, last = losses[0], float(np.mean(losses[-20:]))
    acc = float(np.mean(np.argmax(m.forward(xte), axis=1) == yte))
    print("loss first %.4f last20 %.4f test accuracy %.4f" % (first, last, acc))
    wlcheck.ok("loss_halved", last / first, 0.5)
    wlcheck.ok("accuracy_above_90", 1.0 - acc, 0.1)


if __name__ == "__main__":
    wlcheck.main(run, [SPEC])
