"""No hidden global state (CPU/concurrency.wl): usage  concurrency.py DIR

DIR holds concurrent.so (model Concurrent) and adapters.so (ConcurrentAdapters).
Three jobs: model A (Concurrent, seed 1, data stream 11), model B (Concurrent, seed 2,
data stream 22), model C (ConcurrentAdapters, seed 3, data stream 33). Each job creates
its model, takes STEPS training steps, then runs forward, loss, backward (dx and
gradients), every effective weight, the Lipschitz and per-layer bounds, wl_save,
wl_export_dense and wl_load of its own checkpoint, and one more step; everything it
computes is recorded as bytes.

The jobs run once one after the other (twice: the reference must repeat), then ROUNDS
times in three threads at once. ctypes releases the GIL inside every call, and a
barrier before each call makes the three threads enter the library together, so the
calls overlap (measured: the test fails if they did not). Every record must be
bit-identical to the sequential one. Errors: each thread provokes a NULL-model error
of its own between two barriers and must read back its own message from
wl_last_error(NULL); one thread's model error (an unknown parameter name) must not
appear on the other models. Finally a fresh process creates models from three threads
as its very first calls into the library (the metadata is parsed on first use)."""
import ctypes
import hashlib
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np

import wlcheck
import wlharness

STEPS, BATCH, ROUNDS = 4, 64, 3
JOBS = [("A", "concurrent.so", 1, 11), ("B", "concurrent.so", 2, 22),
        ("C", "adapters.so", 3, 33)]


class Job:
    """One model's work; `sync()` is called before every library call."""

    def __init__(self, lib, name, seed, data_seed, workdir, sync=lambda: None, log=None):
        self.lib, self.name, self.seed, self.data_seed = lib, name, seed, data_seed
        self.workdir, self.sync, self.log = workdir, sync, log
        self.records = []  # (what, bytes)
        self.errors = []   # problems seen by the error checks

    def rec(self, what, value):
        if isinstance(value, np.ndarray):
            value = value.tobytes()
        elif isinstance(value, float):
            value = np.float64(value).tobytes()
        self.records.append((what, value))

    def call(self, fn, *args, sync=True):
        if sync:  # (every job must sync equally often)
            self.sync()
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            if self.log is not None:
                self.log.append((t0, time.perf_counter()))

    def run(self, check_errors=False):
        lib, rng = self.lib, np.random.default_rng(self.data_seed)
        n_in, n_out = lib.input_size, lib.output_size
        m = self.call(lib.create, self.seed)
        self.rec("create", b"".join(v.tobytes() for v in m.params().values()))
        for s in range(STEPS):
            x = rng.standard_normal((BATCH, n_in), dtype=np.float32)
            y = rng.integers(0, n_out, BATCH).astype(np.int32)
            self.rec("loss%d" % s, self.call(m.train_step, x, y))
            if check_errors:
                self.check_errors(m, s)
        for name, value in m.params().items():
            self.rec("param " + name, value)
        x = rng.standard_normal((BATCH, n_in), dtype=np.float32)
        y = rng.integers(0, n_out, BATCH).astype(np.int32)
        self.rec("forward", self.call(m.forward, x))
        self.rec("eval loss", self.call(m.loss, x, y))
        self.call(m.zero_grad)
        dy = rng.standard_normal((BATCH, n_out), dtype=np.float32)
        self.rec("dx", self.call(m.backward, x, dy))
        for name, value in m.grads().items():
            self.rec("grad " + name, value)
        d = lib.dll
        for i in range(d.wl_num_layers()):
            layer = d.wl_layer_name(i).decode()
            shape = (d.wl_layer_out_size(i), d.wl_layer_in_size(i))
            self.rec("weight " + layer, self.call(m.get_weight, layer, shape, sync=False))
            self.rec("bound " + layer, self.call(m.layer_spectral_bound, layer, sync=False))
        self.rec("lipschitz", self.call(m.lipschitz_bound))
        ck = os.path.join(self.workdir, self.name + ".safetensors")
        self.call(m.save, ck)
        with open(ck, "rb") as f:
            self.rec("checkpoint", f.read())
        ex = os.path.join(self.workdir, self.name + ".export.safetensors")
        self.sync()
        st = d.wl_export_dense(m.h, ex.encode())
        if st != 0:
            raise RuntimeError("wl_export_dense: " + m.last_error())
        with open(ex, "rb") as f:
            self.rec("export", f.read())
        self.call(m.load, ck)
        x = rng.standard_normal((BATCH, n_in), dtype=np.float32)
        y = rng.integers(0, n_out, BATCH).astype(np.int32)
        self.rec("loss after load", self.call(m.train_step, x, y))
        self.rec("step count", np.int64(m.step_count()).tobytes())
        m.close()

    def check_errors(self, m, s):
        """Between two barriers every thread records its own NULL-model error, then
        reads wl_last_error(NULL): a shared string would hold another thread's."""
        d = self.lib.dll
        self.sync()
        if self.name == "A":
            d.wl_zero_grad(None)
            want = "wl_zero_grad: model is NULL"
        elif self.name == "B":
            d.wl_step(None)
            want = "wl_step: model is NULL"
        else:
            d.wl_forward(None, None, 1, None)
            want = "wl_forward: model is NULL"
        self.sync()
        got = d.wl_last_error(None).decode()
        if got != want:
            self.errors.append("step %d: thread %s read %r from wl_last_error(NULL), want %r"
                               % (s, self.name, got, want))
        # A model error on A only; B's and C's models must not see it.
        if self.name == "A":
            out = (ctypes.c_float * 1)()
            if m.call("wl_get_param", b"no.such.param.%d" % s, out) == 0:
                self.errors.append("wl_get_param of an unknown name succeeded")
            if "no.such.param.%d" % s not in m.last_error():
                self.errors.append("A's model error is %r" % m.last_error())
        self.sync()
        if self.name != "A" and m.last_error():
            self.errors.append("model %s has the error %r" % (self.name, m.last_error()))


def first_difference(a, b):
    for (wa, va), (wb, vb) in zip(a, b):
        if wa != wb:
            return "record order differs: %s vs %s" % (wa, wb)
        if va != vb:
            return "first difference: %s" % wa
    if len(a) != len(b):
        return "record counts %d vs %d" % (len(a), len(b))
    return None


def overlap(intervals):
    """Seconds during which at least two of the threads were inside the library."""
    events = sorted([(t0, 1) for t0, _ in intervals] + [(t1, -1) for _, t1 in intervals])
    inside, total, last = 0, 0.0, None
    for t, delta in events:
        if inside >= 2:
            total += t - last
        inside += delta
        last = t
    return total


def first_create_child(d, workdir):
    """Three threads' wl_create are the first calls into a fresh library."""
    dll = ctypes.CDLL(os.path.join(d, "concurrent.so"))
    dll.wl_create.restype, dll.wl_create.argtypes = ctypes.c_void_p, [ctypes.c_uint64]
    dll.wl_save.restype, dll.wl_save.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]
    dll.wl_destroy.argtypes = [ctypes.c_void_p]
    barrier = threading.Barrier(3, timeout=120)
    status = {}

    def create(i, seed):
        barrier.wait()
        m = dll.wl_create(seed)
        path = os.path.join(workdir, "first-%d-%d.safetensors" % (i, seed))
        status[i] = dll.wl_save(m, path.encode()) if m else -1
        if m:
            dll.wl_destroy(m)

    threads = [threading.Thread(target=create, args=(i, s)) for i, s in enumerate((1, 2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(status))


def main(d):
    workdir = os.path.join(d, "work")
    os.makedirs(workdir, exist_ok=True)
    libs = {so: wlharness.Library(os.path.join(d, so)) for so in ("concurrent.so", "adapters.so")}
    t0 = time.perf_counter()

    def sequential(tag):
        out = {}
        for name, so, seed, data_seed in JOBS:
            wd = os.path.join(workdir, tag)
            os.makedirs(wd, exist_ok=True)
            job = Job(libs[so], name, seed, data_seed, wd)
            job.run()
            out[name] = job.records
        return out

    ref = sequential("seq1")
    t_seq = time.perf_counter() - t0
    again = sequential("seq2")
    diffs = {n: first_difference(ref[n], again[n]) for n in ref}
    wlcheck.expect(not any(diffs.values()), "sequential_repeatable", repr(diffs))
    wlcheck.expect(ref["A"] != ref["B"], "jobs_differ", "A and B computed the same")

    total_overlap, total_busy, errors = 0.0, 0.0, []
    for r in range(1, ROUNDS + 1):
        barrier = threading.Barrier(len(JOBS), timeout=120)
        log = []
        jobs = []
        for name, so, seed, data_seed in JOBS:
            wd = os.path.join(workdir, "round%d" % r)
            os.makedirs(wd, exist_ok=True)
            jobs.append(Job(libs[so], name, seed, data_seed, wd, sync=barrier.wait, log=log))
        failures = []

        def runner(job):
            try:
                job.run(check_errors=True)
            except Exception as e:  # report, and free the others from the barrier
                failures.append("%s: %r" % (job.name, e))
                barrier.abort()

        t1 = time.perf_counter()
        threads = [threading.Thread(target=runner, args=(j,)) for j in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t_round = time.perf_counter() - t1
        if failures:
            raise wlcheck.Failure("round %d: %s" % (r, failures))
        diffs = {j.name: first_difference(ref[j.name], j.records) for j in jobs}
        wlcheck.expect(not any(diffs.values()), "concurrent_round_%d_bitwise" % r, repr(diffs))
        total_overlap += overlap(log)
        total_busy += sum(t1 - t0 for t0, t1 in log)
        errors += [e for j in jobs for e in j.errors]
        print("  round %d: %.2f s (sequential %.2f s), %d calls" % (r, t_round, t_seq, len(log)))
    # Two or more threads were inside the library for a good part of the time.
    print("  overlap %.2f s of %.2f s of calls" % (total_overlap, total_busy))
    wlcheck.expect(total_overlap > 0.2 * total_busy / len(JOBS), "calls_overlapped",
                   "overlap %.3f s, calls %.3f s" % (total_overlap, total_busy))
    null_errors = [e for e in errors if "wl_last_error(NULL)" in e]
    wlcheck.expect(not null_errors, "thread_local_errors", "; ".join(null_errors[:5]))
    model_errors = [e for e in errors if e not in null_errors]
    wlcheck.expect(not model_errors, "model_errors_stay_on_model", "; ".join(model_errors[:5]))

    # Racing first calls into a fresh library (a new process).
    fw = os.path.join(workdir, "first")
    os.makedirs(fw, exist_ok=True)
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--first-create", d, fw],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise wlcheck.Failure("first-create child failed:\n%s%s" % (r.stdout, r.stderr[-3000:]))
    status = json.loads(r.stdout.strip().splitlines()[-1])
    lib = libs["concurrent.so"]
    same = True
    for i, seed in enumerate((1, 2, 1)):
        p = os.path.join(fw, "ref-%d.safetensors" % seed)
        lib.create(seed).save(p)
        with open(p, "rb") as f, open(os.path.join(fw, "first-%d-%d.safetensors" % (i, seed)),
                                      "rb") as g:
            same = same and f.read() == g.read()
    wlcheck.expect(status == {"0": 0, "1": 0, "2": 0} and same, "concurrent_first_create",
                   "status %r, checkpoints equal %s" % (status, same))

    # Two threads saving two models to one path: every save succeeds (each thread
    # writes its own temporary) and the file is always one whole checkpoint.
    target = os.path.join(fw, "shared.safetensors")
    models = [lib.create(seed) for seed in (1, 2)]
    wholes = []
    for i, mdl in enumerate(models):
        p = os.path.join(fw, "whole-%d.safetensors" % i)
        mdl.save(p)
        with open(p, "rb") as f:
            wholes.append(f.read())
    statuses = [[], []]

    def saver(i):
        for _ in range(100):
            statuses[i].append(models[i].call("wl_save", target.encode()))

    threads = [threading.Thread(target=saver, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(target, "rb") as f:
        final = f.read()
    leftovers = [n for n in os.listdir(fw) if ".tmp." in n]
    wlcheck.expect(all(st == 0 for sts in statuses for st in sts) and final in wholes
                   and not leftovers, "concurrent_saves_same_path",
                   "statuses %r, final is a whole checkpoint %s, temporaries %r"
                   % (sorted(set(statuses[0] + statuses[1])), final in wholes, leftovers))


if __name__ == "__main__":
    if sys.argv[1] == "--first-create":
        first_create_child(sys.argv[2], sys.argv[3])
    else:
        try:
            main(sys.argv[1])
        except wlcheck.Failure as e:
            print("FAIL", e, file=sys.stderr)
            sys.exit(1)
