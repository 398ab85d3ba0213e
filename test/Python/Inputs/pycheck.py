"""Shared helpers of the test/Python scripts: `check` prints `OK <name>` (what FileCheck
matches) or `FAIL <name>: detail`; `finish()` exits 1 if anything failed."""
import os
import shutil
import sys
import traceback

import numpy as np

INPUTS = os.path.dirname(os.path.abspath(__file__))
_failed = []


def check(name, cond, detail=""):
    if cond:
        print("OK %s" % name)
    else:
        print("FAIL %s: %s" % (name, detail))
        _failed.append(name)
    sys.stdout.flush()
    return bool(cond)


def close(name, got, want, rtol=1e-5, atol=1e-6):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    if got.shape != want.shape:
        return check(name, False, "shape %s vs %s" % (got.shape, want.shape))
    err = float(np.max(np.abs(got - want) - rtol * np.abs(want))) if got.size else 0.0
    return check(name, np.all(np.isfinite(got)) and err <= atol,
                 "max excess error %.3g > %.3g" % (err, atol))


def raises(name, exc_type, fn, *args, contains=(), **kwargs):
    """Checks that fn(*args) raises exc_type whose str() contains every string of
    `contains`; returns the exception (or None)."""
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        msg = str(e)
        missing = [c for c in contains if c not in msg]
        check(name, not missing, "message %r lacks %r" % (msg, missing))
        return e
    except Exception as e:  # the wrong kind
        check(name, False, "raised %s: %s" % (type(e).__name__, e))
        return None
    check(name, False, "did not raise %s" % exc_type.__name__)
    return None


def workdir(path):
    """A fresh empty directory (the test's %t)."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def copy_input(name, dst_dir):
    dst = os.path.join(dst_dir, name)
    shutil.copyfile(os.path.join(INPUTS, name), dst)
    return dst


def finish():
    if _failed:
        print("FAILED: %s" % ", ".join(_failed))
        sys.exit(1)
    print("ALL OK")


def guarded(main):
    """Runs main(); an unexpected exception is a failure with its traceback."""
    try:
        main()
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc(file=sys.stdout)
        print("FAIL unexpected exception")
        sys.exit(1)
    finish()
