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
    peak, isa = {}, "?"
    for t in sorted({1, threads}):
        best = 0.0
        for _ in range(runs):
            r = subprocess.run([exe, str(t), str(seconds)], capture_output=True, text=True)
            if r.returncode != 0:
                return None, f"fma_peak {t} failed: {r.stderr.strip()[:200]}"
            isa, _, gflops = r.stdout.split()
            best = max(best, float(gflops))
        peak[t] = best
    return {"isa": isa, "gflops": peak}, None


def share(gflops, peak, threads):
    """' = 61% of the 2-thread peak' (empty when the peak was not measured)."""
    if not peak or threads not in peak["gflops"]:
        return ""
    return f" = {gflops / peak['gflops'][threads]:.0%} of the {threads}-thread peak"
