"""One rank of the data-parallel lines (wlbench/dataparallel.py starts 1 or N of them):

    cd bench && RANK=r WORLD_SIZE=N MASTER_ADDR=127.0.0.1 MASTER_PORT=p OMP_NUM_THREADS=t \\
        WLBENCH_SIDE=wl /usr/bin/python3 -m wlbench.distside --threads t spec.json result.json

Never imports torch before wl.distributed needs it (WLBENCH_SIDE=wl). With WORLD_SIZE 1 it
times Model.train_step on the whole batch; with N ranks wl.distributed.DataParallel's
train_step on each rank's shard (forward, backward, the gradient all-reduce on gloo, the
step, sharded per spec["shard_step"]). Every rank runs the same fixed number of steps (spec["k"] per round, spec["rounds"]
rounds, a barrier before each round), so that their collectives pair up; rank 0 writes the
per-step seconds of each round."""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                                "runtime", "python"))
import wl  # noqa: E402
import wl.distributed as wd  # noqa: E402


def main():
    spec_path, out_path = sys.argv[-2], sys.argv[-1]
    with open(spec_path) as f:
        spec = json.load(f)
    b = np.load(spec["batch"])
    x, y = np.ascontiguousarray(b["x"]), np.ascontiguousarray(b["labels"])
    model = wl.load_library(spec["lib"]).create(seed=0)
    rank, barrier = 0, (lambda: None)
    if wd.is_distributed():
        rank, _ = wd.init(timeout=120)
        model = wd.DataParallel(model, shard_step=spec.get("shard_step", "auto"))
        x, y = model.shard(x, y)
        barrier = model.barrier
    for _ in range(spec["warm"]):
        model.train_step(x, y)
    times = []
    for _ in range(spec["rounds"]):
        barrier()
        t0 = time.perf_counter()
        for _ in range(spec["k"]):
            model.train_step(x, y)
        times.append((time.perf_counter() - t0) / spec["k"])
    if rank == 0:
        grads = wd._span(getattr(model, "model", model), "wl_grad_buffer").size
        with open(out_path, "w") as f:
            json.dump({"times": times, "grad_floats": int(grads),
                       "plan": getattr(model, "step_plan", [])}, f)


if __name__ == "__main__":
    main()
