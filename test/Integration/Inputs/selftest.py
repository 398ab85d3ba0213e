"""Self-test of the integration scripts without wlc (not a lit test; run by hand):

    /usr/bin/python3 test/Integration/Inputs/selftest.py

1. reference.py against PyTorch (activations, losses, SGD/AdamW over several steps);
2. every script against mock_wl (the float32 reference behind the harness API), its
   output through FileCheck with the CHECK lines of its .wl file;
3. the same scripts against deliberately wrong mocks (WL_MOCK_BUG): each must fail.
"""
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
    print("reference vs torch: ok")


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
BUGS = {"forward_scale": ["mlp_forward.py"], "no_bias": ["mlp_forward.py", "mlp_backward.py"],
        "grad": ["mlp_backward.py", "loss_grad.py", "optim.py"], "loss_sum": ["loss_grad.py"],
        "schedule_t0": ["schedule.py", "optim.py"], "init_std": ["init_determinism.py"]}


# Bugs a model cannot see by design: t is irrelevant to constant-lr sgd, and Adam's
# update is invariant to a constant scaling of a gradient.
INVISIBLE = {("schedule_t0", "mock:OptSgdMomentum"), ("schedule_t0", "mock:OptSgdNesterov"),
             ("schedule_t0", "mock:OptSgdWeightDecay"), ("schedule_t0", "mock:ScheduleConstant"),
             ("grad", "mock:OptAdamw")}


def main():
    torch_checks()
    failed = 0
    for script, args, wl, prefix in RUNS:
        if script == "checkpoint.py":
            subprocess.run(["rm", "-rf", args[2]])
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
                if script == "checkpoint.py":
                    subprocess.run(["rm", "-rf", args[2]])
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
