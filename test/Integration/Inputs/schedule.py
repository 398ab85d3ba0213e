"""Learning-rate schedules (CPU/schedule.wl), observed through a one-weight model:
y = w x, mse, sgd(lr = 0.25). With w = 1, x = 1, target 0, the gradient is 2, so one
step gives w' = 1 - 0.5 * factor(t): factor(t) = 2 (1 - w'). w is reset to 1 before
each step; t runs past `total` (factor 0 for warmup_linear and warmup_cosine)."""
import numpy as np

import reference as R
import wlcheck


def forward(p, x):
    return R.linear(p, "fc", x)


SCHEDULES = {
    "ScheduleConstant": (R.constant(), 6),
    "ScheduleLinear": (R.warmup_linear(warmup=4, total=10), 13),
    "ScheduleCosine": (R.warmup_cosine(warmup=3, total=9), 12),
}
SPECS = [R.Spec(n, 1, 1, {"fc.weight": (1, 1)}, forward, "mse", {"default": R.sgd(lr=0.25)}, s)
         for n, (s, _) in SCHEDULES.items()]


def run(lib, spec):
    m = lib.create(seed=0)
    x = np.ones((1, 1), np.float32)
    target = np.zeros((1, 1), np.float32)
    steps = SCHEDULES[spec.name][1]
    worst, got_f = 0.0, []
    for t in range(1, steps + 1):
        m.set_param("fc.weight", np.ones((1, 1), np.float32))
        loss = m.train_step(x, target)
        if loss != 1.0:
            raise wlcheck.Failure("step %d: loss %r, want 1.0" % (t, loss))
        f = 2.0 * (1.0 - float(m.get_param("fc.weight")[0, 0]))
        want = R.schedule_factor(spec.schedule, t)
        got_f.append(f)
        if abs(f - want) > 1e-6:
            raise wlcheck.Failure("step %d: lr factor %.7f, want %.7f (all so far: %s)" % (t, f, want, got_f))
        worst = max(worst, abs(f - want))
        if m.step_count() is not None and m.step_count() != t:
            raise wlcheck.Failure("wl_step_count = %d after %d steps" % (m.step_count(), t))
    print("factors " + " ".join("%.4f" % f for f in got_f))
    wlcheck.ok("schedule_" + spec.name, worst, 1e-6)


if __name__ == "__main__":
    wlcheck.main(run, SPECS)
