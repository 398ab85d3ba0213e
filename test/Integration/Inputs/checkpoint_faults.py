"""Checkpoint faults (CPU/checkpoint_faults.wl): usage  checkpoint_faults.py DIR

DIR holds faults.so (model Faults) and wide.so, nobias.so, extra.so, sgd.so (other
models). Every save failure must return WL_ERR_IO with a message naming the path and
the system's reason, leave the previous checkpoint at that path byte-identical and
leave no temporary file ("<path>.tmp.<pid>.<tid>") behind. Save failures run in child
processes: an unprivileged user (uid/gid 65534 when run as root) for the unwritable
directory, setrlimit(RLIMIT_FSIZE) with SIGXFSZ ignored (write() fails with EFBIG) for
the file-size limit, and a private mount namespace holding a 32 KiB tmpfs (ENOSPC) for
the full disk (SKIP where `unshare -m` or the mount is refused).

Every rejected load must return the documented status (WL_ERR_SHAPE for dtype, shape and
size mismatches, WL_ERR_IO for the rest) with a message naming the file and the first
mismatch, and leave the model unchanged: its own wl_save bytes (parameters, optimizer
state, step count) are compared before and after. "First mismatch": the model name in
__metadata__ first, then the tensors in the file's header order (an unexpected name, a
dtype, shape, size or offset error), then overlapping data, then the model's tensors
that the file lacks (in checkpoint order)."""
import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys

import numpy as np

import wlcheck
import wlharness
from safetensors_raw import edited, header_length, join, relength, split
from wlharness import WL_ERR_IO, WL_ERR_SHAPE, WL_OK, STATUS_NAMES

BATCH = 16


def batch(seed):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((BATCH, 8), dtype=np.float32),
            rng.integers(0, 4, BATCH).astype(np.int32))


def trained(lib, seed, steps):
    m = lib.create(seed=seed)
    for s in range(steps):
        m.train_step(*batch(100 + s))
    return m


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


# -- safetensors surgery (keeps the header's member order): safetensors_raw -------------
def renamed(data, model):
    header, body = split(data)
    header["__metadata__"]["model"] = model
    return join(header, body)


# -- save failures, in children --------------------------------------------------------
def save_child(lib_path, scenario, path, arg):
    """Trains a model to a state other than the existing checkpoint's, then attempts
    wl_save(path) under the scenario; prints JSON {status, message, pid}."""
    lib = wlharness.Library(lib_path)
    m = trained(lib, 1, 5)  # the parent's checkpoint is this model after 3 steps
    if scenario == "unwritable":
        if os.geteuid() == 0:  # root ignores permissions: become nobody
            try:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            except OSError as e:  # e.g. a user namespace that maps only uid 0
                print(json.dumps({"skip": "cannot drop root privileges: %s" % e}))
                return
    elif scenario == "fsize":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(arg), int(arg)))
    st = m.call("wl_save", path.encode())
    print(json.dumps({"status": st, "message": m.last_error(), "pid": os.getpid()}))


def enospc_child(lib_path, mnt):
    """In a private mount namespace: a 32 KiB tmpfs on `mnt`, a first checkpoint
    (19.5 KB) fits, the second (another temporary of the same size) does not."""
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", mnt],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(json.dumps({"skip": "mount -t tmpfs refused: " + r.stderr.strip()}))
        return
    lib = wlharness.Library(lib_path)
    path = os.path.join(mnt, "ckpt.safetensors")
    m = trained(lib, 1, 3)
    m.save(path)
    old = read(path)
    m.train_step(*batch(7))
    st = m.call("wl_save", path.encode())
    out = {"status": st, "message": m.last_error(), "pid": os.getpid(),
           "intact": read(path) == old, "listing": sorted(os.listdir(mnt))}
    subprocess.run(["umount", mnt])
    print(json.dumps(out))


def run_child(args, env=None):
    r = subprocess.run([sys.executable, os.path.abspath(__file__)] + args, capture_output=True,
                       text=True, env=env, timeout=120)
    if r.returncode != 0:
        raise wlcheck.Failure("child %r failed (%d):\n%s%s" % (args, r.returncode, r.stdout,
                                                               r.stderr[-3000:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


def check_save_failure(name, out, path, old, errtext, where=None):
    msg = out["message"] or ""
    tmp = "%s.tmp.%d.<tid>" % (path, out["pid"])
    left = sorted(os.listdir(os.path.dirname(path)))
    ok = (out["status"] == WL_ERR_IO and msg.startswith("wl_save: ") and path in msg
          and errtext in msg and (where is None or where in msg) and read(path) == old
          and left == [os.path.basename(path)])
    wlcheck.expect(ok, name, "status %s, message %r (want %r, %r), file intact %s, directory %r"
                   % (STATUS_NAMES.get(out["status"], out["status"]), msg, errtext, tmp,
                      read(path) == old, left))
    print("  message: %s" % msg)


def save_failures(d, work):
    lib_path = os.path.join(d, "faults.so")
    lib = wlharness.Library(lib_path)
    a = trained(lib, 1, 3)

    # Control: the child's state differs from the checkpoint's, and a save that may
    # succeed replaces the file (so "intact" below means something).
    ctl = os.path.join(work, "control")
    os.makedirs(ctl)
    path = os.path.join(ctl, "ckpt.safetensors")
    a.save(path)
    old = read(path)
    out = run_child(["--save-child", lib_path, "plain", path, "0"])
    wlcheck.expect(out["status"] == WL_OK and read(path) != old and len(read(path)) == len(old)
                   and os.listdir(ctl) == ["ckpt.safetensors"], "roundtrip_control", repr(out))
    newer = read(path)

    # A directory that does not exist.
    missing = os.path.join(work, "no-such-dir", "ckpt.safetensors")
    out = run_child(["--save-child", lib_path, "plain", missing, "0"])
    msg = out["message"] or ""
    wlcheck.expect(out["status"] == WL_ERR_IO and missing in msg and "cannot create" in msg
                   and "No such file or directory" in msg
                   and not os.path.exists(os.path.dirname(missing)), "save_missing_dir", repr(out))
    print("  message: %s" % msg)

    # An unwritable directory holding the previous checkpoint.
    ro = os.path.join(work, "readonly")
    os.makedirs(ro)
    path = os.path.join(ro, "ckpt.safetensors")
    a.save(path)
    old = read(path)
    os.chmod(ro, 0o555)
    try:
        out = run_child(["--save-child", lib_path, "unwritable", path, "0"])
    finally:
        os.chmod(ro, 0o755)
    if "skip" in out:
        print("SKIP save_unwritable_dir (%s)" % out["skip"])
    else:
        check_save_failure("save_unwritable_dir", out, path, old, "Permission denied",
                           "cannot create")

    # The file-size limit (EFBIG): at 0 bytes, inside the 8-byte length, inside the
    # header, inside the data, and one byte short of the whole file.
    n = header_length(old)
    for name, limit in [("0", 0), ("in_header", 8 + n // 2), ("in_data", 8 + n + 1000),
                        ("last_byte", len(old) - 1)]:
        fs = os.path.join(work, "fsize_" + name)
        os.makedirs(fs)
        path = os.path.join(fs, "ckpt.safetensors")
        a.save(path)
        out = run_child(["--save-child", lib_path, "fsize", path, str(limit)])
        check_save_failure("save_fsize_limit_" + name, out, path, old, "File too large",
                           "cannot write")

    # A full file system (ENOSPC) where a private tmpfs can be mounted.
    mnt = os.path.join(work, "tmpfs")
    os.makedirs(mnt)
    unshare = shutil.which("unshare")
    out = None
    if not unshare:
        out = {"skip": "no unshare"}
    else:
        r = subprocess.run([unshare, "-m", "--propagation", "private", sys.executable,
                            os.path.abspath(__file__), "--enospc-child", lib_path, mnt],
                           capture_output=True, text=True, timeout=120)
        lines = r.stdout.strip().splitlines()
        if r.returncode != 0 and not lines:
            out = {"skip": "unshare -m refused: " + r.stderr.strip()[-300:]}
        else:
            out = json.loads(lines[-1])
    if "skip" in out:
        print("SKIP save_enospc (%s)" % out["skip"])
    else:
        msg = out["message"] or ""
        wlcheck.expect(out["status"] == WL_ERR_IO and "No space left on device" in msg
                       and "cannot write" in msg and out["intact"]
                       and out["listing"] == ["ckpt.safetensors"], "save_enospc", repr(out))
        print("  message: %s" % msg)
    wlcheck.expect(os.listdir(mnt) == [], "enospc_mount_gone", repr(os.listdir(mnt)))

    # The model that failed nothing and the file system are fine: a save still works.
    path = os.path.join(ctl, "ckpt.safetensors")
    trained(lib, 1, 5).save(path)
    wlcheck.expect(read(path) == newer, "save_after_failures", "a later save differs")


# -- load failures ------------------------------------------------------------------
class Loader:
    def __init__(self, model, work):
        self.m, self.work, self.count = model, work, 0
        self.snap_path = os.path.join(work, "snapshot.safetensors")
        self.before = self.snapshot()

    def snapshot(self):
        self.m.save(self.snap_path)
        return read(self.snap_path)

    def reject(self, name, data, status, *needles, path=None):
        if path is None:
            self.count += 1
            path = os.path.join(self.work, "bad%02d.safetensors" % self.count)
            write(path, data)
        st = self.m.call("wl_load", path.encode())
        msg = self.m.last_error() or ""
        intact = self.snapshot() == self.before
        ok = (st == status and msg.startswith("wl_load: ") and path in msg
              and all(s in msg for s in needles) and intact)
        wlcheck.expect(ok, "reject_" + name, "status %s (want %s), message %r (want %r), model "
                       "unchanged %s" % (STATUS_NAMES.get(st, st), STATUS_NAMES[status], msg,
                                         needles, intact))
        print("  message: %s" % msg)


def load_failures(d, work):
    lib = wlharness.Library(os.path.join(d, "faults.so"))
    a = trained(lib, 1, 3)
    good_path = os.path.join(work, "good.safetensors")
    a.save(good_path)
    good = read(good_path)
    v = trained(lib, 2, 1)
    L = Loader(v, work)
    wlcheck.expect(L.before != good, "victim_differs", "")

    # Checkpoints of other models (saved by their own libraries).
    others = {}
    for so in ("wide", "nobias", "extra", "sgd"):
        olib = wlharness.Library(os.path.join(d, so + ".so"))
        p = os.path.join(work, so + ".safetensors")
        olib.create(seed=0).save(p)
        others[so] = read(p)
    L.reject("other_model_name", others["wide"], WL_ERR_IO,
             "checkpoint of model 'FaultsWide', but this library is model 'Faults'")
    # The same name (as a model edited under its old name would write): the first
    # tensor that differs is named.
    L.reject("other_model_wider", renamed(others["wide"], "Faults"), WL_ERR_SHAPE,
             "tensor 'fc1.weight' has shape [40, 8], expected [32, 8]")
    L.reject("other_model_missing_bias", renamed(others["nobias"], "Faults"), WL_ERR_IO,
             "missing tensor 'head.bias'")
    L.reject("other_model_extra_layer", renamed(others["extra"], "Faults"), WL_ERR_IO,
             "unexpected tensor 'extra.weight'")
    L.reject("other_model_other_optimizer", renamed(others["sgd"], "Faults"), WL_ERR_IO,
             "unexpected tensor 'optim.fc1.weight.momentum_buffer'")

    # Which mismatch is "first": header order among the file's tensors...
    def two(h):
        h["fc1.bias"]["dtype"] = "F16"
        h["head.weight"]["shape"] = [32, 4]
    L.reject("first_of_two_mismatches", edited(good, two), WL_ERR_SHAPE,
             "tensor 'fc1.bias' has dtype F16, expected F32")
    header, body = split(edited(good, two))
    moved = {k: header[k] for k in ["__metadata__", "head.weight"]}
    moved.update({k: v for k, v in header.items() if k not in moved})
    L.reject("first_of_two_mismatches_reordered", join(moved, body), WL_ERR_SHAPE,
             "tensor 'head.weight' has shape [32, 4], expected [4, 32]")
    # ...and a tensor the file lacks after every tensor it has.
    def gone_and_wrong(h):
        del h["fc1.bias"]
        h["head.weight"]["shape"] = [32, 4]
    L.reject("missing_after_present_checked", edited(good, gone_and_wrong), WL_ERR_SHAPE,
             "tensor 'head.weight' has shape [32, 4], expected [4, 32]")
    L.reject("missing_alone", edited(good, lambda h: h.pop("fc1.bias")), WL_ERR_IO,
             "missing tensor 'fc1.bias'")

    # Corrupted headers.
    header, body = split(good)
    text = json.dumps(header, separators=(",", ":"))
    L.reject("bad_json", join(None, body, raw_header=text[:-1]), WL_ERR_IO,
             "invalid JSON header at offset")
    L.reject("bad_json_value", join(None, body, raw_header=text.replace('"F32"', "F32", 1)),
             WL_ERR_IO, "invalid JSON header at offset")
    L.reject("header_not_object", join(None, body, raw_header="[1,2,3]"), WL_ERR_IO,
             "the header is not a JSON object")
    L.reject("no_metadata", edited(good, lambda h: h.pop("__metadata__")), WL_ERR_IO,
             "no __metadata__.model (not a wl checkpoint)")
    dup = text[:-1] + ',"fc1.bias":' + json.dumps(header["fc1.bias"], separators=(",", ":")) + "}"
    L.reject("duplicate_key", join(None, body, raw_header=dup), WL_ERR_IO,
             "invalid JSON header", "duplicate key 'fc1.bias'")
    deep = '{"__metadata__":' + "[" * 200000 + "]" * 200000 + "}"
    L.reject("deep_nesting", join(None, body, raw_header=deep), WL_ERR_IO,
             "invalid JSON header", "nesting too deep")
    L.reject("header_length_beyond_file", relength(good, len(good) - 7), WL_ERR_IO,
             "header length %d exceeds the file size (%d bytes)" % (len(good) - 7, len(good)))
    L.reject("header_length_huge", relength(good, 2**64 - 1), WL_ERR_IO,
             "header length %d exceeds the file size" % (2**64 - 1))
    L.reject("short_file", good[:5], WL_ERR_IO, "file too short (5 bytes)")

    data_size = len(body)

    def offs(name, value):
        return lambda h: h[name].__setitem__("data_offsets", value)
    outside = "has data_offsets outside the data section of %d bytes" % data_size
    L.reject("offsets_past_end", edited(good, offs("optim.step", [data_size, data_size + 8])),
             WL_ERR_IO, "tensor 'optim.step' " + outside)
    L.reject("offsets_negative", edited(good, offs("fc1.bias", [-128, 0])), WL_ERR_IO,
             "tensor 'fc1.bias' has invalid data_offsets [-128, 0] (need 0 <= begin <= end)")
    L.reject("offsets_reversed", edited(good, offs("fc1.bias", [1152, 1024])), WL_ERR_IO,
             "tensor 'fc1.bias' has invalid data_offsets [1152, 1024] (need 0 <= begin <= end)")
    L.reject("offsets_huge", edited(good, offs("fc1.bias", [2**62, 2**62 + 128])), WL_ERR_IO,
             "tensor 'fc1.bias' " + outside)
    for what, bad in [("fraction", [1024.5, 1152.5]), ("strings", ["1024", "1152"]),
                      ("1e300", [1e300, 1e300]), ("2^63", [2**63, 2**63 + 128])]:
        L.reject("offsets_not_integers_" + what, edited(good, offs("fc1.bias", bad)), WL_ERR_IO,
                 "tensor 'fc1.bias' has data_offsets that are not 64-bit integers")
    L.reject("offsets_three", edited(good, offs("fc1.bias", [1024, 1152, 1280])), WL_ERR_IO,
             "tensor 'fc1.bias' needs dtype, shape and data_offsets [begin, end]")
    L.reject("offsets_overlapping", edited(good, offs("fc1.bias", [1000, 1128])), WL_ERR_IO,
             "tensors 'fc1.weight' [0, 1024) and 'fc1.bias' [1000, 1128) have overlapping "
             "data_offsets")
    b0, b1 = header["fc1.bias"]["data_offsets"]
    L.reject("offsets_aliasing", edited(good, offs("optim.fc1.bias.exp_avg", [b0, b1])),
             WL_ERR_IO, "tensors 'fc1.bias' [%d, %d) and 'optim.fc1.bias.exp_avg' [%d, %d) have "
             "overlapping data_offsets" % (b0, b1, b0, b1))

    def field(name, key, value):
        return lambda h: h[name].__setitem__(key, value)
    L.reject("dtype_f16", edited(good, field("fc1.weight", "dtype", "F16")), WL_ERR_SHAPE,
             "tensor 'fc1.weight' has dtype F16, expected F32")
    L.reject("dtype_step", edited(good, field("optim.step", "dtype", "F64")), WL_ERR_SHAPE,
             "tensor 'optim.step' has dtype F64, expected I64")
    L.reject("shape_same_numel", edited(good, field("mid.weight", "shape", [16, 64])),
             WL_ERR_SHAPE, "tensor 'mid.weight' has shape [16, 64], expected [32, 32]")
    h0, h1 = header["head.bias"]["data_offsets"]
    L.reject("size_mismatch", edited(good, offs("head.bias", [h0, h1 - 4])), WL_ERR_SHAPE,
             "tensor 'head.bias' has 12 bytes of data, expected 16")
    L.reject("dimension_not_integer", edited(good, field("fc1.weight", "shape", [32.5, 8])),
             WL_ERR_IO, "tensor 'fc1.weight' has a non-integer dimension")
    L.reject("entry_without_dtype", edited(good, lambda h: h["fc1.bias"].pop("dtype")), WL_ERR_IO,
             "tensor 'fc1.bias' needs dtype, shape and data_offsets [begin, end]")
    s0, s1 = header["optim.step"]["data_offsets"]
    neg = body[:s0] + np.array(-1, "<i8").tobytes() + body[s1:]
    L.reject("negative_step", join(header, neg), WL_ERR_IO, "optim.step is negative (-1)")
    L.reject("truncated_data", good[:-8], WL_ERR_IO,
             "tensor 'optim.step' has data_offsets outside the data section of %d bytes"
             % (data_size - 8))
    L.reject("directory", None, WL_ERR_IO, "is not a regular file", path=work)
    L.reject("dev_zero", None, WL_ERR_IO, "'/dev/zero' is not a regular file", path="/dev/zero")

    # Control: the same tensors in reverse header order, with gaps between their data,
    # load bit-exactly (the checks above reject what is wrong, not what is unusual).
    names = [k for k in header if k != "__metadata__"]
    rev, blobs, pos = {"__metadata__": header["__metadata__"]}, [], 0
    for k in reversed(names):
        b, e = header[k]["data_offsets"]
        blobs.append(b"\xee" * 8 + body[b:e])
        rev[k] = dict(header[k], data_offsets=[pos + 8, pos + 8 + e - b])
        pos += 8 + e - b
    p = os.path.join(work, "reordered.safetensors")
    write(p, join(rev, b"".join(blobs) + b"\xee" * 8))
    v.load(p)
    wlcheck.expect(L.snapshot() == good, "load_reordered_with_gaps", "state differs from a's")

    # After every rejected load, the victim (now loaded with a's checkpoint) trains
    # exactly like a.
    x, y = batch(42)
    la, lv = a.train_step(x, y), v.train_step(x, y)
    a.save(good_path)
    wlcheck.expect(la == lv and L.snapshot() == read(good_path), "model_intact_after_rejects",
                   "losses %r %r" % (la, lv))


def main(d):
    work = os.path.join(d, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chmod(work, 0o755)
    try:
        save_failures(d, os.path.join(work, "save"))
        lw = os.path.join(work, "load")
        os.makedirs(lw)
        load_failures(d, lw)
    except wlcheck.Failure as e:
        print("FAIL", e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1] == "--save-child":
        save_child(*sys.argv[2:6])
    elif sys.argv[1] == "--enospc-child":
        enospc_child(*sys.argv[2:4])
    else:
        main(sys.argv[1])
