"""The machine's fp32 peak: bench/peak/fma_peak.c (a loop of independent FMAs on every thread),
compiled for this CPU and run on 1 thread and on the run's thread count, best of a few runs. The
GEMM lines read as a share of it."""
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # bench/
SOURCE = os.path.join(HERE, "peak", "fma_peak.c")


def measure_peak(workdir, threads, runs=5, seconds=0.3):
    """{threads: GFLOP/s} for 1 and `threads` threads and the ISA, or None with the reason when no
    C compiler is found or the program fails."""
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        return None, "no C compiler (cc, gcc, clang) to build bench/peak/fma_peak.c"
    exe = os.path.join(workdir, "fma_peak")
    build = subprocess.run([cc, "-O2", "-march=native", "-pthread", SOURCE, "-o", exe],
                           capture_output=True, text=True)
    if build.returncode != 0:
        return None, f"{os.path.basename(cc)} failed on fma_peak.c: {build.stderr.strip()[:200]}"
    peak = {"exe": exe, "isa": "?", "gflops": {}}
    for t in sorted({1, threads}):
        best, reason = _best_of(peak, t, runs, seconds)
        if best is None:
            return None, reason
        peak["gflops"][t] = best
    return peak, None


def _best_of(peak, threads, runs, seconds):
    """(best GFLOP/s of `runs` runs on `threads` threads, None) or (None, the reason)."""
    best = 0.0
    for _ in range(runs):
        r = subprocess.run([peak["exe"], str(threads), str(seconds)], capture_output=True, text=True)
        if r.returncode != 0:
            return None, f"fma_peak {threads} failed: {r.stderr.strip()[:200]}"
        peak["isa"], _, gflops = r.stdout.split()
        best = max(best, float(gflops))
    return best, None


def peak_now(peak, threads, runs=3, seconds=0.2):
    """The peak measured again now, on `threads` threads: this machine's speed drifts by 10–15%
    over minutes, so a GEMM line reads as a share of the peak measured right after it, not of the
    one at the start of the run. Falls back to the start's peak if the program fails."""
    if not peak:
        return peak
    best, _ = _best_of(peak, threads, runs, seconds)
    if best is None:
        return peak
    return {**peak, "gflops": {**peak["gflops"], threads: best}}


def share(gflops, peak, threads):
    """' = 61% of the 2-thread peak of 420 GFLOP/s' (empty when the peak was not measured)."""
    if not peak or threads not in peak["gflops"]:
        return ""
    p = peak["gflops"][threads]
    return f" = {gflops / p:.0%} of the {threads}-thread peak of {p:.0f} GFLOP/s"
