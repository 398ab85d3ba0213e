"""muon, lion and adamp steps (CPU/optim_muon.wl, optim_lion.wl, optim_adamp.wl), alone
and mixed with sgd/adamw in parameter groups, under schedules and weight decay.

usage: optim_steps.py lib<model>.so workdir

Every step (wl_train_step, or wl_zero_grad + wl_backward + wl_step for the last ones)
is compared with a float64 replica (reference.Trainer) that computes its own gradients:
 - each parameter's change since the start (relative to the reference's largest change);
 - each optimizer state tensor, read back from a wl_save checkpoint
   (optim.<param>.momentum_buffer | exp_avg | exp_avg_sq), and the set of state names;
 - the step count (wl_step_count and optim.step).
AdamP: the reference records which branch (per-row projection, whole-tensor projection,
none) each matrix took at each step; the script requires every cosine to be well away from
its threshold (otherwise the data, not the library, decides) and, where the model asks,
that each branch was taken. AdampProbe builds its batch at every step from the library's
current weight so that a chosen branch is taken by construction:
 channel: each residual column e_i is orthogonal to the output column y_i, so the row
          gradient g_i = (2/N) sum_b e_bi x_b is orthogonal to w_i (cos_i = 0);
 whole:   X^T X = cI and e_i = a_i y_i with a_i = s_i/|w_i|^2, s_i = +-1 alternating, so
          g_i is parallel to w_i (|cos_i| = 1) but sum_i g_i.w_i = 0;
 none:    X^T X = cI and e = a Y, so g is parallel to W.
"""
import math
import os

import numpy as np

import reference as R
import wlcheck

# Per step, per tensor: the library's update W_t - W_{t-1} against one float64 step taken
# from the library's own W_{t-1} and state (read from a checkpoint): max |dW - dW_ref| /
# max |dW_ref|; the same measure on each state tensor after the step. float32 rounding
# gives ~1e-6 here (NS5 included, see muon_ns5.py); NS coefficient a = 3.445 instead of
# 3.4445 gives ~3e-3, a flipped Lion sign 2. TOL_TRAJ: the change since the start against
# a free-running float64 replica (float32 drift over the run stays below ~1e-4).
TOL = 5e-5
TOL_TRAJ = 1e-3
MARGIN = 0.05  # adamp: max cos / threshold must stay outside [1 - MARGIN, 1 + MARGIN]
TRAIN_STEPS, MANUAL_STEPS = 5, 2


def mlp2(act):
    def forward(p, x):
        return R.linear(p, "head", act(R.linear(p, "fc1", x)))
    return forward


def mlp3(p, x):
    h = R.tanh(R.linear(p, "fc1", x))
    h = R.gelu(R.linear(p, "fc2", h))
    return R.linear(p, "head", h)


def single(p, x):
    return R.linear(p, "fc", x)


def mlp_params(*widths):
    names = ["fc%d" % (i + 1) for i in range(len(widths) - 2)] + ["head"]
    out = {}
    for n, i, o in zip(names, widths[:-1], widths[1:]):
        out[n + ".weight"], out[n + ".bias"] = (o, i), (o,)
    return out


# Muon runs on hidden matrices: tall fc1 [10, 6], wide fc2 [5, 10], square fc2 [8, 8].
# Not on a cross-entropy head: its gradient's rows sum to zero (rank OUT - 1), and NS
# amplifies the float32 noise in that null direction by ~a^ns_steps (3.4445^5 ~ 500).
TALL_WIDE = mlp_params(6, 10, 5, 4)
SQUARE = mlp_params(6, 8, 8, 3)

# name: (input, output, params, forward, loss, groups, schedule, options)
#   options: dead = number of fc1 units forced dead (bias -50 under relu: exact-zero
#   gradients, so lion sees sign(0)); branches = adamp branches that must occur;
#   probe = the AdampProbe designed batches, one branch per step.
MODELS = {
    # -- optim_muon.wl
    "MuonDefault": (6, 4, TALL_WIDE, mlp3, "cross_entropy",
                    {"fc1.weight": R.muon(), "fc2.weight": R.muon(), "default": R.adamw(lr=0.01)},
                    R.warmup_linear(warmup=2, total=8), {}),
    "MuonArgs": (6, 4, TALL_WIDE, mlp3, "cross_entropy",
                 {"fc1.weight": R.muon(lr=0.05, momentum=0.9, nesterov=False, ns_steps=3, weight_decay=0.1),
                  "fc2.weight": R.muon(lr=0.03, momentum=0.8, ns_steps=6, weight_decay=0.2),
                  "default": R.lion(lr=0.01, weight_decay=0.1)},
                 R.warmup_cosine(warmup=3, total=7), {}),
    "MuonMixed": (6, 3, SQUARE, mlp3, "cross_entropy",
                  {"fc1.weight": R.muon(lr=0.04, weight_decay=0.05),
                   "fc2.weight": R.muon(lr=0.04, weight_decay=0.05),
                   "head.weight": R.adamp(lr=0.02, weight_decay=0.1),
                   "head.bias": R.lion(lr=0.005),
                   "default": R.adamw(lr=0.01, weight_decay=0.1)},
                  R.warmup_linear(warmup=3, total=10), {}),
    # -- optim_lion.wl
    "LionDefault": (6, 4, mlp_params(6, 10, 4), mlp2(R.relu), "cross_entropy",
                    {"default": R.lion(lr=0.01)}, R.constant(), {"dead": 2}),
    "LionArgs": (6, 4, mlp_params(6, 10, 4), mlp2(R.relu), "cross_entropy",
                 {"default": R.lion(lr=0.02, betas=(0.8, 0.95), weight_decay=0.3)},
                 R.warmup_linear(warmup=3, total=10), {"dead": 2}),
    "LionGroups": (6, 4, mlp_params(6, 10, 4), mlp2(R.gelu), "cross_entropy",
                   {"fc1.weight": R.muon(lr=0.02, momentum=0.9),
                    "fc1.bias": R.lion(lr=0.01, betas=(0.95, 0.98), weight_decay=0.1),
                    "head.bias": R.lion(lr=0.005),
                    "default": R.adamw(lr=0.01)},
                   R.warmup_cosine(warmup=2, total=8), {}),
    # -- optim_adamp.wl
    "AdampDefault": (6, 4, mlp_params(6, 10, 4), mlp2(R.tanh), "cross_entropy",
                     {"default": R.adamp(lr=0.01)}, R.constant(), {}),
    "AdampArgs": (6, 4, mlp_params(6, 10, 4), mlp2(R.tanh), "cross_entropy",
                  {"default": R.adamp(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.2, delta=0.5,
                                      wd_ratio=0.3)},
                  R.warmup_linear(warmup=3, total=10), {}),
    "AdampProbe": (6, 8, {"fc.weight": (8, 6)}, single, "mse",
                   {"default": R.adamp(lr=0.05, weight_decay=0.2, wd_ratio=0.25)},
                   R.warmup_cosine(warmup=2, total=9),
                   {"probe": ["channel", "whole", "none", "whole", "channel", "none", "channel"],
                    "branches": {"fc.weight": {"channel", "whole", "none"}}}),
    "AdampGroups": (6, 3, SQUARE, mlp3, "cross_entropy",
                    {"fc1.weight": R.adamp(lr=0.02, delta=4.0, wd_ratio=0.5, weight_decay=0.3),
                     "fc2.weight": R.muon(lr=0.03),
                     "head.weight": R.adamp(lr=0.01, delta=1e-3, weight_decay=0.3),
                     "head.bias": R.lion(lr=0.005),
                     "default": R.sgd(lr=0.1, momentum=0.9, weight_decay=0.01)},
                    R.warmup_cosine(warmup=2, total=9),
                    {"branches": {"fc1.weight": {"channel"}, "head.weight": {"none"}}}),
}
SPECS = [R.Spec(name, i, o, params, fwd, loss, groups, sched)
         for name, (i, o, params, fwd, loss, groups, sched, _) in MODELS.items()]
STATE_NAMES = {"sgd": ("momentum_buffer",), "adamw": ("exp_avg", "exp_avg_sq"), "muon": ("momentum_buffer",),
               "lion": ("exp_avg",), "adamp": ("exp_avg", "exp_avg_sq")}


def state_names(cfg):
    if cfg["kind"] == "sgd" and cfg["momentum"] == 0.0:
        return ()
    return STATE_NAMES[cfg["kind"]]


def orthonormal_columns(rng, rows, cols):
    q, _ = np.linalg.qr(rng.normal(size=(rows, cols)))
    return q


def probe_batch(branch, w, rng, batch=12):
    """A batch (x, target) for `single` that puts AdamP on `branch` for weight w [OUT, IN]
    (see the module docstring). Built in float64 from the library's float32 weight."""
    out, inp = w.shape
    if branch == "channel":
        x = rng.normal(size=(batch, inp))
        y = x @ w.T
        e = rng.normal(size=y.shape)
        e -= y * (np.sum(e * y, axis=0) / np.sum(y * y, axis=0))
    else:
        x = math.sqrt(batch) * orthonormal_columns(rng, batch, inp)  # X^T X = batch * I
        y = x @ w.T
        a = np.full(out, 0.5) if branch == "none" else \
            np.where(np.arange(out) % 2 == 0, 1.0, -1.0) / np.sum(w * w, axis=1) * 0.5
        e = y * a
    return x.astype(np.float32), (y - e).astype(np.float32)


def random_batch(spec, rng, batch=16):
    x = rng.normal(size=(batch, spec.input_size)).astype(np.float32)
    if spec.loss == "cross_entropy":
        return x, rng.integers(0, spec.output_size, size=batch).astype(np.int32)
    return x, rng.normal(size=(batch, spec.output_size)).astype(np.float32)


def step_err(got, old, want):
    """max |W_t - W_t_ref| / max |W_t_ref - W_{t-1}|, after allowing each element the
    float32 rounding of storing W_t (2 ulp): a small lr makes the step itself only a few
    hundred ulp of W, so the plain relative error would measure float32 resolution."""
    got, old, want = (np.asarray(a, np.float64) for a in (got, old, want))
    scale = max(np.max(np.abs(want - old)) if want.size else 0.0, 1e-30)
    slack = 2.0 * np.finfo(np.float32).eps * np.maximum(np.abs(want), np.abs(old))
    return float(np.max(np.maximum(np.abs(got - want) - slack, 0.0)) / scale) if got.size else 0.0


def read_state(m, path):
    """Everything a checkpoint holds (parameters, optim.<param>.<state>, optim.step)."""
    m.save(path)
    tensors, _ = wlcheck.read_safetensors(path)
    os.remove(path)
    return tensors


def synced_trainer(spec, tensors):
    """A float64 Trainer starting exactly where the library is (checkpoint tensors)."""
    tr = R.Trainer(spec, {k: tensors[k] for k in spec.params})
    for name, v in tensors.items():
        if name.startswith("optim.") and name != "optim.step":
            k, s = name[6:].rsplit(".", 1)
            tr.state[k][s] = v.astype(np.float64)
    tr.t = int(tensors["optim.step"])
    return tr


def check_lion(t, k, info):
    """A sign float32 could flip (|c| within 1e-5 of the tensor's largest) would make the
    data, not the library, decide the step."""
    r = info.get("lion_min_rel_c", 1.0)
    if r < 1e-5:
        raise wlcheck.Failure("step %d: %s: lion's c has an entry at %.2g of its largest: float32 may flip "
                              "its sign; change the test data" % (t, k, r))


def check_adamp(t, k, info, taken, margins, probe):
    if "branch" not in info:
        return
    taken[k].add(info["branch"])
    for view in ("channel", "whole"):
        r = info["ratio_" + view]
        margins.append(abs(r - 1.0))
        if abs(r - 1.0) < MARGIN:
            raise wlcheck.Failure("step %d: %s: adamp %s cos/threshold = %.4f is too close to 1 for float32 "
                                  "to agree on the branch: change the test data" % (t, k, view, r))
    if probe and info["branch"] != probe[t - 1]:
        raise wlcheck.Failure("step %d: the probe batch meant for the %s branch took %s (%r)"
                              % (t, probe[t - 1], info["branch"], info))


def run(lib, spec, workdir):
    os.makedirs(workdir, exist_ok=True)
    opts = MODELS[spec.name][7]
    rng = np.random.default_rng(7)
    m = lib.create(seed=1)
    p = spec.random_params(rng)
    for k in range(opts.get("dead", 0)):  # dead relu units: fc1 rows/bias, head columns get 0 grads
        p["fc1.bias"][k] = -50.0
    m.set_params({k: v.astype(np.float32) for k, v in p.items()})
    p0 = {k: v.astype(np.float64) for k, v in m.params().items()}
    free = R.Trainer(spec, p0)  # free-running float64 replica over the whole run
    ckpt = os.path.join(workdir, spec.name + ".safetensors")
    worst_loss, worst_state = 0.0, 0.0
    worst = {k: 0.0 for k in p0}
    worst_traj = {k: 0.0 for k in p0}
    taken = {k: set() for k in p0}
    margins = []
    probe = opts.get("probe")
    steps = len(probe) if probe else TRAIN_STEPS + MANUAL_STEPS
    before = read_state(m, ckpt)
    for t in range(1, steps + 1):
        if probe:
            x, lab = probe_batch(probe[t - 1], before["fc.weight"].astype(np.float64), rng)
        else:
            x, lab = random_batch(spec, rng)
        x64 = x.astype(np.float64)
        ref = synced_trainer(spec, before)  # one float64 step from the library's own state
        if t <= steps - MANUAL_STEPS:
            loss = m.train_step(x, lab)
            loss_ref = ref.train_step(x64, lab)
            worst_loss = max(worst_loss, abs(loss - loss_ref) / abs(loss_ref))
        else:  # the same step through the separate entry points
            _, dy = R.LOSSES[spec.loss](m.forward(x).astype(np.float64), lab)
            m.zero_grad()
            m.backward(x, dy.astype(np.float32), want_dx=False)
            m.step()
            ref.train_step(x64, lab)
        free.train_step(x64, lab)
        after = read_state(m, ckpt)
        got = m.params()
        if int(after.get("optim.step", -1)) != t or (m.step_count() is not None and m.step_count() != t):
            raise wlcheck.Failure("step %d: optim.step = %r, wl_step_count = %r"
                                  % (t, after.get("optim.step"), m.step_count()))
        for k in p0:
            if got[k].tobytes() != after[k].tobytes():
                raise wlcheck.Failure("step %d: wl_get_param(%s) and the checkpoint differ" % (t, k))
            old = before[k].astype(np.float64)
            e = step_err(got[k], old, ref.p[k])
            worst[k] = max(worst[k], e)
            if not e <= TOL:
                raise wlcheck.Failure("step %d: the update of %s differs from the reference (rel err %.3g)\n"
                                      " got %s\n want %s" % (t, k, e, (got[k] - old).reshape(-1)[:8],
                                                              (ref.p[k] - old).reshape(-1)[:8]))
            e = R.rel_err(got[k] - p0[k], free.p[k] - p0[k])
            worst_traj[k] = max(worst_traj[k], e)
            if not e <= TOL_TRAJ:
                raise wlcheck.Failure("step %d: %s has left the reference trajectory (rel err %.3g)" % (t, k, e))
            check_adamp(t, k, ref.info[k], taken, margins, probe if k == "fc.weight" else None)
            check_lion(t, k, ref.info[k])
        want_names = {"optim.%s.%s" % (k, s) for k in p0 for s in state_names(spec.optimizer_for(k))}
        got_names = {n for n in after if n.startswith("optim.") and n != "optim.step"}
        if got_names != want_names:
            raise wlcheck.Failure("step %d: optimizer state tensors\n got %s\n want %s"
                                  % (t, sorted(got_names), sorted(want_names)))
        for k in p0:
            for s in state_names(spec.optimizer_for(k)):
                want, have = ref.state[k][s], after["optim.%s.%s" % (k, s)]
                e = R.rel_err(have, want)
                worst_state = max(worst_state, e)
                if not e <= TOL:
                    raise wlcheck.Failure("step %d: state %s.%s differs (rel err %.3g)\n got %s\n want %s"
                                          % (t, k, s, e, have.reshape(-1)[:8], np.asarray(want).reshape(-1)[:8]))
        before = after
    wlcheck.ok("train_step_loss", worst_loss, 1e-5)
    for k in spec.params:
        wlcheck.ok("%s_%s" % (spec.name, k), worst[k], TOL)
    wlcheck.ok("%s_state" % spec.name, worst_state, TOL)
    wlcheck.ok("%s_trajectory" % spec.name, max(worst_traj.values()), TOL_TRAJ)
    wlcheck.expect(True, "%s_step_count" % spec.name)
    if margins:
        print("adamp branches: %s (closest cos/threshold to 1: %.3f away)"
              % (", ".join("%s=%s" % (k, "+".join(sorted(v))) for k, v in taken.items() if v), min(margins)))
    for k, want in opts.get("branches", {}).items():
        wlcheck.expect(taken[k] == want, "%s_branches_%s" % (spec.name, k),
                       "took %s, the test wants %s" % (sorted(taken[k]), sorted(want)))


if __name__ == "__main__":
    wlcheck.main(run, SPECS)
