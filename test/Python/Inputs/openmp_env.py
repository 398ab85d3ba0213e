"""Python/openmp_env.test: `import wl` makes a torch imported after it park its GNU OpenMP
threads (wl/_threads.py), and says so when torch came first.

Each case runs a fresh interpreter with the knobs removed from its environment, then:
  wl_first        OMP_WAIT_POLICY=PASSIVE and GOMP_SPINCOUNT=0 set by `import wl`, before
                  libgomp is loaded (checked in /proc/self/maps), and inherited by a child
                  process; loading a library does not warn;
  user_knob       a user's GOMP_SPINCOUNT (or OMP_WAIT_POLICY) is left as it is, the other
                  variable not added;
  opt_out         WL_QUIET_GNU_OPENMP=0: nothing set, no warning;
  torch_first     torch loaded libgomp before wl: nothing set (too late), and the first
                  library load warns once, naming the fix; a second load does not;
  torch_first_knobs  the same with the knobs set by the user: no warning.
"""
import json
import os
import subprocess
import sys

LIB = sys.argv[1]
KNOBS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "WL_QUIET_GNU_OPENMP")

CHILD = r"""
import json, os, sys, warnings
warnings.simplefilter("always")
first = sys.argv[1]
if first == "torch":
    import torch  # noqa: F401
import wl
with open("/proc/self/maps") as f:
    gomp_at_import = "libgomp" in f.read()
if first == "wl":
    import torch  # noqa: F401
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    wl.load_library(sys.argv[2])
    wl.load_library(sys.argv[2])
import subprocess
child = subprocess.run([sys.executable, "-c", "import os; print(os.environ.get('OMP_WAIT_POLICY'), "
                        "os.environ.get('GOMP_SPINCOUNT'))"], capture_output=True, text=True)
print(json.dumps({"state": wl._threads.state, "gomp_at_import": gomp_at_import,
                  "policy": os.environ.get("OMP_WAIT_POLICY"),
                  "spincount": os.environ.get("GOMP_SPINCOUNT"),
                  "child": child.stdout.split(),
                  "warnings": [str(w.message) for w in caught
                               if issubclass(w.category, RuntimeWarning)]}))
"""


def run(first, **env_extra):
    env = {k: v for k, v in os.environ.items() if k not in KNOBS}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", CHILD, first, LIB], env=env,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit("FAIL child (%s): %s" % (first, out.stderr[-2000:]))
    return json.loads(out.stdout.strip().splitlines()[-1])


def check(name, ok, r):
    if not ok:
        raise SystemExit("FAIL %s: %r" % (name, r))
    print("OK %s (%s)" % (name, r["state"]))


r = run("wl")
check("wl_first", r["state"] == "set" and not r["gomp_at_import"] and r["policy"] == "PASSIVE"
      and r["spincount"] == "0" and r["child"] == ["PASSIVE", "0"] and not r["warnings"], r)

r = run("wl", GOMP_SPINCOUNT="5000")
check("user_knob", r["state"] == "user" and r["spincount"] == "5000" and r["policy"] is None
      and not r["warnings"], r)

r = run("wl", OMP_WAIT_POLICY="ACTIVE")
check("user_policy", r["state"] == "user" and r["policy"] == "ACTIVE" and r["spincount"] is None, r)

r = run("wl", WL_QUIET_GNU_OPENMP="0")
check("opt_out", r["state"] == "off" and r["policy"] is None and r["spincount"] is None
      and not r["warnings"], r)

r = run("torch")
check("torch_first", r["state"] == "loaded" and r["gomp_at_import"] and r["policy"] is None
      and len(r["warnings"]) == 1 and "import wl before torch" in r["warnings"][0]
      and "OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=0" in r["warnings"][0], r)
print("   warning: %s" % r["warnings"][0])

r = run("torch", OMP_WAIT_POLICY="PASSIVE", GOMP_SPINCOUNT="0")
check("torch_first_knobs", r["state"] == "user" and not r["warnings"], r)
