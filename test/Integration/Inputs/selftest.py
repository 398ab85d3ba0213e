"""Self-test of the integration scripts without wlc (not a lit test; run by hand):

    /usr/bin/python3 test/Integration/Inputs/selftest.py

1. reference.py against PyTorch (activations, losses, SGD/AdamW over several steps);
2. every script against mock_wl (the float32 reference behind the harness API), its
   output through FileCheck with the CHECK lines of its .wl file;
3. the same scripts against deliberately wrong mocks (WL_MOCK_BUG): each must fail.
"""
import math
import os
import subprocess
import sys

import numpy as np

import reference as R

HERE = os.path.dirname(os.path.abspath(__file__))
CPU = os.path.join(HERE, "..", "CPU")
FILECHECK = "/usr/lib/llvm-22/bin/FileCheck"
PY = "/usr/bin/python3"


def torch_checks():
    import torch
    x = np.linspace(-6, 6, 101)
    t = torch.tensor(x, requires_grad=True)
    for name, ref, tf in [("gelu", R.gelu, lambda v: torch.nn.functional.gelu(v)),
                          ("gelu_tanh", R.gelu_tanh, lambda v: torch.nn.functional.gelu(v, approximate="tanh")),
                          ("sigmoid", R.sigmoid, torch.sigmoid), ("tanh", R.tanh, torch.tanh)]:
        y = ref(R.Var(x))
        R.backprop(y, np.ones_like(x))
        t.grad = None
        tf(t).sum().backward()
        assert np.allclose(y.value, tf(t).detach().numpy(), atol=1e-12), name
        assert np.allclose(y.parents[0].grad, t.grad.numpy(), atol=1e-10), name
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4)) * 30
    lab = np.array([0, 3, 1, 2, 3])
    tz = torch.tensor(z, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tz, torch.tensor(lab))
    tl.backward()
    v, g = R.cross_entropy(z, lab)
    assert abs(v - tl.item()) < 1e-12 and np.allclose(g, tz.grad.numpy(), atol=1e-14)
    for cfg, make in [
        (R.sgd(lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        (R.sgd(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.1),
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.1)),
        (R.adamw(lr=0.01), lambda p: torch.optim.AdamW(p, lr=0.01)),
        (R.adamw(lr=0.05, betas=(0.8, 0.95), eps=1e-4, weight_decay=0.2),
         lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.95), eps=1e-4, weight_decay=0.2))]:
        w = rng.normal(size=6)
        tw = torch.tensor(w, requires_grad=True)
        opt, st = make([tw]), {}
        for t in range(1, 6):
            g = rng.normal(size=6)
            tw.grad = torch.tensor(g)
            opt.step()
            w = R.opt_update(cfg, w, g, st, t, cfg["lr"])
            assert np.allclose(w, tw.detach().numpy(), rtol=1e-12, atol=1e-14), (cfg, t)
    torch_new_optimizer_checks(rng)
    print("reference vs torch: ok")


# PyTorch loops of the published optimizers, independent of reference.py: Muon (Keller
# Jordan's muon.py, in float64 instead of bfloat16), Lion (lucidrains/lion-pytorch) and
# AdamP (clovaai/AdamP, nesterov = False).
def torch_ns5(G, steps):
    import torch
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.clone()
    if G.size(-2) > G.size(-1):
        X = X.mT
    X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.size(-2) > G.size(-1):
        X = X.mT
    return X


def torch_muon_step(p, grad, state, lr, momentum, nesterov, ns_steps, weight_decay):
    import torch
    if "momentum_buffer" not in state:
        state["momentum_buffer"] = torch.zeros_like(grad)
    buf = state["momentum_buffer"]
    buf.lerp_(grad, 1 - momentum)
    update = grad.clone().lerp_(buf, momentum) if nesterov else buf
    update = torch_ns5(update, ns_steps) * max(1, grad.size(-2) / grad.size(-1)) ** 0.5
    p.mul_(1 - lr * weight_decay)
    p.add_(update.reshape(p.shape), alpha=-lr)


def torch_lion_step(p, grad, state, lr, betas, weight_decay):
    import torch
    if "exp_avg" not in state:
        state["exp_avg"] = torch.zeros_like(p)
    exp_avg = state["exp_avg"]
    beta1, beta2 = betas
    p.mul_(1 - lr * weight_decay)
    update = exp_avg.clone().mul_(beta1).add(grad, alpha=1 - beta1).sign_()
    p.add_(update, alpha=-lr)
    exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)


def torch_adamp_step(p, grad, state, lr, betas, eps, weight_decay, delta, wd_ratio):
    import torch
    import torch.nn.functional as F

    def channel_view(x):
        return x.view(x.size(0), -1)

    def layer_view(x):
        return x.view(1, -1)

    def projection(p, grad, perturb):
        expand_size = [-1] + [1] * (len(p.shape) - 1)
        for name, view_func in (("channel", channel_view), ("whole", layer_view)):
            cosine_sim = F.cosine_similarity(view_func(grad), view_func(p), dim=1, eps=eps).abs_()
            if cosine_sim.max() < delta / math.sqrt(view_func(p).size(1)):
                p_n = p / view_func(p).norm(dim=1).view(expand_size).add_(eps)
                perturb -= p_n * view_func(p_n * perturb).sum(dim=1).view(expand_size)
                return perturb, wd_ratio, name
        return perturb, 1, "none"

    if len(state) == 0:
        state["step"] = 0
        state["exp_avg"] = torch.zeros_like(p)
        state["exp_avg_sq"] = torch.zeros_like(p)
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    beta1, beta2 = betas
    state["step"] += 1
    bias_correction1 = 1 - beta1 ** state["step"]
    bias_correction2 = 1 - beta2 ** state["step"]
    exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    denom = (exp_avg_sq.sqrt() / math.sqrt(bias_correction2)).add_(eps)
    step_size = lr / bias_correction1
    perturb = exp_avg / denom
    ratio, branch = 1, "none"
    if len(p.shape) > 1:
        perturb, ratio, branch = projection(p, grad, perturb)
    if weight_decay > 0:
        p.mul_(1 - lr * weight_decay * ratio)
    p.add_(perturb, alpha=-step_size)
    return branch


def adamp_designed_grad(w, branch, rng):
    """A gradient that puts AdamP on `branch` for weight w [OUT, IN] (OUT even):
    channel: every row g_i orthogonal to w_i; whole: g_i = a_i w_i with sum a_i |w_i|^2 = 0
    (every row parallel, the tensor orthogonal); none: g = 2w + noise."""
    if branch == "channel":
        g = rng.normal(size=w.shape)
        return g - w * (np.sum(g * w, axis=1) / np.sum(w * w, axis=1))[:, None]
    if branch == "whole":
        s = np.where(np.arange(w.shape[0]) % 2 == 0, 1.0, -1.0)
        return (s / np.sum(w * w, axis=1))[:, None] * w
    return 2.0 * w + 0.1 * rng.normal(size=w.shape)


def torch_new_optimizer_checks(rng):
    """reference.opt_update for muon, lion and adamp against the PyTorch loops above:
    6 steps each with a varying lr (a schedule), float64, on tall/wide/square/stacked
    matrices and a vector; adamp on designed gradients covering every branch."""
    import torch
    sched = [0.5, 1.0, 0.9, 0.6, 0.3, 0.1]
    for shape in [(9, 4), (4, 9), (6, 6), (3, 5, 2)]:
        for kw in [dict(lr=0.02, momentum=0.95, nesterov=True, ns_steps=5, weight_decay=0.0),
                   dict(lr=0.1, momentum=0.8, nesterov=False, ns_steps=3, weight_decay=0.3),
                   dict(lr=0.05, momentum=0.9, nesterov=True, ns_steps=6, weight_decay=0.1)]:
            cfg = R.muon(**kw)
            w = rng.normal(size=shape)
            tw, tst, st = torch.tensor(w), {}, {}
            for t, f in enumerate(sched, 1):
                g = rng.normal(size=shape)
                if len(shape) == 3:  # torch's muon takes one matrix: do the stack by hand
                    for i in range(shape[0]):
                        tst.setdefault(i, {})
                        torch_muon_step(tw[i], torch.tensor(g[i]), tst[i], kw["lr"] * f, kw["momentum"],
                                        kw["nesterov"], kw["ns_steps"], kw["weight_decay"])
                else:
                    torch_muon_step(tw, torch.tensor(g), tst, kw["lr"] * f, kw["momentum"], kw["nesterov"],
                                    kw["ns_steps"], kw["weight_decay"])
                w = R.opt_update(cfg, w, g, st, t, kw["lr"] * f)
                assert np.allclose(w, tw.numpy(), rtol=1e-11, atol=1e-12), ("muon", shape, kw, t)
    for shape in [(7, 5), (5,)]:
        for kw in [dict(lr=1e-3, betas=(0.9, 0.99), weight_decay=0.0),
                   dict(lr=3e-3, betas=(0.8, 0.95), weight_decay=0.5)]:
            cfg = R.lion(**kw)
            w = rng.normal(size=shape)
            tw, tst, st = torch.tensor(w), {}, {}
            for t, f in enumerate(sched, 1):
                g = rng.normal(size=shape)
                g.reshape(-1)[0] = 0.0  # sign(0) = 0 at step 1
                torch_lion_step(tw, torch.tensor(g), tst, kw["lr"] * f, kw["betas"], kw["weight_decay"])
                w = R.opt_update(cfg, w, g, st, t, kw["lr"] * f)
                assert np.allclose(w, tw.numpy(), rtol=1e-13, atol=1e-14), ("lion", shape, kw, t)
    seen = set()
    for shape in [(6, 5), (8, 3), (5,)]:
        for kw in [dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, delta=0.1, wd_ratio=0.1),
                   dict(lr=0.05, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.3, delta=0.2, wd_ratio=0.3)]:
            cfg = R.adamp(**kw)
            w = rng.normal(size=shape)
            tw, tst, st = torch.tensor(w), {}, {}
            for t, f in enumerate(sched, 1):
                branch = ["channel", "whole", "none"][t % 3]
                g = adamp_designed_grad(w, branch, rng) if len(shape) == 2 else rng.normal(size=shape)
                got = torch_adamp_step(tw, torch.tensor(g), tst, kw["lr"] * f, kw["betas"], kw["eps"],
                                       kw["weight_decay"], kw["delta"], kw["wd_ratio"])
                info = {}
                w = R.opt_update(cfg, w, g, st, t, kw["lr"] * f, info)
                assert got == info.get("branch", "none"), ("adamp branch", shape, t, got, info)
                if len(shape) == 2:
                    assert got == branch, ("adamp designed branch", shape, t, got, info)
                seen.add(got)
                assert np.allclose(w, tw.numpy(), rtol=1e-12, atol=1e-14), ("adamp", shape, kw, t)
    assert seen == {"channel", "whole", "none"}, seen


def checks_of(wl, prefix):
    return [l for l in open(wl) if l.startswith("// %s" % prefix)]


# (script, mock target(s), .wl file, FileCheck prefix)
RUNS = [("mlp_forward.py", ["mock:ForwardMix"], "mlp_forward.wl", "CHECK"),
        ("mlp_backward.py", ["mock:ForwardMix"], "mlp_backward.wl", "CHECK"),
        ("loss_grad.py", ["mock:CrossEntropyNet"], "loss_cross_entropy.wl", "CHECK"),
        ("loss_grad.py", ["mock:MseNet"], "loss_mse.wl", "CHECK"),
        ("blobs.py", ["mock:Blobs"], "blobs.wl", "CHECK"),
        ("init_determinism.py", ["mock:InitNet"], "init_determinism.wl", "CHECK"),
        ("checkpoint.py", ["mock:Ckpt", "mock:CkptOther", "/tmp/wl_selftest_ckpt"], "checkpoint.wl", "CHECK")]
RUNS += [("optim.py", ["mock:" + m], "optim.wl", m.upper()) for m in
         ["OptSgdMomentum", "OptSgdNesterov", "OptSgdWeightDecay", "OptAdamw", "OptAdamwArgs", "OptGroups"]]
RUNS += [("schedule.py", ["mock:" + m], "schedule.wl", m.upper()) for m in
         ["ScheduleConstant", "ScheduleLinear", "ScheduleCosine"]]
OPTIM_STEPS = {"optim_muon.wl": ["MuonDefault", "MuonArgs", "MuonMixed"],
               "optim_lion.wl": ["LionDefault", "LionArgs", "LionGroups"],
               "optim_adamp.wl": ["AdampDefault", "AdampArgs", "AdampProbe", "AdampGroups"]}
RUNS += [("optim_steps.py", ["mock:" + m, "/tmp/wl_selftest_optim"], wl, m.upper())
         for wl, models in OPTIM_STEPS.items() for m in models]
RUNS += [("muon_ns5.py", ["mock:" + m], "muon_ns5.wl", m.upper()) for m in ["Ns5Tall", "Ns5Wide", "Ns5Square"]]
RUNS += [("resume.py", ["mock:" + m, "/tmp/wl_selftest_resume"], "resume.wl", m.upper()) for m in
         ["ResumeSgd", "ResumeAdamw", "ResumeMuon", "ResumeLion", "ResumeAdamp", "ResumeMixed"]]
BUGS = {"forward_scale": ["mlp_forward.py"], "no_bias": ["mlp_forward.py", "mlp_backward.py"],
        "grad": ["mlp_backward.py", "loss_grad.py", "optim.py", "optim_steps.py"], "loss_sum": ["loss_grad.py"],
        "schedule_t0": ["schedule.py", "optim.py", "optim_steps.py"], "init_std": ["init_determinism.py"],
        "muon_coef": ["optim_steps.py", "muon_ns5.py"], "muon_scale": ["optim_steps.py", "muon_ns5.py"],
        "muon_nesterov": ["optim_steps.py"], "muon_wd": ["optim_steps.py"],
        "lion_order": ["optim_steps.py"], "lion_sign0": ["optim_steps.py"],
        "adamp_noproj": ["optim_steps.py"], "adamp_nowhole": ["optim_steps.py"], "adamp_wdratio": ["optim_steps.py"],
        "adamp_threshold": ["optim_steps.py"],
        "ckpt_no_state": ["resume.py"], "ckpt_no_step": ["resume.py"]}


# Bugs a model cannot see by design: t is irrelevant to constant-lr sgd, and Adam's
# update is invariant to a constant scaling of a gradient.
INVISIBLE = {("schedule_t0", "mock:OptSgdMomentum"), ("schedule_t0", "mock:OptSgdNesterov"),
             ("schedule_t0", "mock:OptSgdWeightDecay"), ("schedule_t0", "mock:ScheduleConstant"),
             ("grad", "mock:OptAdamw")}
# A bug in one optimizer is invisible to models without it, and some by design: sqrt(max(1,
# IN/OUT)) = sqrt(max(1, OUT/IN)) = 1 on a square matrix; adamw's, adamp's and lion's
# updates do not change when a bias gradient is scaled by 1.01 ("grad"); the schedule is
# constant in LionDefault and AdampDefault; Ns5Square's muon scale is 1.
_NEEDS = {"muon": {"MuonDefault", "MuonArgs", "MuonMixed", "LionGroups", "AdampGroups", "Ns5Tall", "Ns5Wide",
                   "Ns5Square"},
          "lion": {"MuonArgs", "MuonMixed", "LionDefault", "LionArgs", "LionGroups", "AdampGroups"},
          "adamp": {"MuonMixed", "AdampDefault", "AdampArgs", "AdampProbe", "AdampGroups"}}
_SEES = {"muon_wd": {"MuonArgs", "MuonMixed"},  # muon with weight decay
         "muon_nesterov": {"MuonDefault", "MuonArgs", "MuonMixed", "LionGroups", "AdampGroups"},
         "muon_scale": {"MuonDefault", "MuonArgs", "LionGroups", "MuonMixed", "Ns5Tall", "Ns5Wide"},
         "lion_sign0": {"LionDefault", "LionArgs"},  # the dead relu units
         "adamp_noproj": {"AdampDefault", "AdampArgs", "AdampProbe", "AdampGroups"},
         "adamp_nowhole": {"AdampDefault", "AdampArgs", "AdampProbe"},  # took the whole-tensor branch
         "adamp_wdratio": {"AdampDefault", "AdampArgs", "AdampProbe", "AdampGroups"},
         "adamp_threshold": {"AdampGroups"},  # per-row projection with max cos in [thr/sqrt(OUT), thr)
         "grad": {"AdampGroups"},  # the only sgd-trained biases
         "schedule_t0": {"MuonDefault", "MuonArgs", "MuonMixed", "LionArgs", "LionGroups", "AdampArgs", "AdampProbe",
                         "AdampGroups"}}
for _bug in ["muon_coef", "muon_scale", "muon_nesterov", "muon_wd", "lion_order", "lion_sign0", "adamp_noproj",
             "adamp_nowhole", "adamp_wdratio", "adamp_threshold", "grad", "schedule_t0"]:
    for _models in list(OPTIM_STEPS.values()) + [["Ns5Tall", "Ns5Wide", "Ns5Square"]]:
        for _m in _models:
            kind = _bug.split("_")[0]
            if (kind in _NEEDS and _m not in _NEEDS[kind]) or (_bug in _SEES and _m not in _SEES[_bug]):
                INVISIBLE.add((_bug, "mock:" + _m))


def main():
    torch_checks()
    failed = 0
    for script, args, wl, prefix in RUNS:
        if script in ("checkpoint.py", "optim_steps.py", "resume.py"):
            subprocess.run(["rm", "-rf", args[-1]])
        p = subprocess.run([PY, os.path.join(HERE, script)] + args, capture_output=True, text=True)
        fc = subprocess.run([FILECHECK, os.path.join(CPU, wl), "--check-prefix=" + prefix],
                            input=p.stdout, capture_output=True, text=True)
        good = p.returncode == 0 and fc.returncode == 0
        failed += not good
        print("%-5s %s %s" % ("ok" if good else "FAIL", script, args[0]))
        if not good:
            print(p.stdout[-2000:], p.stderr[-2000:], fc.stderr[-2000:])
        for bug, scripts in BUGS.items():
            if script in scripts and (bug, args[0]) not in INVISIBLE:
                env = dict(os.environ, WL_MOCK_BUG=bug)
                if script in ("checkpoint.py", "optim_steps.py", "resume.py"):
                    subprocess.run(["rm", "-rf", args[-1]])
                q = subprocess.run([PY, os.path.join(HERE, script)] + args, capture_output=True, text=True,
                                   env=env)
                caught = q.returncode != 0
                failed += not caught
                print("%-5s   bug %s %s" % ("ok" if caught else "MISS", bug,
                                            "caught" if caught else "NOT caught"))
    print("selftest:", "FAILED" if failed else "all ok")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
