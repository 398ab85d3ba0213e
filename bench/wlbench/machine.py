"""The machine description of the results header: CPU, load, other processes' CPU use, the
wlc binary, OpenBLAS and the generated libraries' OpenMP use."""
import ctypes
import datetime
import hashlib
import os
import platform
import subprocess


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    fl = set(line.split(":", 1)[1].split())
                    return " ".join(x for x in ("avx2", "fma", "avx512f", "avx512bw", "avx512_bf16") if x in fl)
    except OSError:
        pass
    return "?"


def wlc_revision(wlc):
    d = os.path.dirname(os.path.realpath(wlc))

    def git(*a):
        r = subprocess.run(["git", "-C", d, *a], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    rev = git("rev-parse", "--short=12", "HEAD")
    if rev is None:
        return "unknown (binary not inside a git checkout)"
    if git("status", "--porcelain", "--untracked-files=no"):
        rev += "-dirty"
    return rev


def wlc_sha(wlc):
    try:
        with open(wlc, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:12]
    except OSError:
        return "unreadable"


def wlc_binary_id(wlc):
    sha = wlc_sha(wlc)
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(wlc), datetime.timezone.utc)
    try:
        ver = subprocess.run([wlc, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        ver = ""
    return f"{ver or 'wlc'}; sha256 {sha}; built {mtime:%Y-%m-%d %H:%M} UTC"


def openblas_info():
    try:
        ob = ctypes.CDLL("libopenblas.so.0")
        ob.openblas_get_config.restype = ctypes.c_char_p
        return f"{ob.openblas_get_config().decode()} (threads={ob.openblas_get_num_threads()})"
    except (OSError, AttributeError):
        return "OpenBLAS not found by soname (numpy's BLAS: see numpy.show_config())"


def openblas_threads():
    try:
        return ctypes.CDLL("libopenblas.so.0").openblas_get_num_threads()
    except (OSError, AttributeError):
        return "?"


def wl_openmp(workdir):
    """Whether the generated libraries of this run use OpenMP (then OMP_NUM_THREADS threads), read
    from their files: an OpenMP runtime among the needed libraries or an OpenMP entry point."""
    markers = (b"libomp.so", b"libgomp.so", b"libiomp5.so", b"__kmpc_fork_call", b"GOMP_parallel")
    libs = sorted(f for f in os.listdir(workdir) if f.endswith(".so")) if os.path.isdir(workdir) else []
    omp = 0
    for f in libs:
        try:
            with open(os.path.join(workdir, f), "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        omp += any(m in data for m in markers)
    if not libs:
        return "no generated library in this run"
    if omp == 0:
        return f"none of the {len(libs)} generated libraries uses OpenMP: the generated code runs on 1 thread"
    return f"{omp} of the {len(libs)} generated libraries use OpenMP"


def cpu_seconds():
    """(busy CPU seconds of the whole machine, CPU seconds of this process and its waited children)."""
    try:
        with open("/proc/stat") as f:
            v = [int(t) for t in f.readline().split()[1:]]
        busy = (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    except (OSError, ValueError, IndexError):
        busy = float("nan")
    t = os.times()
    return busy, t.user + t.system + t.children_user + t.children_system


def loadavg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"
