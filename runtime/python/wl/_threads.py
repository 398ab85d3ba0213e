"""wl, numpy and PyTorch in one process without their thread pools spinning against each other.

wl's kernels run on LLVM's OpenMP runtime (libomp), whose idle workers the runtime lets spin
only 1 ms (WL_OMP_BLOCKTIME, runtime/README.md). Two other pools share the cores in a
Debian PyTorch process, and both busy-wait long after their work by default:

- OpenBLAS (Debian's libopenblas0-pthread, loaded by numpy and torch for their matrix
  products): after each threaded product its workers spin, calling sched_yield, for 2^28
  cycles (about 0.1 s). Measured on 2 cores, that made wl steps right after torch steps up
  to 1.8x slower. OPENBLAS_THREAD_TIMEOUT=20 (2^20 cycles, well under a millisecond) removes it.
- GNU OpenMP (libgomp, torch's intra-op pool): its idle workers spin too unless
  OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=0 (GOMP_SPINCOUNT=0 alone measured no better).

Both libraries read their settings once, when they are loaded, and offer no call to change
them later. So at `import wl`, for each pool not loaded yet whose variables the user left
unset, wl sets them in the environment (child processes inherit them). A pool loaded before
wl cannot be changed: when torch is in the process, the first library load warns once and
names the variables. WL_QUIET_THREAD_POOLS=0 turns all of this off. libomp reads
OMP_WAIT_POLICY too, but the block time the runtime sets on every call governs its waiting.
"""
import os
import sys
import warnings


class _Pool:
    def __init__(self, name, mapped_as, knobs, settings):
        self.name = name
        self.mapped_as = mapped_as  # a substring of the library's path in /proc/self/maps
        self.knobs = knobs  # the variables by which a user chooses this pool's waiting
        self.settings = settings  # what wl sets when the user chose none of them

    def user_chose(self):
        return any(k in os.environ for k in self.knobs)


POOLS = (
    _Pool("OpenBLAS", "openblas", ("OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT"),
          (("OPENBLAS_THREAD_TIMEOUT", "20"),)),
    _Pool("GNU OpenMP", "libgomp", ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT"),
          (("OMP_WAIT_POLICY", "PASSIVE"), ("GOMP_SPINCOUNT", "0"))),
)
#: what quiet_thread_pools did at import, per pool name: "set" (wl set its variables),
#: "user" (the user set one), "loaded" (it was loaded already: too late), "unknown" (no
#: /proc/self/maps), "off" (WL_QUIET_THREAD_POOLS=0)
state = {}
_warned = False


def opted_out():
    """WL_QUIET_THREAD_POOLS=0: wl leaves every pool's variables alone."""
    return os.environ.get("WL_QUIET_THREAD_POOLS", "1") == "0"


def mapped_libraries():
    """The paths mapped into this process (None when that cannot be told)."""
    try:
        with open("/proc/self/maps") as f:
            return f.read()
    except OSError:
        return None


def quiet_thread_pools():
    """At `import wl`: each pool's passive settings, unless the user chose its waiting or
    it is loaded already."""
    off = opted_out()
    maps = None if off else mapped_libraries()
    for pool in POOLS:
        if off:
            state[pool.name] = "off"
        elif pool.user_chose():
            state[pool.name] = "user"
        elif maps is None:
            state[pool.name] = "unknown"
        elif pool.mapped_as in maps:
            state[pool.name] = "loaded"
        else:
            os.environ.update(pool.settings)
            state[pool.name] = "set"
    return state


def quiet_for_children():
    """Every pool's passive settings in the environment the process's children inherit
    (wl-train --nproc's ranks: fresh processes), unless the user chose that pool's waiting
    or WL_QUIET_THREAD_POOLS=0."""
    if opted_out():
        return
    for pool in POOLS:
        if not pool.user_chose():
            os.environ.update(pool.settings)


def warn_if_spinning():
    """Once per process, when a library loads with torch in the process: a pool was loaded
    spinning before wl."""
    global _warned
    if _warned or "torch" not in sys.modules:
        return
    late = [p for p in POOLS if state.get(p.name) == "loaded" and not p.user_chose()]
    if not late:
        return
    _warned = True
    # Point at the first caller outside this package (the user's line).
    package, frame, level = os.path.dirname(os.path.abspath(__file__)), sys._getframe(), 1
    while frame.f_back is not None and \
            os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    names = " and ".join(p.name for p in late)
    fix = " ".join("%s=%s" % kv for p in late for kv in p.settings)
    warnings.warn(
        "wl: %s %s loaded before wl with its default spin-wait, which slows wl's kernels "
        "and torch's ops in this process (up to 2.4x on 2 cores); import wl before numpy "
        "and torch, or start Python with %s (set one of %s yourself to silence this)"
        % (names, "were" if len(late) > 1 else "was", fix,
           ", ".join(k for p in late for k in p.knobs)),
        RuntimeWarning, stacklevel=level)
