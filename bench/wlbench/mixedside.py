"""One pattern of the mixed-process lines (wlbench/mixed.py starts one process per pattern):

    /usr/bin/python3 bench/wlbench/mixedside.py --threads N PATTERN lib.so result.json

(a plain script, not `-m wlbench.mixedside`: the wlbench package would load torch first)

wl and PyTorch in one process, as wl.torch and wl.distributed users run them: a wl LoRA
training step (wl_train_step) and the same LoRA step in PyTorch eager (frozen Linear plus
B·A, AdamW), B = 256, n = 1024, r = 16. PATTERN: `wl` (wl steps only), `torch` (torch steps
only), `alternate` (one of each in turn, each timed), `matmul` (a torch 256 × 1024 × 1024
matmul alone), `matmul-after-wl` (that matmul timed right after an untimed wl step),
`sandwich` (a torch Linear stem, the wl model as a wl.torch.Module, torch's cross entropy:
forward, backward through wl into the stem, AdamW on the stem and the wl step), and its two
sides alone: `sandwich-wl` (the module's forward, backward and step on a fixed input) and
`sandwich-torch` (the stem and loss around a tiny torch matmul standing in for wl).
WLBENCH_WL_FIRST=1 imports wl before numpy and torch (which lets wl make their pools passive,
wl/_threads.py); otherwise torch comes first. Writes the per-call seconds of each side."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import malloc  # noqa: E402  (wlbench/malloc.py: the bench's allocator settings, as env.py's)

malloc.tune_malloc()

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                                "runtime", "python"))
if os.environ.get("WLBENCH_WL_FIRST") == "1":  # wl before numpy and torch: wl quiets their pools
    import wl  # noqa: E402,F401
import numpy as np  # noqa: E402
import torch  # noqa: E402
import wl  # noqa: E402,F811

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

    # The sandwich: a torch stem, the wl model inside the graph (wl.torch.Module), torch's
    # loss; one training iteration: forward, backward through wl into the stem, both steps.
    import wl.torch as wlt
    block = wlt.Module(model.lib, seed=0)
    stem = torch.nn.Linear(N, N)
    stem_opt = torch.optim.AdamW(stem.parameters(), 1e-3)
    stand_in = torch.randn(N, 10) / N ** 0.5  # the block's torch-only stand-in (tiny matmul)
    h_fixed = torch.relu(stem(tx)).detach().requires_grad_(True)
    dy = torch.randn(B, 10) / B

    def sandwich(inner):
        stem_opt.zero_grad()
        out = inner(torch.relu(stem(tx)))
        torch.nn.functional.cross_entropy(out, ty).backward()
        stem_opt.step()
        if inner is block:
            block.step()

    def sandwich_wl():  # the sandwich's wl part alone: the block's forward, backward, step
        h_fixed.grad = None
        block(h_fixed).backward(dy)
        block.step()

    for _ in range(5):  # both sides warm, whatever the pattern
        wl_step()
        torch_step()
        matmul()
        sandwich(block)
        sandwich_wl()
        sandwich(lambda h: h @ stand_in)
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
        elif pattern == "sandwich":
            timed(lambda: sandwich(block), torch_t)
        elif pattern == "sandwich-wl":
            timed(sandwich_wl, wl_t)
        elif pattern == "sandwich-torch":
            timed(lambda: sandwich(lambda h: h @ stand_in), torch_t)
        else:
            sys.exit("unknown pattern " + pattern)
    with open(out_path, "w") as f:
        json.dump({"wl": wl_t, "torch": torch_t}, f)


if __name__ == "__main__":
    main()
