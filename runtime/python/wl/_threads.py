"""wl and PyTorch in one process without their thread pools spinning against each other.

wl's kernels run on LLVM's OpenMP runtime (libomp), whose idle workers the runtime lets
spin only 1 ms (WL_OMP_BLOCKTIME, runtime/README.md). Debian's torch runs on GNU OpenMP
(libgomp), whose idle workers spin for a long while after each of torch's parallel regions
and take the cores from wl's next kernel (and the other way round): measured on 2 cores,
1.6-2.5x slower steps (bench/RESULTS.md, "wl and PyTorch in one process"). libgomp reads
its environment once, when it is loaded, so at `import wl`, when libgomp is not loaded yet
and the user chose neither variable, wl sets OMP_WAIT_POLICY=PASSIVE and GOMP_SPINCOUNT=0
(GOMP_SPINCOUNT=0 alone measured no better than nothing): a torch imported after wl then
parks its idle threads at once. libomp reads OMP_WAIT_POLICY too, but the runtime sets its
block time (1 ms) on every call, which is what governs its waiting. When torch came first, wl cannot change its
pool and warns once, when the first library loads. WL_QUIET_GNU_OPENMP=0 turns both off.
"""
import os
import sys
import warnings

_KNOBS = ("GOMP_SPINCOUNT", "OMP_WAIT_POLICY")
#: what quiet_gnu_openmp did at import: "set" (both variables), "user" (the user set a
#: knob), "loaded" (libgomp was already loaded: too late), "unknown" (no /proc/self/maps),
#: "off" (WL_QUIET_GNU_OPENMP=0)
state = None
_warned = False


def gnu_openmp_loaded():
    """True when libgomp is mapped into this process (None when that cannot be told)."""
    try:
        with open("/proc/self/maps") as f:
            return "libgomp" in f.read()
    except OSError:
        return None


def quiet_gnu_openmp():
    """At `import wl`: OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=0 unless the user set either
    or libgomp is loaded already."""
    global state
    if os.environ.get("WL_QUIET_GNU_OPENMP", "1") == "0":
        state = "off"
        return state
    if any(k in os.environ for k in _KNOBS):
        state = "user"
        return state
    loaded = gnu_openmp_loaded()
    if loaded is None:
        state = "unknown"
    elif loaded:
        state = "loaded"
    else:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        os.environ["GOMP_SPINCOUNT"] = "0"
        state = "set"
    return state


def warn_if_spinning():
    """Once per process, when a library loads: torch's pool was loaded spinning before wl."""
    global _warned
    if _warned or state != "loaded" or any(k in os.environ for k in _KNOBS):
        return
    _warned = True
    # Point at the first caller outside this package (the user's line).
    package, frame, level = os.path.dirname(os.path.abspath(__file__)), sys._getframe(), 1
    while frame.f_back is not None and \
            os.path.abspath(frame.f_code.co_filename).startswith(package + os.sep):
        frame, level = frame.f_back, level + 1
    warnings.warn(
        "wl: GNU OpenMP (PyTorch's thread pool) was loaded before wl with its default "
        "spin-wait, which slows wl's kernels and torch's ops in this process (up to 2.5x "
        "on 2 cores); import wl before torch, or start Python with OMP_WAIT_POLICY=PASSIVE "
        "GOMP_SPINCOUNT=0 (set either variable yourself to silence this)",
        RuntimeWarning, stacklevel=level)
