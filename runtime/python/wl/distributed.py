"""Data-parallel training of a wl model on torch.distributed (gloo on CPU).

Every rank holds a full replica. A training step runs the generated forward and backward
on the rank's shard of the batch, sums the gradients of all ranks with
``torch.distributed.all_reduce`` directly in the model's gradient storage (wl_grad_buffer:
one contiguous span, reduced in buckets, no copies), divides by the global batch, and runs
the generated step. The replicas stay bit-identical: they start from rank 0's parameters
and state (broadcast at construction) and apply the same update.

The step itself is sharded where it pays (shard_step, plan_step): the update of a tensor
whose cost outweighs broadcasting it (Muon's Newton-Schulz, SVD-based projections) is
computed by one rank, balanced by the compiler's cost estimates, and broadcast in place
from there while the next ones are computed (wl_step_tensors, wl_step_tensor_buffers);
cheap elementwise updates run on every rank; then every rank runs the end-of-step work
(wl_step_finish: product clips of two factors, SST rounds) and the step guard's check.

    import torch.distributed as dist, wl, wl.distributed
    wl.distributed.init()                       # from torchrun's environment (gloo)
    model = wl.distributed.DataParallel(wl.compile("model.wl").create(seed=0))
    for x, y in batches:                        # the same global batch on every rank ...
        loss = model.train_step(*model.shard(x, y))   # ... of which each rank takes its part

Launch with ``torchrun --nproc-per-node N script.py`` or ``wl-train --nproc N``
(runtime/python/README.md, "Distributed training").
"""
import atexit
import ctypes
import datetime
import hashlib
import math
import os

from ._abi import WLError, float_view

__all__ = ["DistributedError", "DataParallel", "init", "is_distributed", "plan_step"]

#: floats per all-reduce bucket (16 MiB): large enough to amortise a collective's latency,
#: small enough that the first buckets are reduced while later ones are still queued.
DEFAULT_BUCKET_FLOATS = 1 << 22

#: shard_step="auto" hands a tensor's update to one rank when the compiler's estimate of its
#: flops per float it writes (parameter and state, which the owner then broadcasts) exceeds
#: this: about what a float costs to broadcast over gloo (4.6 ms per 4 MiB here, ~4 ns per
#: float) at a core's sustained ~50 GFLOP/s. Elementwise updates (AdamW: ~10) stay on every
#: rank; Muon's Newton-Schulz and SVD-based projections of matrices go to one.
SHARD_FLOPS_PER_FLOAT = 256.0


class DistributedError(RuntimeError):
    """A distributed step cannot go on: a peer rank stopped or timed out, a rank's loss is
    not finite, or the ranks disagree about the model. Every rank raises it."""


def _dist():
    try:
        import torch.distributed as dist
    except ImportError as e:  # pragma: no cover - Debian's python3-torch ships it
        raise DistributedError("wl.distributed needs PyTorch (python3-torch): %s" % e) from None
    if not dist.is_available():
        raise DistributedError("this PyTorch was built without torch.distributed")
    return dist


def is_distributed():
    """True when this process was started as one of several ranks (torchrun's WORLD_SIZE)."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init(backend="gloo", timeout=60.0):
    """Joins the process group described by torchrun's environment (RANK, WORLD_SIZE,
    MASTER_ADDR, MASTER_PORT) unless already joined; returns (rank, world size).
    ``timeout`` (seconds) bounds every collective: a rank that died or hangs ends the others
    with a DistributedError after at most that long instead of a hang."""
    dist = _dist()
    if not dist.is_initialized():
        for key in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
            if key not in os.environ:
                raise DistributedError("wl.distributed.init: %s is not set; start the ranks "
                                       "with torchrun or wl-train --nproc" % key)
        dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout))
        atexit.register(_leave, dist)
    return dist.get_rank(), dist.get_world_size()


def _leave(dist):
    """Leaves the group at exit: a gloo group still alive when the interpreter tears down can
    abort the process ("terminate called without an active exception")."""
    try:
        if dist.is_initialized():
            dist.destroy_process_group()
    except Exception:  # a peer already gone: nothing left to close cleanly
        pass


def _span(model, fn):
    """The arena span wl_<fn> names, as a float32 numpy array sharing the model's memory."""
    lib = model.lib
    c_fn = lib._need(fn)
    ptr, count = ctypes.POINTER(ctypes.c_float)(), ctypes.c_int64(-1)
    model._check(fn, c_fn(model._h(), ctypes.byref(ptr), ctypes.byref(count)))
    return float_view(ptr, count)


def plan_step(costs, world_size, shard_step="auto"):
    """Which rank computes each piece of a sharded step. `costs`: (flops, floats written) per
    piece (Library.step_tensors' estimates, Model.step_tensor_buffers' sizes). Returns the
    owner rank of each piece, -1 for a piece every rank computes itself: shard_step=True
    shards every piece, False none, "auto" those whose flops per float exceed
    SHARD_FLOPS_PER_FLOAT. Sharded pieces go to ranks greedily, largest first, each to the
    least loaded rank (ties: the lower piece and rank index), so every rank computes the same
    plan."""
    if shard_step not in (True, False, "auto"):
        raise ValueError('shard_step must be True, False or "auto" (got %r)' % (shard_step,))
    owners = [-1] * len(costs)
    sharded = [k for k, (flops, floats) in enumerate(costs)
               if shard_step is True or (shard_step == "auto" and
                                         flops > SHARD_FLOPS_PER_FLOAT * max(floats, 1))]
    load = [0.0] * world_size
    for k in sorted(sharded, key=lambda k: (-costs[k][0], k)):
        r = min(range(world_size), key=lambda r: (load[r], r))
        owners[k] = r
        load[r] += costs[k][0]
    return owners


def fingerprint(model):
    """What must agree across ranks: the library's bytes (the .wl and wlc that built it),
    the parameter list and the step count."""
    lib = model.lib
    h = hashlib.sha256()
    with open(lib.path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"model": lib.name, "library": h.hexdigest(),
            "params": [(p.name, tuple(p.shape), p.trainable) for p in lib.params],
            "step": int(model.step_count)}


class DataParallel:
    """A wl.Model trained data-parallel across the ranks of a torch.distributed group.

    Construction is collective: every rank checks that all ranks hold the same model (the
    same library bytes, parameters and step count; a DistributedError names the ranks that
    differ) and takes rank 0's parameters and optimizer state. Other attributes (forward,
    loss, weight, params, lipschitz_bound, ...) are the wrapped model's.
    """

    def __init__(self, model, group=None, bucket_floats=DEFAULT_BUCKET_FLOATS,
                 shard_step="auto"):
        import torch
        self._torch = torch
        self._dist = dist = _dist()
        if not dist.is_initialized():
            raise DistributedError("DataParallel: call wl.distributed.init() (or "
                                   "torch.distributed.init_process_group) first")
        if int(bucket_floats) < 1:
            raise ValueError("bucket_floats must be >= 1 (got %r)" % (bucket_floats,))
        self.model = model
        self.group = group
        self.rank = dist.get_rank(group)
        self.world_size = dist.get_world_size(group)
        self.bucket_floats = int(bucket_floats)
        # Zero-copy views of the arena: collectives read and write the model's own memory.
        self._grads = torch.from_numpy(_span(model, "wl_grad_buffer"))
        self._spans = [_span(model, fn) for fn in ("wl_param_buffer", "wl_state_buffer")]
        self._state = [torch.from_numpy(s) for s in self._spans]
        # The step's pieces (one per trainable tensor), each computed by its owner rank and
        # broadcast from there in place, or by every rank (owner -1): plan_step.
        pieces = [model.step_tensor_buffers(k) for k in range(len(model.lib.step_tensors))] \
            if model.lib.step_tensors else []
        #: the owner rank of each piece of the step (-1: every rank), see plan_step
        self.step_plan = plan_step([(t.flops, sum(b.size for b in bufs)) for t, bufs in
                                    zip(model.lib.step_tensors, pieces)],
                                   self.world_size, shard_step) if pieces else []
        self._piece_tensors = [[torch.from_numpy(b) for b in bufs if b.size] for bufs in pieces]
        self._check_same_model()
        root = self._global(0)
        for t in self._state:
            self._collective("broadcast of rank 0's parameters and state",
                             lambda t=t: [dist.broadcast(b, root, group=group, async_op=True)
                                          for b in self._buckets(t)])

    # -- the step ------------------------------------------------------------------------
    def shard(self, x, y):
        """This rank's part of a global batch (x, y): contiguous, nearly equal slices in
        rank order (np.array_split), so concatenating the ranks' shards gives the batch."""
        n = len(x)
        if len(y) != n:
            raise ValueError("shard: x has %d examples but y has %d" % (n, len(y)))
        lo = n * self.rank // self.world_size
        hi = n * (self.rank + 1) // self.world_size
        return x[lo:hi], y[lo:hi]

    def train_step(self, x, y):
        """zero_grad, then loss and gradients of this rank's shard (x, y), summed over the
        ranks and divided by the global batch, then the generated step on every rank.
        Returns the global batch's mean loss (the same on every rank). A shard may be
        empty; the global batch may not."""
        torch, m = self._torch, self.model
        m.zero_grad()
        b, loss, local_error = len(x), 0.0, None
        if b:
            try:
                loss = m.loss_backward(x, y)
            except WLError as e:  # a bad input: still join the collective, then all stop
                loss, local_error = float("nan"), e
        # Sum, not mean: scale the shard's mean-loss gradient by its size, divide by the
        # global batch once it is known.
        if b != 1:
            self._grads.mul_(float(b))
        stats = torch.zeros(2 + self.world_size, dtype=torch.float64)
        stats[0], stats[1] = loss * b, b
        stats[2 + self.rank] = 0.0 if math.isfinite(loss) else 1.0
        step = m.step_count + 1

        def reduce():
            works = [self._dist.all_reduce(stats, group=self.group, async_op=True)]
            works += [self._dist.all_reduce(g, group=self.group, async_op=True)
                      for g in self._buckets(self._grads)]
            return works
        self._collective("gradient all-reduce of step %d" % step, reduce)
        bad = [r for r in range(self.world_size) if stats[2 + r] != 0]
        if bad:
            m.zero_grad()
            raise DistributedError(
                "step %d: rank%s %s had no finite loss and gradients%s; every rank stops "
                "before the step (parameters and state unchanged)"
                % (step, "s" if len(bad) > 1 else "", ", ".join(map(str, bad)),
                   " (here: %s)" % local_error if local_error else ""))
        total = float(stats[1])
        if total <= 0:
            raise ValueError("train_step: the global batch is empty")
        self._grads.mul_(1.0 / total)
        if any(owner >= 0 for owner in self.step_plan):
            self._sharded_step(step)
        else:
            m.step()
        return float(stats[0]) / total

    def _sharded_step(self, step):
        """The step with each sharded piece computed by its owner and broadcast in place
        (parameter and state) while the next pieces are computed; then the end-of-step
        work (product clips, SST rounds) and the step guard's check on every rank."""
        m, dist = self.model, self._dist
        m.step_tensors([k for k, owner in enumerate(self.step_plan) if owner < 0])

        def compute_and_broadcast():
            works = []
            for k, owner in enumerate(self.step_plan):
                if owner < 0:
                    continue
                if owner == self.rank:
                    m.step_tensors([k])
                works += [dist.broadcast(t, self._global(owner), group=self.group, async_op=True)
                          for t in self._piece_tensors[k]]
            return works
        self._collective("the broadcasts of step %d's updates" % step, compute_and_broadcast)
        m.step_finish()

    # -- checkpoints ---------------------------------------------------------------------
    def check_replicas(self):
        """Raises DistributedError unless every rank's parameters, optimizer state and step
        count are bit-identical to rank 0's (a sha256 of each rank's spans, all-gathered;
        one pass over the model's memory, no copy). save() checks before writing."""
        h = hashlib.sha256(str(self.model.step_count).encode())
        for span in self._spans:
            h.update(memoryview(span))
        everyone = self._gather("comparing the replicas", h.hexdigest())
        differ = [r for r, d in enumerate(everyone) if d != everyone[0]]
        if differ:
            raise DistributedError(
                "the replicas diverged: rank%s %s differ%s from rank 0 at step %d (parameters, "
                "state or step count)" % ("s" if len(differ) > 1 else "",
                                          ", ".join(map(str, differ)),
                                          "" if len(differ) > 1 else "s",
                                          self.model.step_count))

    def save(self, path):
        """Checks that the replicas agree (check_replicas), then rank 0 writes the checkpoint
        (Model.save, atomic); every rank returns once it is on disk. It holds the whole
        model, so it resumes on any number of ranks."""
        self.check_replicas()
        if self.rank == 0:
            self.model.save(path)
        self.barrier("saving %s" % os.fspath(path))

    def load(self, path):
        """Every rank loads the checkpoint (then checks that they agree)."""
        self.model.load(path)
        self._check_same_model()

    def barrier(self, what="a barrier"):
        self._collective(what, lambda: [self._dist.barrier(group=self.group, async_op=True)])

    # -- helpers -------------------------------------------------------------------------
    def _global(self, rank):
        """The global rank of the group's `rank` (a broadcast's source is a global rank)."""
        return rank if self.group is None else self._dist.get_global_rank(self.group, rank)

    def _buckets(self, flat):
        return [flat[i:i + self.bucket_floats] for i in range(0, flat.numel(), self.bucket_floats)]

    def _collective(self, what, start):
        """Runs the async collectives `start()` returns and waits for them; a failure (a
        dead peer, the group's timeout) becomes a DistributedError saying what was running."""
        try:
            for work in start():
                work.wait()
        except WLError:  # this rank's own call failed, not a peer
            raise
        except RuntimeError as e:
            raise DistributedError("rank %d: %s failed: another rank stopped or did not answer "
                                   "within the timeout (%s)" % (self.rank, what, e)) from None

    def _gather(self, what, obj):
        """Every rank's `obj` (all_gather_object), in rank order; a failure is a
        DistributedError saying what was running."""
        everyone = [None] * self.world_size
        try:
            self._dist.all_gather_object(everyone, obj, group=self.group)
        except RuntimeError as e:
            raise DistributedError("rank %d: %s failed: another rank stopped or did not "
                                   "answer (%s)" % (self.rank, what, e)) from None
        return everyone

    def _check_same_model(self):
        everyone = self._gather("comparing the ranks' models", fingerprint(self.model))
        for key, what in (("model", "model name"), ("library", "library (a different .wl or "
                                                              "wlc)"),
                          ("params", "parameters"), ("step", "step count")):
            differ = [r for r, f in enumerate(everyone) if f[key] != everyone[0][key]]
            if differ:
                raise DistributedError(
                    "the ranks do not hold the same model: rank%s %s differ%s from rank 0 in "
                    "the %s (%r vs %r)"
                    % ("s" if len(differ) > 1 else "", ", ".join(map(str, differ)),
                       "" if len(differ) > 1 else "s", what, everyone[differ[0]][key],
                       everyone[0][key]))

    def __getattr__(self, name):
        return getattr(self.model, name)

    def __repr__(self):
        return "<wl.distributed.DataParallel rank %d/%d of %r>" % (
            self.rank, self.world_size, self.model)

