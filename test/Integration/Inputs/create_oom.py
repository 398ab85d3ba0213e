"""wl_create on allocation failure (CPU/create_oom.wl): usage  create_oom.py lib.so [cpu|cuda]

Runs a child process (plain ctypes, no numpy; OpenBLAS and OpenMP on one thread so
that no thread appears later and eats into the limit) that measures its own address
space (VmSize) after loading the library and caps it with setrlimit(RLIMIT_AS) (soft
limit only, so the child can lift it again):
  1. base + 32 MiB, far below the ~270 MiB arena: wl_create must return NULL with
     "wl_create failed: cannot allocate the arena of N floats";
  2. base + arena + 1 MiB: the arena fits, the orthogonal init's 4 MiB scratch
     (fc2.weight [128, 4096] in float64) does not: NULL with "wl_create failed: out of
     memory" (std::bad_alloc caught);
  3. limit lifted: wl_create succeeds in the same process and a training step works.
A crash or abort of the child (instead of NULL) fails the test."""
import ctypes
import json
import os
import resource
import subprocess
import sys

MIB = 1 << 20


def vm_size():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def child(path):
    d = ctypes.CDLL(path)
    d.wl_create.restype, d.wl_create.argtypes = ctypes.c_void_p, [ctypes.c_uint64]
    d.wl_last_error.restype, d.wl_last_error.argtypes = ctypes.c_char_p, [ctypes.c_void_p]
    d.wl_destroy.restype, d.wl_destroy.argtypes = None, [ctypes.c_void_p]
    d.wl_train_step.restype = ctypes.c_int
    d.wl_train_step.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                ctypes.c_void_p]
    d.wl_input_size.restype = ctypes.c_int64
    n_in = d.wl_input_size()  # parses the metadata before the limit
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    out = {}

    def attempt(extra):
        base = vm_size()
        resource.setrlimit(resource.RLIMIT_AS, (base + extra, hard))
        try:
            m = d.wl_create(1)
            msg = d.wl_last_error(None).decode(errors="replace")
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        if m:
            d.wl_destroy(m)
        return {"base": base, "null": not m, "message": msg}

    out["arena"] = attempt(32 * MIB)
    msg = out["arena"]["message"]
    prefix = "wl_create failed: cannot allocate the arena of "
    floats = int(msg[len(prefix):].split()[0]) if msg.startswith(prefix) else 0
    if floats:
        out["init"] = attempt(floats * 4 + 1 * MIB)
    # Limit lifted: the same process creates and trains the model.
    m = d.wl_create(1)
    out["recovered"] = bool(m)
    if m:
        x = (ctypes.c_float * (2 * n_in))(*([0.5] * (2 * n_in)))
        labels = (ctypes.c_int32 * 2)(1, 7)
        loss = ctypes.c_float(float("nan"))
        out["train_status"] = d.wl_train_step(m, x, labels, 2, ctypes.byref(loss))
        out["loss"] = loss.value
        d.wl_destroy(m)
    print(json.dumps(out))


def main(path):
    import wlcheck
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", path], env=env,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise wlcheck.Failure("the child died (status %d) instead of getting NULL:\n%s%s"
                              % (r.returncode, r.stdout, r.stderr[-2000:]))
    out = json.loads(r.stdout.strip().splitlines()[-1])
    print(json.dumps(out, indent=1))
    a = out["arena"]
    wlcheck.expect(a["null"], "arena_alloc_failure_null", "wl_create succeeded under the limit: %r" % a)
    wlcheck.expect(a["message"].startswith("wl_create failed: cannot allocate the arena of ")
                   and int(a["message"].split()[-2]) > 64 * MIB // 4,
                   "arena_alloc_failure_message", "message %r" % a["message"])
    i = out.get("init", {})
    wlcheck.expect(i.get("null") and i.get("message", "") == "wl_create failed: out of memory",
                   "init_alloc_failure_null", "%r" % i)
    wlcheck.expect(out["recovered"] and out.get("train_status") == 0 and out["loss"] == out["loss"],
                   "recovers_after_limit_lifted", "%r" % out)


if __name__ == "__main__":
    if sys.argv[1] == "--child":
        child(sys.argv[2])
    elif sys.argv[2:3] == ["cuda"]:
        print("SKIP create_oom: a cuda library's arena is managed memory, not bounded by "
              "RLIMIT_AS")
    else:
        try:
            main(sys.argv[1])
        except Exception as e:
            print("FAIL", e, file=sys.stderr)
            sys.exit(1)
