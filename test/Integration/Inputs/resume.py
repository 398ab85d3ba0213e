"""Resuming from a checkpoint (CPU/resume.wl): usage  resume.py lib<model>.so workdir

For a model trained by one optimizer (or several, in groups) under a warmup schedule:
 straight: wl_create(seed 1), 6 steps;
 resumed:  wl_create(seed 1), 3 steps, wl_save; a FRESH model (seed 5, so different
           initial weights) wl_load's it, then takes the same 3 remaining steps.
Both must end bit-identical: parameters, every optimizer state tensor and the step count
(all the checkpoint's tensors, compared byte for byte). The loaded model re-saves the same
bytes it loaded. Controls show the comparison can fail: the same checkpoint with its
optimizer state zeroed, or with optim.step = 0, must resume differently (the state and the
step count matter for every optimizer here: momentum buffers / moments; warmup and bias
correction)."""
import os

import numpy as np

import reference as R
import wlcheck
from optim_steps import state_names


def mlp(p, x):
    return R.linear(p, "head", R.tanh(R.linear(p, "fc1", x)))


WITH_BIAS = {"fc1.weight": (7, 5), "fc1.bias": (7,), "head.weight": (3, 7), "head.bias": (3,)}
NO_BIAS = {"fc1.weight": (7, 5), "head.weight": (3, 7)}
SCHED = R.warmup_linear(warmup=4, total=10)
MODELS = {
    "ResumeSgd": (WITH_BIAS, {"default": R.sgd(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)}),
    "ResumeAdamw": (WITH_BIAS, {"default": R.adamw(lr=0.01)}),
    "ResumeMuon": (NO_BIAS, {"default": R.muon(lr=0.02, weight_decay=0.1)}),
    "ResumeLion": (WITH_BIAS, {"default": R.lion(lr=0.003, weight_decay=0.1)}),
    "ResumeAdamp": (WITH_BIAS, {"default": R.adamp(lr=0.01)}),
    "ResumeMixed": (WITH_BIAS, {"fc1.weight": R.muon(), "head.weight": R.adamp(lr=0.01),
                                "fc1.bias": R.lion(lr=0.003), "head.bias": R.sgd(lr=0.1, momentum=0.9),
                                "default": R.adamw(lr=0.01)}),
}
SPECS = [R.Spec(name, 5, 3, params, mlp, "cross_entropy", groups, SCHED)
         for name, (params, groups) in MODELS.items()]
STEPS, SPLIT = 6, 3


def train(m, batches, first):
    """Steps first+1, first+2, ... on `batches`; the last step of the run (STEPS) goes
    through the separate entry points, the others through wl_train_step."""
    for t, (x, lab) in enumerate(batches, first + 1):
        if t == STEPS:
            _, dy = R.cross_entropy(m.forward(x), lab)
            m.zero_grad()
            m.backward(x, dy.astype(np.float32), want_dx=False)
            m.step()
        else:
            m.train_step(x, lab)


def tensors_of(m, path):
    m.save(path)
    t, _ = wlcheck.read_safetensors(path)
    return t


def same(ta, tb):
    return sorted(ta) == sorted(tb) and all(ta[k].dtype == tb[k].dtype and ta[k].tobytes() == tb[k].tobytes()
                                            for k in ta)


def diff(ta, tb):
    keys = sorted(set(ta) | set(tb))
    return [k for k in keys if k not in ta or k not in tb or ta[k].tobytes() != tb[k].tobytes()]


def run(lib, spec, workdir):
    os.makedirs(workdir, exist_ok=True)
    path = lambda n: os.path.join(workdir, "%s.%s.safetensors" % (spec.name, n))  # noqa: E731
    rng = np.random.default_rng(5)
    batches = [(rng.normal(size=(10, 5)).astype(np.float32), rng.integers(0, 3, size=10).astype(np.int32))
               for _ in range(STEPS)]

    a = lib.create(seed=1)
    train(a, batches, 0)
    ta = tensors_of(a, path("straight"))

    b = lib.create(seed=1)
    train(b, batches[:SPLIT], 0)
    tb = tensors_of(b, path("split"))
    _, header = wlcheck.read_safetensors(path("split"))
    want = {"optim.%s.%s" % (k, s) for k in spec.params for s in state_names(spec.optimizer_for(k))}
    got = {k for k in tb if k.startswith("optim.") and k != "optim.step"}
    wlcheck.expect(got == want and int(tb["optim.step"]) == SPLIT, "checkpoint_state_names",
                   "got %s step %r, want %s" % (sorted(got), tb.get("optim.step"), sorted(want)))
    wlcheck.expect(all(np.any(tb[k] != 0) for k in want), "checkpoint_state_nonzero",
                   "all-zero: %s" % [k for k in want if not np.any(tb[k] != 0)])

    c = lib.create(seed=5)
    wlcheck.expect(c.params()["fc1.weight"].tobytes() != b.params()["fc1.weight"].tobytes(), "fresh_model_differs",
                   "seeds 1 and 5 gave the same fc1.weight")
    c.load(path("split"))
    wlcheck.expect(c.step_count() in (None, SPLIT), "loaded_step_count", "%r" % c.step_count())
    tc = tensors_of(c, path("reloaded"))
    wlcheck.expect(same(tb, tc), "load_resave_identical", "differ: %s" % diff(tb, tc))
    train(c, batches[SPLIT:], SPLIT)
    tc = tensors_of(c, path("resumed"))
    wlcheck.expect(c.step_count() in (None, STEPS) and int(tc["optim.step"]) == STEPS, "resumed_step_count",
                   "wl_step_count %r, optim.step %r" % (c.step_count(), tc.get("optim.step")))
    wlcheck.expect(all(a.params()[k].tobytes() == c.params()[k].tobytes() for k in spec.params),
                   "resumed_params_bit_exact", "differ: %s" % diff(a.params(), c.params()))
    wlcheck.expect(same(ta, tc), "resumed_checkpoint_bit_exact", "differ: %s" % diff(ta, tc))

    # Controls: without the state, or without the step count, training resumes differently.
    for what, edit in [("state", lambda t: {k: (np.zeros_like(v) if k in want else v) for k, v in t.items()}),
                       ("step", lambda t: dict(t, **{"optim.step": np.array(0, t["optim.step"].dtype)}))]:
        wlcheck.write_safetensors(path("no_" + what), edit(tb), header["__metadata__"])
        d = lib.create(seed=5)
        d.load(path("no_" + what))
        train(d, batches[SPLIT:], SPLIT)
        changed = [k for k in spec.params if d.params()[k].tobytes() != a.params()[k].tobytes()]
        wlcheck.expect(bool(changed), "control_without_" + what,
                       "resumed identically: the test cannot see a lost %s" % what)
        print("  without the %s: %s change" % (what, ", ".join(changed)))


if __name__ == "__main__":
    wlcheck.main(run, SPECS)
