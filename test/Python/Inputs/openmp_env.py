"""Python/openmp_env.test: `import wl` makes the OpenBLAS and GNU OpenMP pools that numpy and
torch load after it park their idle threads (wl/_threads.py), and says so when torch came first.

Each case runs a fresh interpreter with the knobs removed from its environment, then:
  wl_first        OPENBLAS_THREAD_TIMEOUT=20, OMP_WAIT_POLICY=PASSIVE and GOMP_SPINCOUNT=0 set
                  by `import wl` before either library is loaded (libgomp checked in
                  /proc/self/maps after the import), inherited by a child process; loading a
                  library does not warn;
  user_knob       a user's GOMP_SPINCOUNT (or OMP_WAIT_POLICY, or OPENBLAS_THREAD_TIMEOUT) is
                  left as it is, its pool's other variable not added, the other pool's set;
  opt_out         WL_QUIET_THREAD_POOLS=0: nothing set, no warning;
  numpy_first     numpy loaded OpenBLAS before wl: its timeout is not set (too late), GNU
                  OpenMP's knobs are; no torch, so no warning;
  torch_first     torch loaded both before wl: nothing set, and the first library load warns
                  once, naming both pools and the fix; a second load does not;
  torch_first_openmp_knobs  the user set the OpenMP knobs only: the warning names OpenBLAS;
  torch_first_knobs  every knob set by the user: no warning;
  ranks           torch first, then quiet_for_children (wl-train --nproc, for its ranks):
                  every pool's settings in the children's environment, except a pool whose
                  variable the user set; nothing with WL_QUIET_THREAD_POOLS=0.
"""
import json
import os
import subprocess
import sys

LIB = sys.argv[1]
KNOBS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT",
         "WL_QUIET_THREAD_POOLS")

CHILD = r"""
import json, os, sys, warnings
warnings.simplefilter("always")
first = sys.argv[1]
if first == "torch":
    import torch  # noqa: F401
if first == "numpy":
    import numpy  # noqa: F401
import wl
with open("/proc/self/maps") as f:
    gomp_at_import = "libgomp" in f.read()
if first == "wl":
    import torch  # noqa: F401
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wl.load_library(sys.argv[2])
    wl.load_library(sys.argv[2])
if len(sys.argv) > 3:  # what wl-train --nproc gives its ranks
    wl._threads.quiet_for_children()
import subprocess
child = subprocess.run([sys.executable, "-c", "import os; print(os.environ.get('OMP_WAIT_POLICY'), "
                        "os.environ.get('GOMP_SPINCOUNT'), "
                        "os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"],
                       capture_output=True, text=True)
print(json.dumps({"blas": wl._threads.state["OpenBLAS"], "omp": wl._threads.state["GNU OpenMP"],
                  "gomp_at_import": gomp_at_import,
                  "policy": os.environ.get("OMP_WAIT_POLICY"),
                  "spincount": os.environ.get("GOMP_SPINCOUNT"),
                  "timeout": os.environ.get("OPENBLAS_THREAD_TIMEOUT"),
                  "child": child.stdout.split(),
                  "warnings": [str(w.message) for w in caught
                               if issubclass(w.category, RuntimeWarning)]}))
"""


def run(first, children=False, **env_extra):
    env = {k: v for k, v in os.environ.items() if k not in KNOBS}
    env.update(env_extra)
    argv = [sys.executable, "-c", CHILD, first, LIB] + (["children"] if children else [])
    out = subprocess.run(argv, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit("FAIL child (%s): %s" % (first, out.stderr[-2000:]))
    return json.loads(out.stdout.strip().splitlines()[-1])


def check(name, ok, r):
    if not ok:
        raise SystemExit("FAIL %s: %r" % (name, r))
    print("OK %s (OpenBLAS %s, GNU OpenMP %s)" % (name, r["blas"], r["omp"]))


r = run("wl")
check("wl_first", r["blas"] == r["omp"] == "set" and not r["gomp_at_import"]
      and r["policy"] == "PASSIVE" and r["spincount"] == "0" and r["timeout"] == "20"
      and r["child"] == ["PASSIVE", "0", "20"] and not r["warnings"], r)

r = run("wl", GOMP_SPINCOUNT="5000")
check("user_knob", r["omp"] == "user" and r["spincount"] == "5000" and r["policy"] is None
      and r["blas"] == "set" and r["timeout"] == "20" and not r["warnings"], r)

r = run("wl", OMP_WAIT_POLICY="ACTIVE")
check("user_policy", r["omp"] == "user" and r["policy"] == "ACTIVE" and r["spincount"] is None,
      r)

r = run("wl", OPENBLAS_THREAD_TIMEOUT="12")
check("user_timeout", r["blas"] == "user" and r["timeout"] == "12" and r["omp"] == "set"
      and r["policy"] == "PASSIVE", r)

r = run("wl", WL_QUIET_THREAD_POOLS="0")
check("opt_out", r["blas"] == r["omp"] == "off" and r["policy"] is None
      and r["spincount"] is None and r["timeout"] is None and not r["warnings"], r)

r = run("numpy")
check("numpy_first", r["blas"] == "loaded" and r["timeout"] is None and r["omp"] == "set"
      and r["policy"] == "PASSIVE" and not r["warnings"], r)

r = run("torch")
check("torch_first", r["blas"] == r["omp"] == "loaded" and r["gomp_at_import"]
      and r["policy"] is None and r["timeout"] is None and len(r["warnings"]) == 1
      and "OpenBLAS and GNU OpenMP" in r["warnings"][0]
      and "import wl before numpy and torch" in r["warnings"][0]
      and "OPENBLAS_THREAD_TIMEOUT=20 OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=0"
      in r["warnings"][0], r)
print("   warning: %s" % r["warnings"][0])

r = run("torch", OMP_WAIT_POLICY="PASSIVE", GOMP_SPINCOUNT="0")
check("torch_first_openmp_knobs", r["omp"] == "user" and len(r["warnings"]) == 1
      and "wl: OpenBLAS was loaded" in r["warnings"][0]
      and "OPENBLAS_THREAD_TIMEOUT=20 (" in r["warnings"][0], r)

r = run("torch", OMP_WAIT_POLICY="PASSIVE", GOMP_SPINCOUNT="0", OPENBLAS_THREAD_TIMEOUT="20")
check("torch_first_knobs", r["blas"] == r["omp"] == "user" and not r["warnings"], r)

r = run("torch", children=True)
check("ranks", r["child"] == ["PASSIVE", "0", "20"], r)
r = run("torch", children=True, OPENBLAS_THREAD_TIMEOUT="8")
check("ranks_user_timeout", r["child"] == ["PASSIVE", "0", "8"], r)
r = run("torch", children=True, WL_QUIET_THREAD_POOLS="0")
check("ranks_opt_out", r["child"] == ["None", "None", "None"], r)
