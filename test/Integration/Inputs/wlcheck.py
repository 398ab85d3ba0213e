"""wlcheck: shared driver for the integration scripts.

A script defines reference.Spec objects for the model(s) of its .wl file and a
function run(lib, spec). `wlcheck.main(run, specs)` opens the library given as
argv[1], picks the spec by wl_model_name(), checks the ABI metadata against it
and calls run. Checks print `OK <name> max_err=<e> tol=<t>` (what FileCheck
matches) or raise Failure, which prints details and exits 1.

For self-tests without the compiler, argv[1] may be `mock:<ModelName>`: the
library is then mock_wl.MockLibrary (the float32 reference behind the same API).
"""
import sys
import traceback

import numpy as np


class Failure(Exception):
    pass


def ok(name, err, tol, detail=""):
    """Pass when err <= tol (NaN fails)."""
    if not (err <= tol):
        raise Failure("%s: max_err=%.3g > tol=%.3g %s" % (name, err, tol, detail))
    print("OK %s max_err=%.3g tol=%.3g" % (name, err, tol))
    sys.stdout.flush()


def expect(cond, name, detail=""):
    if not cond:
        raise Failure("%s: %s" % (name, detail))
    print("OK %s" % name)
    sys.stdout.flush()


def check_metadata(lib, spec):
    expect(lib.abi_version == 1, "abi_version", "got %r" % lib.abi_version)
    expect(lib.model_name == spec.name, "model_name", "got %r want %r" % (lib.model_name, spec.name))
    expect((lib.input_size, lib.output_size) == (spec.input_size, spec.output_size), "sizes",
           "got %r" % ((lib.input_size, lib.output_size),))
    expect(lib.label_kind == spec.label_kind, "label_kind", "got %r" % lib.label_kind)
    got = [(n, tuple(s)) for n, s, _ in lib.param_info]
    want = [(n, tuple(s)) for n, s in spec.params.items()]
    expect(sorted(got) == sorted(want), "param_names_shapes", "got %r\nwant %r" % (got, want))
    expect(all(t for _, _, t in lib.param_info), "params_trainable",
           "%r" % [(n, t) for n, _, t in lib.param_info])


def open_library(path, specs):
    if path.startswith("mock:"):
        import mock_wl
        return mock_wl.MockLibrary(specs[path[5:]])
    import wlharness
    return wlharness.Library(path)


def main(run, specs, check_meta=True):
    if isinstance(specs, (list, tuple)):
        specs = {s.name: s for s in specs}
    if len(sys.argv) < 2:
        print("usage: %s lib<model>.so [args...]" % sys.argv[0], file=sys.stderr)
        sys.exit(2)
    np.set_printoptions(precision=6, linewidth=120)
    try:
        lib = open_library(sys.argv[1], specs)
        if lib.model_name not in specs:
            raise Failure("unexpected model %r (script knows %s)" % (lib.model_name, sorted(specs)))
        spec = specs[lib.model_name]
        if check_meta:
            check_metadata(lib, spec)
        run(lib, spec, *sys.argv[2:])
    except Failure as e:
        print("FAIL", e, file=sys.stderr)
        sys.exit(1)
    except Exception:
        traceback.print_exc()
        print("FAIL (exception)", file=sys.stderr)
        sys.exit(1)


# ---------------------------------------------------------------------------
# safetensors: through wl.safetensors (runtime/python/wl/safetensors.py); the raw header
# (dtype names, data_offsets as stored) through safetensors_raw.


def read_safetensors(path):
    """{name: array} (wl.safetensors.load_file, file order) and the raw header dict; raises
    Failure on malformed files."""
    import safetensors_raw
    import wlharness  # noqa: F401  (puts runtime/python on sys.path when PYTHONPATH lacks it)
    from wl.safetensors import load_file
    try:
        return load_file(path), safetensors_raw.read_header(path)
    except ValueError as e:
        raise Failure(str(e)) from None


def write_safetensors(path, tensors, metadata=None):
    """Write {name: array} in sorted name order (wl.safetensors.save_file); `metadata` (a dict
    of strings) becomes "__metadata__" (a wl checkpoint carries {"format": "wl", "model": ...,
    "abi": ...}; wl_load wants it)."""
    import wlharness  # noqa: F401  (puts runtime/python on sys.path when PYTHONPATH lacks it)
    from wl.safetensors import save_file
    save_file({name: np.asarray(tensors[name]) for name in sorted(tensors)}, path, metadata)
