"""wl.compile: runs wlc with the documented arguments, caches by content hash (a hit does
not run wlc), keys on the source, the options, the from(...) files' tensor tables and
wlc itself, stores atomically (two processes at once), and reports wlc's errors.
argv[1]: a scratch directory (%t)."""
import os
import re
import subprocess
import sys
import time

import numpy as np

from pycheck import check, copy_input, guarded, raises, workdir

import wl


def main():
    t = workdir(sys.argv[1])
    real_wlc = wl.find_wlc()  # lit sets $WLC
    check("find_wlc", os.access(real_wlc, os.X_OK), real_wlc)

    # A wrapper that logs each invocation, then runs the real wlc.
    log = os.path.join(t, "wlc.log")
    wrapper = os.path.join(t, "wlc-wrapper")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nprintf "%%s\\n" "$*" >> "%s"\nexec "%s" "$@"\n' % (log, real_wlc))
    os.chmod(wrapper, 0o755)
    os.environ["WLC"] = wrapper

    def runs():
        if not os.path.exists(log):
            return []
        with open(log) as f:
            return f.read().splitlines()

    cache = os.path.join(t, "cache")
    src = copy_input("mlp.wl", t)
    lib = wl.compile(src, cache_dir=cache)
    check("compile_ran_wlc", len(runs()) == 1, runs())
    argv = runs()[0].split()
    key_dir = os.path.dirname(lib.path)
    check("compile_args", argv[0] == src and "--target=cpu" in argv and "-O2" in argv
          and "--model" not in " ".join(argv) and not any(a.startswith("--lr-scale") for a in argv)
          and argv[-2] == "-o", argv)
    check("compile_output_name", os.path.basename(lib.path) == "libPyMLP.so"
          and os.path.dirname(key_dir) == os.path.abspath(cache)
          and re.fullmatch(r"[0-9a-f]{64}", os.path.basename(key_dir)) is not None, lib.path)
    check("compile_library", lib.name == "PyMLP" and lib.input_size == 6 and lib.output_size == 3
          and lib.label_kind == "class", repr(lib))
    check("compile_no_temp_left", sorted(os.listdir(cache)) == [os.path.basename(key_dir)],
          os.listdir(cache))
    mtime = os.stat(lib.path).st_mtime_ns

    # A hit: same path, the library untouched, wlc not run.
    time.sleep(0.05)
    lib2 = wl.compile(src, cache_dir=cache)
    check("cache_hit_same_path", lib2.path == lib.path, (lib2.path, lib.path))
    check("cache_hit_mtime", os.stat(lib.path).st_mtime_ns == mtime)
    check("cache_hit_no_wlc", len(runs()) == 1, runs())
    # The key is the content, not the file: a copy elsewhere hits too.
    os.makedirs(os.path.join(t, "elsewhere"))
    copy = copy_input("mlp.wl", os.path.join(t, "elsewhere"))
    check("cache_hit_copy", wl.compile(copy, cache_dir=cache).path == lib.path and len(runs()) == 1,
          runs())

    # Changing the content gives a new key (even a comment).
    with open(src, "a") as f:
        f.write("// a change\n")
    lib3 = wl.compile(src, cache_dir=cache)
    check("content_change_new_key", lib3.path != lib.path and len(runs()) == 2, (lib3.path, runs()))
    check("content_change_old_kept", os.path.exists(lib.path))
    # Options are part of the key, and passed on.
    lib4 = wl.compile(src, cache_dir=cache, opt_level=1)
    check("option_new_key", lib4.path not in (lib.path, lib3.path) and len(runs()) == 3
          and "-O1" in runs()[-1].split(), runs()[-1:])
    lib5 = wl.compile(src, model="PyMLP", cache_dir=cache)
    check("model_option", lib5.path not in (lib.path, lib3.path, lib4.path)
          and "--model=PyMLP" in runs()[-1].split() and lib5.name == "PyMLP", runs()[-1:])
    # lr_scale != 1.0 passes --lr-scale (the compile itself may fail on a wlc without it).
    try:
        wl.compile(src, cache_dir=cache, lr_scale=0.5)
    except wl.CompileError:
        pass
    check("lr_scale_arg", "--lr-scale=0.5" in runs()[-1].split(), runs()[-1:])
    n = len(runs())
    wl.compile(src, cache_dir=cache, lr_scale=1.0)
    check("lr_scale_one_is_default", len(runs()) == n)

    # Libraries of two keys, and of two different models, work side by side in one process.
    m1, m3 = lib.create(0), lib3.create(0)
    x = np.ones((2, 6), np.float32)
    check("two_keys_same_model", np.array_equal(m1.forward(x), m3.forward(x)))
    other = wl.compile(copy_input("mse.wl", t), cache_dir=cache)
    mo = other.create(0)
    check("two_models", other.name == "PyMse" and lib.name == "PyMLP"
          and mo.forward(np.ones((2, 5), np.float32)).shape == (2, 2)
          and m1.forward(x).shape == (2, 3) and other.params[0].name == "fc.weight"
          and other.params[0].shape == (4, 5) and lib.params[0].shape == (8, 6))

    # wlc itself is part of the key: a touched wlc recompiles.
    st = os.stat(wrapper)
    os.utime(wrapper, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
    n = len(runs())
    lib6 = wl.compile(src, cache_dir=cache)
    check("wlc_change_new_key", lib6.path != lib3.path and len(runs()) == n + 1)

    # $WL_CACHE_DIR is the default cache directory.
    env_cache = os.path.join(t, "env-cache")
    os.environ["WL_CACHE_DIR"] = env_cache
    lib7 = wl.compile(src)
    check("wl_cache_dir_env", lib7.path.startswith(env_cache + os.sep), lib7.path)
    del os.environ["WL_CACHE_DIR"]

    # Compile errors: CompileError with wlc's file:line:col message; nothing cached.
    bad = os.path.join(t, "bad.wl")
    with open(bad, "w") as f:
        f.write("model Bad {\n  input x: f32[4]\n  label y: i32\n"
                "  linear fc: 4 -> 3 { weight = dens }\n  forward { return fc(x) }\n"
                "  loss = cross_entropy(forward, y)\n  optimize { default: sgd(lr = 0.1) }\n}\n")
    bad_cache = os.path.join(t, "bad-cache")
    e = raises("syntax_error_raises", wl.CompileError, wl.compile, bad, cache_dir=bad_cache,
               contains=["bad.wl:4:32: error:", "unknown structure 'dens'"])
    check("syntax_error_attrs", e is not None and e.returncode not in (0, None)
          and e.message == str(e) and e.command[1] == bad, e and (e.returncode, e.command))
    check("syntax_error_no_cache_entry", os.listdir(bad_cache) == [], os.listdir(bad_cache))
    raises("missing_source", FileNotFoundError, wl.compile, os.path.join(t, "nope.wl"),
           cache_dir=cache, contains=["nope.wl"])
    raises("bad_opt_level", ValueError, wl.compile, src, cache_dir=cache, opt_level=7,
           contains=["opt_level"])

    # No compiler: a clear error, for $WLC and for PATH.
    os.environ["WLC"] = os.path.join(t, "no-such-wlc")
    raises("missing_wlc_env", FileNotFoundError, wl.compile, src, cache_dir=cache,
           contains=["$WLC", "no-such-wlc"])
    del os.environ["WLC"]
    # Without $WLC, the wlc beside the package comes first: the source tree's
    # build/bin/wlc (lit runs the package from runtime/python). A copy of the
    # package with no build tree beside it and no wlc on PATH must fail clearly.
    import shutil
    package_copy = os.path.join(t, "pkg")
    shutil.copytree(os.path.dirname(wl.__file__), os.path.join(package_copy, "wl"))
    probe = subprocess.run(
        [sys.executable, "-c", "import wl\ntry:\n    wl.find_wlc()\nexcept FileNotFoundError as e:"
         "\n    print('FileNotFoundError', e)"],
        env=dict(os.environ, PYTHONPATH=package_copy, PATH=t), capture_output=True, text=True)
    check("missing_wlc_path", probe.stdout.startswith("FileNotFoundError") and "PATH" in probe.stdout,
          probe.stdout + probe.stderr)
    os.environ["WLC"] = real_wlc

    # Two processes compiling the same model at once into an empty cache: both get the
    # same, complete library; no temporary directory is left behind.
    race = os.path.join(t, "race-cache")
    code = ("import sys, wl; lib = wl.compile(sys.argv[1], cache_dir=sys.argv[2]); "
            "m = lib.create(0); print(lib.path)")
    procs = [subprocess.Popen([sys.executable, "-c", code, copy, race], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate() for p in procs]
    paths = [o[0].decode().strip() for o in outs]
    check("concurrent_compile", all(p.returncode == 0 for p in procs) and paths[0] == paths[1]
          and os.path.isfile(paths[0]), (paths, [o[1].decode()[-500:] for o in outs]))
    check("concurrent_no_temp_left", len(os.listdir(race)) == 1, os.listdir(race))


guarded(main)
