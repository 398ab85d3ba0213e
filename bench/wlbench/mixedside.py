"""One pattern of the mixed-process lines (wlbench/mixed.py starts one process per pattern):

    cd bench && /usr/bin/python3 -m wlbench.mixedside --threads N PATTERN lib.so result.json

wl and PyTorch in one process, as wl.torch and wl.distributed users run them: a wl LoRA
training step (wl_train_step) and the same LoRA step in PyTorch eager (frozen Linear plus
B·A, AdamW), B = 256, n = 1024, r = 16. PATTERN: `wl` (wl steps only), `torch` (torch steps
only), `alternate` (one of each in turn, each timed), `matmul` (a torch 256 × 1024 × 1024
matmul alone), `matmul-after-wl` (that matmul timed right after an untimed wl step).
Writes the per-call seconds of each side."""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                                "runtime", "python"))
import wl  # noqa: E402

N, B, R, CALLS = 1024, 256, 16, 60


def main():
    pattern, lib_path, out_path = sys.argv[-3:]
    model = wl.load_library(lib_path).create(seed=0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, N)).astype(np.float32)
    y = rng.integers(0, 10, B).astype(np.int32)
    base = torch.nn.Linear(N, N, bias=False).requires_grad_(False)
    head = torch.nn.Linear(N, 10).requires_grad_(False)
    A = torch.nn.Parameter(torch.randn(R, N) / N ** 0.5)
    Bm = torch.nn.Parameter(torch.zeros(N, R))
    opt = torch.optim.AdamW([A, Bm], 1e-3)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y).long()
    W = torch.randn(N, N)

    def torch_step():
        opt.zero_grad()
        h = torch.relu(base(tx) + (tx @ A.t()) @ Bm.t() * 2.0)
        torch.nn.functional.cross_entropy(head(h), ty).backward()
        opt.step()

    def wl_step():
        model.train_step(x, y)

    def matmul():
        torch.mm(tx, W)

    for _ in range(5):  # both sides warm, whatever the pattern
        wl_step()
        torch_step()
        matmul()
    wl_t, torch_t = [], []

    def timed(fn, into):
        t0 = time.perf_counter()
        fn()
        into.append(time.perf_counter() - t0)
    for _ in range(CALLS):
        if pattern == "wl":
            timed(wl_step, wl_t)
        elif pattern == "torch":
            timed(torch_step, torch_t)
        elif pattern == "alternate":
            timed(wl_step, wl_t)
            timed(torch_step, torch_t)
        elif pattern == "matmul":
            timed(matmul, torch_t)
        elif pattern == "matmul-after-wl":
            wl_step()
            timed(matmul, torch_t)
        else:
            sys.exit("unknown pattern " + pattern)
    with open(out_path, "w") as f:
        json.dump({"wl": wl_t, "torch": torch_t}, f)


if __name__ == "__main__":
    main()
