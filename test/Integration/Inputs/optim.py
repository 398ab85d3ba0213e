"""Optimizer steps (CPU/optim.wl): parameters after each wl_train_step, and after
wl_zero_grad + wl_backward(dy = dloss/dy) + wl_step, against a float64 replica that
computes its own gradients and applies the formulas of ALGORITHMS.md (PyTorch)."""
import numpy as np

import reference as R
import wlcheck


def forward(p, x):
    return R.linear(p, "head", R.tanh(R.linear(p, "fc1", x)))


PARAMS = {"fc1.weight": (7, 5), "fc1.bias": (7,), "head.weight": (3, 7), "head.bias": (3,)}
OPTIMIZERS = {
    "OptSgdMomentum": ({"default": R.sgd(lr=0.5, momentum=0.9)}, R.constant()),
    "OptSgdNesterov": ({"default": R.sgd(lr=0.3, momentum=0.8, nesterov=True)}, R.constant()),
    "OptSgdWeightDecay": ({"default": R.sgd(lr=0.4, momentum=0.5, weight_decay=0.1)}, R.constant()),
    "OptAdamw": ({"default": R.adamw(lr=0.02)}, R.constant()),
    "OptAdamwArgs": ({"default": R.adamw(lr=0.05, betas=(0.8, 0.95), eps=1e-4, weight_decay=0.2)},
                     R.constant()),
    "OptGroups": ({"fc1.weight": R.sgd(lr=0.3, momentum=0.9, nesterov=True, weight_decay=0.05),
                   "head.bias": R.sgd(lr=0.2),
                   "default": R.adamw(lr=0.03, weight_decay=0.1)},
                  R.warmup_cosine(warmup=2, total=5)),
}
SPECS = [R.Spec(name, 5, 3, PARAMS, forward, "cross_entropy", opt, sched)
         for name, (opt, sched) in OPTIMIZERS.items()]
TRAIN_STEPS, MANUAL_STEPS = 4, 2
TOL = 1e-4  # per tensor, on the change since the start: max |dW - dW_ref| / max |dW_ref|


def run(lib, spec):
    rng = np.random.default_rng(2024)
    m = lib.create(seed=1)
    m.set_params({k: v.astype(np.float32) for k, v in spec.random_params(rng).items()})
    p0 = {k: v.astype(np.float64) for k, v in m.params().items()}
    ref = R.Trainer(spec, p0)
    x = rng.normal(size=(8, 5)).astype(np.float32)
    lab = rng.integers(0, 3, size=8).astype(np.int32)
    x64 = x.astype(np.float64)
    worst_loss, worst = 0.0, {k: 0.0 for k in p0}
    for t in range(1, TRAIN_STEPS + MANUAL_STEPS + 1):
        if t <= TRAIN_STEPS:
            loss = m.train_step(x, lab)
            loss_ref = ref.train_step(x64, lab)
            worst_loss = max(worst_loss, abs(loss - loss_ref) / abs(loss_ref))
        else:  # the same step through the separate entry points
            _, dy = R.LOSSES[spec.loss](m.forward(x).astype(np.float64), lab)
            m.zero_grad()
            m.backward(x, dy.astype(np.float32), want_dx=False)
            m.step()
            ref.train_step(x64, lab)
        got = m.params()
        for k in p0:
            e = R.rel_err(got[k] - p0[k], ref.p[k] - p0[k])
            worst[k] = max(worst[k], e)
            if not e <= TOL:
                raise wlcheck.Failure("step %d: %s differs from the reference (rel err %.3g)\n got %s\n want %s"
                                      % (t, k, e, got[k].reshape(-1)[:6], ref.p[k].reshape(-1)[:6]))
        if m.step_count() is not None and m.step_count() != t:
            raise wlcheck.Failure("wl_step_count = %d after %d steps" % (m.step_count(), t))
    wlcheck.ok("train_step_loss", worst_loss, 1e-5)
    for k in spec.params:
        wlcheck.ok("%s_%s" % (spec.name, k), worst[k], TOL)


if __name__ == "__main__":
    wlcheck.main(run, SPECS)
