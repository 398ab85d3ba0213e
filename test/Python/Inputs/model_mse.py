"""wl.Model with f32 targets (Inputs/mse.wl: mse loss, SGD with momentum) against torch
float64 autograd and torch.optim.SGD: label_kind, loss, train_step over several steps
(the momentum buffer), 2-D target validation. argv[1]: a scratch directory (%t)."""
import os
import sys

import numpy as np
import torch

from pycheck import INPUTS, check, close, guarded, raises, workdir

import wl


def main():
    t = workdir(sys.argv[1])
    lib = wl.compile(os.path.join(INPUTS, "mse.wl"), cache_dir=os.path.join(t, "cache"))
    check("label_kind_target", lib.label_kind == "target" and lib.output_size == 2)
    check("params_no_bias", [p.name for p in lib.params] == ["fc.weight", "fc.bias", "out.weight"])
    m = lib.create(seed=1)
    rng = np.random.default_rng(1)
    m.params["fc.bias"] = rng.standard_normal(4).astype(np.float32) * 0.3

    tp = {n: torch.tensor(v.astype(np.float64), requires_grad=True) for n, v in m.params.items()}
    opt = torch.optim.SGD(list(tp.values()), lr=0.05, momentum=0.9)

    def tforward(x):
        h = torch.tanh(x @ tp["fc.weight"].T + tp["fc.bias"])
        return h @ tp["out.weight"].T

    for step in range(5):
        x = rng.standard_normal((7, 5)).astype(np.float32)
        y = rng.standard_normal((7, 2)).astype(np.float32)
        xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
        if step == 0:
            close("forward_vs_torch", m.forward(x), tforward(xt).detach().numpy(), 1e-5, 1e-6)
            close("loss_vs_torch", m.loss(x, y),
                  float(torch.nn.functional.mse_loss(tforward(xt), yt)), 1e-5, 1e-7)
        opt.zero_grad()
        lt = torch.nn.functional.mse_loss(tforward(xt), yt)
        lt.backward()
        opt.step()
        loss = m.train_step(x, y)
        close("train_step_loss_%d" % step, loss, float(lt), 1e-5, 1e-7)
        for n in tp:
            close("train_step_%s_%d" % (n, step), m.params[n], tp[n].detach().numpy(), 1e-5, 1e-6)
    check("step_count", m.step_count == 5)

    x = np.zeros((3, 5), np.float32)
    raises("targets_1d", ValueError, m.loss, x, np.zeros(3, np.float32), contains=["y", "[B, 2]"])
    raises("targets_batch", ValueError, m.loss, x, np.zeros((4, 2), np.float32),
           contains=["batch size 4", "3"])
    raises("targets_dtype", TypeError, m.train_step, x, np.zeros((3, 2)),
           contains=["y must be float32 (got float64)", "astype(np.float32)"])
    raises("targets_int32", TypeError, m.loss, x, np.zeros((3, 2), np.int32),
           contains=["float32"])


guarded(main)
