"""mock_wl: the float32 reference behind wlharness's Library/Model API.

Only for self-testing the integration scripts without wlc (`script.py mock:<Model>`,
see selftest.py). WL_MOCK_BUG=<name> injects a deliberate bug so the self-test can
show that each script fails on a wrong library.
"""
import math
import os

import numpy as np

import reference as R
import wlcheck
from wlharness import WLError, WL_ERR_ARG, WL_ERR_IO, WL_ERR_SHAPE

BUG = os.environ.get("WL_MOCK_BUG", "")


def _buggy_update(bug):
    """R.opt_update with a deliberate optimizer bug (muon_*, lion_*, adamp_*), or None.
    Reference helpers are swapped only for the duration of the mock's own update, so the
    script's float64 reference stays correct."""
    kind = bug.split("_")[0]
    if kind not in ("muon", "lion", "adamp"):
        return None

    def update(cfg, w, g, state, t, lr, info=None):
        if cfg["kind"] != kind:
            return R.opt_update(cfg, w, g, state, t, lr, info)
        saved = (R.NS5_COEFFS, R.muon_scale, R.adamp_projection)
        try:
            if bug == "muon_coef":  # c = 2.0 instead of 2.0315
                R.NS5_COEFFS = (3.4445, -4.7750, 2.0)
            elif bug == "muon_scale":  # sqrt(max(1, IN/OUT)): OUT and IN swapped
                R.muon_scale = lambda s: math.sqrt(max(1.0, s[-1] / s[-2]))
            elif bug == "muon_nesterov":  # nesterov ignored
                cfg = dict(cfg, nesterov=False)
            elif bug == "muon_wd":  # decay without lr: W(1 - wd)
                w = w * (1.0 - cfg["weight_decay"]) / (1.0 - lr * cfg["weight_decay"])
            elif bug == "lion_order":  # sign of the updated moment (m first, then c = m)
                b1, b2 = cfg["betas"]
                m = b2 * state.get("exp_avg", np.zeros_like(w)) + (1.0 - b2) * g
                state["exp_avg"] = m
                return w * (1.0 - lr * cfg["weight_decay"]) - lr * np.sign(m)
            elif bug == "lion_sign0":  # sign(0) = +1
                b1, b2 = cfg["betas"]
                m = state.get("exp_avg", np.zeros_like(w))
                c = b1 * m + (1.0 - b1) * g
                state["exp_avg"] = b2 * m + (1.0 - b2) * g
                return w * (1.0 - lr * cfg["weight_decay"]) - lr * np.where(c >= 0, 1.0, -1.0).astype(w.dtype)
            elif bug == "adamp_noproj":  # never projects
                R.adamp_projection = lambda w_, g_, p_, *a: (p_, 1.0, {"branch": "none"})
            elif bug == "adamp_nowhole":  # only the per-row view
                def channel_only(w_, g_, p_, delta, wd_ratio, eps):
                    out, r, i = saved[2](w_, g_, p_, delta, wd_ratio, eps)
                    return (p_, 1.0, {"branch": "none"}) if i["branch"] == "whole" else (out, r, i)
                R.adamp_projection = channel_only
            elif bug == "adamp_threshold":  # the per-row view judged by delta / sqrt(OUT * IN)
                def one_threshold(w_, g_, p_, delta, wd_ratio, eps):
                    out, r, i = saved[2](w_, g_, p_, delta / math.sqrt(w_.shape[0]), wd_ratio, eps)
                    if i["branch"] == "channel":
                        return out, r, i
                    flat = [a.reshape(1, -1) for a in (w_, g_, p_)]  # the whole-tensor view alone
                    out, r, i = saved[2](*flat, delta, wd_ratio, eps)
                    return out.reshape(p_.shape), r, {"branch": "whole" if i["branch"] != "none" else "none"}
                R.adamp_projection = one_threshold
            elif bug == "adamp_wdratio":  # full weight decay on the projected branch
                R.adamp_projection = lambda *a: saved[2](*a)[:1] + (1.0,) + saved[2](*a)[2:]
            return R.opt_update(cfg, w, g, state, t, lr, info)
        finally:
            R.NS5_COEFFS, R.muon_scale, R.adamp_projection = saved

    return update


class MockLibrary:
    def __init__(self, spec):
        self.spec = spec
        self.abi_version, self.model_name = 1, spec.name
        self.input_size, self.output_size = spec.input_size, spec.output_size
        self.label_kind = spec.label_kind
        self.param_info = [(n, tuple(s), True) for n, s in spec.params.items()]
        self.shapes = dict(spec.params)
        self.trainable = list(spec.params)
        self.has_step_count = True

    def create(self, seed=0):
        return MockModel(self, seed)

    def labels(self, labels):
        return np.asarray(labels, np.int32 if self.label_kind == 0 else np.float32)


class MockModel:
    def __init__(self, lib, seed):
        self.lib, self.spec = lib, lib.spec
        rng = np.random.default_rng(seed)
        self.p = {}
        for n, s in self.spec.params.items():
            std = 1.0 / math.sqrt(s[1]) if len(s) == 2 else 0.0
            if BUG == "init_std":
                std *= 1.2
            self.p[n] = (rng.normal(0, std, s) if std else np.zeros(s)).astype(np.float32)
        self.g = {n: np.zeros(s, np.float32) for n, s in self.spec.params.items()}
        self.trainer = R.Trainer(self.spec, self.p, np.float32)
        self.trainer.update = _buggy_update(BUG) or self.trainer.update
        self.err = ""

    def _fail(self, func, status, msg):
        self.err = msg
        raise WLError(func, status, msg)

    def _name(self, func, name):
        if name not in self.p:
            self._fail(func, WL_ERR_ARG, "unknown parameter '%s'" % name)

    def _p(self):
        p = {k: v.copy() for k, v in self.p.items()}
        if BUG == "no_bias":
            p = {k: (v * 0 if k.endswith("bias") else v) for k, v in p.items()}
        return p

    def last_error(self):
        return self.err

    def forward(self, x):
        y = self.spec.forward(self._p(), np.asarray(x, np.float32))
        if BUG == "forward_scale":
            y = y * 1.001
        return y.astype(np.float32)

    def backward(self, x, dy, want_dx=True):
        _, g, dx = self.spec.vjp(self._p(), np.asarray(x, np.float32), np.asarray(dy, np.float32))
        for k in self.g:
            self.g[k] += g[k].astype(np.float32) * (1.01 if BUG == "grad" and k.endswith("bias") else 1)
        return dx.astype(np.float32) if want_dx else None

    def zero_grad(self):
        for v in self.g.values():
            v[...] = 0

    def step(self):
        self.trainer.p = {k: v.copy() for k, v in self.p.items()}
        if BUG == "schedule_t0":
            self.trainer.t -= 1
        self.trainer.step(self.g)
        if BUG == "schedule_t0":
            self.trainer.t += 1
        if BUG == "nesterov":
            pass
        self.p = {k: v.astype(np.float32) for k, v in self.trainer.p.items()}

    def loss(self, x, labels):
        y = self.forward(x)
        v, dy = R.LOSSES[self.spec.loss](y.astype(np.float32), labels)
        if BUG == "loss_sum":
            v *= y.shape[0]
        return float(np.float32(v))

    def train_step(self, x, labels):
        y = self.forward(x)
        v, dy = R.LOSSES[self.spec.loss](y, labels)
        self.zero_grad()
        self.backward(x, dy.astype(np.float32), want_dx=False)
        self.step()
        return float(np.float32(v))

    def get_param(self, name):
        self._name("wl_get_param", name)
        return self.p[name].copy()

    def set_param(self, name, value):
        self._name("wl_set_param", name)
        self.p[name] = np.array(value, np.float32).reshape(self.p[name].shape)

    def get_grad(self, name):
        self._name("wl_get_grad", name)
        return self.g[name].copy()

    def get_weight(self, layer, shape):
        self._name("wl_get_weight", layer + ".weight")
        return self.p[layer + ".weight"].copy()

    def params(self):
        return {k: v.copy() for k, v in self.p.items()}

    def set_params(self, params):
        for k, v in params.items():
            self.set_param(k, v)

    def grads(self):
        return {k: v.copy() for k, v in self.g.items()}

    def step_count(self):
        return self.trainer.t

    def _tensors(self):
        t = {k: v for k, v in self.p.items()}
        for k, st in self.trainer.state.items():
            for s, v in st.items():
                t["optim.%s.%s" % (k, s)] = np.asarray(v, np.float32)
        t["optim.step"] = np.array(self.trainer.t, np.int64)
        return t

    def save(self, path):
        wlcheck.write_safetensors(path, self._tensors(), {"format": "wl", "model": self.spec.name, "abi": "1"})

    def load(self, path):
        try:
            t, _ = wlcheck.read_safetensors(path)
        except Exception as e:  # noqa: BLE001
            self._fail("wl_load", WL_ERR_IO, "cannot read %s: %s" % (path, e))
        for k, v in self.p.items():
            if k not in t or t[k].shape != v.shape:
                self._fail("wl_load", WL_ERR_SHAPE, "%s: tensor %s missing or mis-shaped" % (path, k))
        self.p = {k: t[k].astype(np.float32) for k in self.p}
        self.trainer.t = int(t["optim.step"]) if BUG != "ckpt_no_step" else 0
        self.trainer.state = {k: {} for k in self.p}
        for name, v in t.items():
            if name.startswith("optim.") and name != "optim.step" and BUG != "ckpt_no_state":
                k, s = name[6:].rsplit(".", 1)
                self.trainer.state[k][s] = v
