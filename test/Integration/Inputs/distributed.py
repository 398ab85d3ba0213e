"""CPU/distributed.wl: wl.distributed.DataParallel on gloo, ranks on 127.0.0.1.

The parent process launches the ranks (this script with --role, torchrun's environment
variables set by hand) and compares what they write against a one-process reference
computed here: the same model and seed trained with train_step on the concatenated
(global) batch. Checks, per library:
  buffers                 wl_grad_buffer / wl_param_buffer / wl_state_buffer are the model's
                          own memory (writes show through Model.grads / params), hold every
                          tensor, and loss_backward accumulates without a step;
  equal_to_one_process    2 ranks, 20 steps: losses and parameters equal the reference to
                          float rounding of the reduction (the first library's gradient
                          all-reduced in buckets of 250 floats, the last one partial);
  replicas_identical      the ranks' parameters and optimizer state are bit-identical;
  sharded_step            (the Muon + soft_cap and LoRA models, and the MLP on 3 ranks)
                          every piece of the step computed by one rank only (the ranks' sets
                          disjoint, together all pieces) and broadcast: equal to the reference
                          like above, replicas bit-identical, and on 2 ranks bit-identical to
                          the unsharded run (sharded_equals_unsharded).
and once: uneven shards (3 ranks, batch 7), a checkpoint saved by 2 ranks resumed on 3,
a data-parallel group of ranks 1 and 2 out of 3 (sharded step, broadcast sources named by
their global ranks), replicas created from different seeds taking rank 0's, a rank holding
another model, a non-finite input on one rank, a replica that drifted (check_replicas names
it), and a rank killed mid-run (every rank stops with a message within the timeout; nothing
hangs).
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time

import numpy as np

import wl

STEPS = 20
BATCH = 16
TIMEOUT = 30.0  # seconds, every collective (wl.distributed.init)


def fail(name, why):
    raise SystemExit("FAIL %s: %s" % (name, why))


def batch(lib, step, size):
    """The global batch of `step` (the same on every rank and in the reference)."""
    rng = np.random.default_rng(1000 + step)
    if lib.input_kind == "tokens":
        V = lib.output_shape[-1]
        x = rng.integers(0, V, size=(size,) + lib.input_shape).astype(np.int32)
        return x, np.roll(x, -1, axis=1).astype(np.int32)
    x = rng.standard_normal((size,) + lib.input_shape).astype(np.float32)
    return x, rng.integers(0, lib.output_size, size=size).astype(np.int32)


def snapshot(model):
    """Every parameter and state tensor (the whole replica) as float32 arrays."""
    out = {n: np.array(model.params[n]) for n in model.params}
    out["_state"] = np.array(wl.distributed._span(model, "wl_state_buffer"))
    return out


# ---- ranks -------------------------------------------------------------------------------
def rank_main(a):
    import wl.distributed as wd
    rank = int(os.environ["RANK"])
    lib = wl.load_library(a.libs[min(rank, len(a.libs) - 1)] if a.mismatch else a.libs[0])
    result = {"rank": rank, "losses": []}
    out = os.path.join(a.tmp, "%s.rank%d" % (a.tag, rank))
    try:
        wd.init(timeout=TIMEOUT)
        group = None
        if a.subgroup:  # ranks 1 and 2 train in their own group; rank 0 stays out
            import torch.distributed as dist
            group = dist.new_group([1, 2])
            if rank == 0:
                result["idle"] = True
                with open(out + ".json", "w") as f:
                    json.dump(result, f)
                return 0
        model = lib.create(seed=a.seed + (rank if a.vary_seed else 0))
        dp = wd.DataParallel(model, group=group,
                             shard_step={"auto": "auto", "all": True,
                                         "none": False}[a.shard_step],
                             **({"bucket_floats": a.bucket} if a.bucket else {}))
        ran, run_pieces = set(), model.step_tensors

        def record(pieces):
            pieces = list(pieces)
            ran.update(pieces)
            return run_pieces(pieces)
        model.step_tensors = record
        result["plan"] = dp.step_plan
        if a.load:
            dp.load(a.load)
        first = model.step_count
        for s in range(first, first + a.steps):
            x, y = batch(lib, s, a.batch)
            x, y = dp.shard(x, y)
            if a.fail == "kill" and rank == 1 and s == first + 3:
                os._exit(7)
            if a.fail == "nonfinite" and rank == 1 and s == first + 3:
                x = x.copy()
                x[0, 0] = np.nan
            if a.fail == "nonfinite" and s == first + 3:
                np.savez(out + ".before.npz", **snapshot(model))
            result["t_step"] = time.time()
            result["losses"].append(dp.train_step(x, y))
            if a.save_at and model.step_count == a.save_at:
                dp.save(a.save)
            if a.fail == "diverge" and rank == 1 and s == first + 1:
                name = next(iter(model.params))
                model.params[name] = model.params[name] * np.float32(1 + 2 ** -20)
        dp.check_replicas()
        result["ran"] = sorted(ran)
        result["step"] = model.step_count
        np.savez(out + ".npz", **snapshot(model))
    except wd.DistributedError as e:
        result["error"] = str(e)
        result["seconds_to_error"] = time.time() - result.get("t_step", time.time())
        if a.fail == "nonfinite":
            np.savez(out + ".after.npz", **snapshot(model))
    with open(out + ".json", "w") as f:
        json.dump(result, f)
    return 0


# ---- the parent ----------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(args, world, tag, libs, *extra):
    """Runs `world` ranks; returns each rank's result dict (None if it wrote none)."""
    port = free_port()
    procs = []
    for r in range(world):
        env = dict(os.environ, RANK=str(r), WORLD_SIZE=str(world), LOCAL_RANK=str(r),
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1")
        cmd = [sys.executable, os.path.abspath(__file__), "--role", "rank", "--tmp", args.tmp,
               "--tag", tag, *map(str, extra), *libs]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    results = []
    for r, p in enumerate(procs):
        try:
            _, err = p.communicate(timeout=4 * TIMEOUT + 60)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            fail(tag, "rank %d hung" % r)
        path = os.path.join(args.tmp, "%s.rank%d.json" % (tag, r))
        if os.path.exists(path):
            with open(path) as f:
                results.append(json.load(f))
        else:
            results.append({"returncode": p.returncode, "stderr": err[-2000:]})
    return results


def load_npz(args, tag, rank, suffix=""):
    return dict(np.load(os.path.join(args.tmp, "%s.rank%d%s.npz" % (tag, rank, suffix))))


def reference(lib, steps, size, seed=0, start=0):
    with lib.create(seed=seed) as m:
        losses = [m.train_step(*batch(lib, s, size)) for s in range(start, start + steps)]
        return losses, snapshot(m)


def max_rel(a, b):
    return max(float(np.max(np.abs(a[k] - b[k]))) / max(1.0, float(np.max(np.abs(b[k]))))
               if b[k].size else 0.0 for k in b)


def expect_ok(name, results):
    for r in results:
        if "error" in r or "losses" not in r:
            fail(name, "rank %s: %s" % (r.get("rank"), r.get("error", r.get("stderr"))))


def compare(name, args, tag, results, ref_losses, ref_params, world, tol=2e-5):
    expect_ok(name, results)
    losses = np.array(results[0]["losses"])
    loss_err = float(np.max(np.abs(losses - np.array(ref_losses[-len(losses):]))))
    params = load_npz(args, tag, 0)
    err = max_rel(params, ref_params)
    if loss_err > tol or err > tol:
        fail(name, "loss error %.3g, parameter error %.3g (tolerance %.1g)"
             % (loss_err, err, tol))
    for r in range(1, world):
        other = load_npz(args, tag, r)
        if any(not np.array_equal(other[k], params[k]) for k in params):
            fail("replicas_identical", "rank %d differs from rank 0 after %s" % (r, tag))
    print("OK %s (loss error %.3g, parameter error %.3g)" % (name, loss_err, err))


def check_sharded(name, lib, results):
    """Each piece ran on exactly one rank, the one the plan names, and every rank ran some."""
    n = len(lib.step_tensors)
    seen = [set(r["ran"]) for r in results]
    plan = results[0]["plan"]
    for r, pieces in enumerate(seen):
        if not pieces or pieces != {k for k in range(n) if plan[k] == r}:
            fail(name, "rank %d ran pieces %s; the plan %s" % (r, sorted(pieces), plan))
    print("OK %s (%d pieces, owners %s)" % (name, n, plan))


def check_buffers(lib):
    name = "buffers_" + lib.name
    with lib.create(seed=0) as m:
        grads = wl.distributed._span(m, "wl_grad_buffer")
        params = wl.distributed._span(m, "wl_param_buffer")
        x, y = batch(lib, 0, BATCH)
        l1 = m.loss_backward(x, y)
        if abs(l1 - m.loss(x, y)) > 1e-6 or m.step_count != 0:
            fail(name, "loss_backward's loss %r vs loss %r, step %d" % (l1, m.loss(x, y),
                                                                        m.step_count))
        g1 = {n: np.array(m.grads[n]) for n in m.grads}
        total = sum(float(np.sum(g.astype(np.float64) ** 2)) for g in g1.values())
        if abs(float(np.sum(grads.astype(np.float64) ** 2)) - total) > 1e-6 * max(total, 1):
            fail(name, "the gradient buffer does not hold exactly the gradients")
        m.loss_backward(x, y)  # accumulates
        grads *= 0.5           # through the buffer: back to one batch's gradient
        err = max(float(np.max(np.abs(np.array(m.grads[n]) - g1[n]))) for n in g1)
        ptotal = sum(float(np.sum(np.array(m.params[n], np.float64) ** 2)) for n in m.params)
        perr = abs(float(np.sum(params.astype(np.float64) ** 2)) - ptotal) / ptotal
        params *= 2.0
        doubled = all(np.array_equal(np.array(m.params[n]), 2 * snap)
                      for n, snap in [(n, np.array(m.params[n]) / 2) for n in m.params])
        if err > 1e-6 or perr > 1e-6 or not doubled:
            fail(name, "gradient error %.3g, parameter sum error %.3g, writes show %s"
                 % (err, perr, doubled))
    print("OK %s (%d gradient floats, %d parameter floats)" % (name, grads.size, params.size))


def parent(args):
    os.makedirs(args.tmp, exist_ok=True)
    libs = [wl.load_library(p) for p in args.libs]
    for lib in libs:
        check_buffers(lib)
        ref_losses, ref_params = reference(lib, STEPS, BATCH)
        tag = "eq_" + lib.name
        # The first library's gradient goes through several buckets (the last one partial).
        bucket = ["--bucket", 250] if lib is libs[0] else []
        res = launch(args, 2, tag, [lib.path], "--steps", STEPS, "--batch", BATCH, *bucket)
        compare("equal_to_one_process_" + lib.name, args, tag, res, ref_losses, ref_params, 2)
        print("OK replicas_identical_%s (step plan %s)" % (lib.name, res[0]["plan"]))
        world = 3 if lib is libs[0] else 2
        if lib is libs[0] or "Muon" in lib.name or "Lora" in lib.name:
            tag = "sharded_" + lib.name
            res = launch(args, world, tag, [lib.path], "--steps", STEPS, "--batch", BATCH,
                         "--shard-step", "all")
            compare("sharded_step_" + lib.name, args, tag, res, ref_losses, ref_params, world)
            check_sharded("sharded_step_" + lib.name, lib, res)
            if world == 2:  # the same gradient sums as eq_: the same bits
                same, unsharded = load_npz(args, tag, 0), load_npz(args, "eq_" + lib.name, 0)
                if any(not np.array_equal(same[k], unsharded[k]) for k in same):
                    fail("sharded_equals_unsharded_" + lib.name, "the models differ")
                print("OK sharded_equals_unsharded_%s (bit-identical after %d steps)"
                      % (lib.name, STEPS))
        if lib is libs[0]:
            ref7 = reference(lib, STEPS, 7)
            res = launch(args, 3, "uneven", [lib.path], "--steps", STEPS, "--batch", 7)
            compare("uneven_shards_" + lib.name, args, "uneven", res, *ref7, 3)

    lib = libs[0]
    # Saved by 2 ranks after 10 steps, resumed on 3 for 10 more = 20 steps in one process.
    ckpt = os.path.join(args.tmp, "ckpt.safetensors")
    ref_losses, ref_params = reference(lib, STEPS, BATCH)
    expect_ok("resume_on_other_rank_count",
              launch(args, 2, "first", [lib.path], "--steps", 10, "--batch", BATCH,
                     "--save-at", 10, "--save", ckpt))
    res = launch(args, 3, "resumed", [lib.path], "--steps", 10, "--batch", BATCH, "--load", ckpt)
    compare("resume_on_other_rank_count", args, "resumed", res, ref_losses, ref_params, 3)

    # A process group other than the default: ranks 1 and 2 train data-parallel in their own
    # group (broadcast sources are their global ranks), every piece of the step sharded.
    muon = next(lb for lb in libs if "Muon" in lb.name)
    ref_losses, ref_params = reference(muon, STEPS, BATCH)
    res = launch(args, 3, "subgroup", [muon.path], "--steps", STEPS, "--batch", BATCH,
                 "--shard-step", "all", "--subgroup")
    if not res[0].get("idle"):
        fail("subgroup", repr(res[0]))
    expect_ok("subgroup", res[1:])
    one, two = load_npz(args, "subgroup", 1), load_npz(args, "subgroup", 2)
    loss_err = float(np.max(np.abs(np.array(res[1]["losses"]) - np.array(ref_losses))))
    err = max_rel(one, ref_params)
    if loss_err > 2e-5 or err > 2e-5 or any(not np.array_equal(one[k], two[k]) for k in one):
        fail("subgroup", "loss error %.3g, parameter error %.3g, replicas equal %s"
             % (loss_err, err, all(np.array_equal(one[k], two[k]) for k in one)))
    print("OK subgroup (ranks 1 and 2 of 3, owners %s; loss error %.3g, parameter error %.3g)"
          % (res[1]["plan"], loss_err, err))

    # Replicas created from different seeds: all take rank 0's parameters and state.
    res = launch(args, 2, "bcast", [lib.path], "--steps", 5, "--batch", BATCH, "--vary-seed")
    compare("broadcast_from_rank0", args, "bcast", res, *reference(lib, 5, BATCH), 2)

    # Rank 1 holds another model: every rank refuses to start, naming it.
    res = launch(args, 2, "mismatch", [lib.path, libs[1].path], "--steps", 2, "--batch", BATCH,
                 "--mismatch")
    msgs = [r.get("error", "") for r in res]
    if not all("rank 1 differs from rank 0" in m for m in msgs):
        fail("mismatched_model", repr(res))
    print("OK mismatched_model (%s)" % msgs[0])

    # A non-finite input on rank 1 at its 4th step: every rank stops before that step with
    # the parameters and state unchanged.
    res = launch(args, 2, "nan", [lib.path], "--steps", 6, "--batch", BATCH,
                 "--fail", "nonfinite")
    for r in res:
        if "rank 1" not in r.get("error", "") or len(r["losses"]) != 3:
            fail("nonfinite_on_one_rank", repr(r))
        before = load_npz(args, "nan", r["rank"], ".before")
        after = load_npz(args, "nan", r["rank"], ".after")
        if any(not np.array_equal(before[k], after[k]) for k in before):
            fail("nonfinite_on_one_rank", "rank %d's model changed" % r["rank"])
    print("OK nonfinite_on_one_rank (%s)" % res[0]["error"])

    # Rank 1's replica drifts (one tensor scaled by 1 + 2^-20 after step 2, a stand-in for a bug
    # or a bad memory write): check_replicas at the end stops every rank, naming it.
    res = launch(args, 2, "diverge", [lib.path], "--steps", 4, "--batch", BATCH,
                 "--fail", "diverge")
    if not all("the replicas diverged: rank 1 differs from rank 0 at step 4" in r.get("error", "")
               for r in res):
        fail("diverged_replicas", repr(res))
    print("OK diverged_replicas (%s)" % res[0]["error"])

    # Rank 1 dies before its 4th step: rank 0 stops with a message, within the timeout.
    res = launch(args, 2, "kill", [lib.path], "--steps", 6, "--batch", BATCH, "--fail", "kill")
    r0 = res[0]
    if "error" not in r0 or r0["seconds_to_error"] > TIMEOUT + 5 or res[1].get("returncode") != 7:
        fail("killed_rank", repr(res))
    print("OK killed_rank (rank 0 stopped after %.1f s: %s)"
          % (r0["seconds_to_error"], r0["error"]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("libs", nargs="+")
    p.add_argument("--role", default="parent")
    p.add_argument("--tmp", required=True)
    p.add_argument("--tag", default="")
    p.add_argument("--steps", type=int, default=STEPS)
    p.add_argument("--batch", type=int, default=BATCH)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--vary-seed", action="store_true")
    p.add_argument("--mismatch", action="store_true")
    p.add_argument("--fail", default="")
    p.add_argument("--bucket", type=int, default=0)
    p.add_argument("--shard-step", default="auto", choices=["auto", "all", "none"])
    p.add_argument("--subgroup", action="store_true")
    p.add_argument("--save-at", type=int, default=0)
    p.add_argument("--save", default="")
    p.add_argument("--load", default="")
    a = p.parse_args()
    if a.role == "rank":
        return rank_main(a)
    parent(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
