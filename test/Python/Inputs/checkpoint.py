"""Checkpoints and exports through the wl package: save/load round trip (params, momentum
state and step count: training resumes bit for bit), wl_save's file read by
wl.safetensors.load_file, a file written by wl.safetensors.save_file read by wl_load,
export_dense read back and reproducing forward in numpy, and the checkpoint errors.
argv[1]: a scratch directory (%t)."""
import os
import sys

import numpy as np

from pycheck import INPUTS, check, close, guarded, raises, workdir

import wl
from wl.safetensors import load_file, load_metadata, save_file


def main():
    t = workdir(sys.argv[1])
    cache = os.path.join(t, "cache")
    lib = wl.compile(os.path.join(INPUTS, "mse.wl"), cache_dir=cache)
    rng = np.random.default_rng(2)
    batches = [(rng.standard_normal((6, 5)).astype(np.float32),
                rng.standard_normal((6, 2)).astype(np.float32)) for _ in range(6)]

    a = lib.create(seed=0)
    for x, y in batches[:3]:
        a.train_step(x, y)
    ckpt = os.path.join(t, "a.safetensors")
    a.save(ckpt)
    b = lib.create(seed=5)
    b.load(ckpt)
    names = list(a.params)
    check("load_params", all(np.array_equal(a.params[n], b.params[n]) for n in names))
    check("load_step_count", b.step_count == 3)
    for x, y in batches[3:]:
        la, lb = a.train_step(x, y), b.train_step(x, y)
    check("resume_bitwise", la == lb and all(np.array_equal(a.params[n], b.params[n]) for n in names))
    c = lib.create(seed=5)
    c.params.update(dict(a.params))  # params alone: no momentum, no step count
    c.load(ckpt)
    for x, y in batches[3:]:
        c.train_step(x, y)
    check("resume_needs_state", all(np.array_equal(a.params[n], c.params[n]) for n in names))

    # wl_save's file through wl.safetensors
    st = load_file(ckpt)
    meta = load_metadata(ckpt)
    check("wl_save_metadata", meta.get("format") == "wl" and meta.get("model") == "PyMse", meta)
    check("wl_save_step", "optim.step" in st and st["optim.step"].dtype == np.int64
          and st["optim.step"].shape == () and int(st["optim.step"]) == 3, st.get("optim.step"))
    b2 = lib.create(0)
    b2.load(ckpt)
    check("wl_save_params", all(np.array_equal(st[n], b2.params[n]) and st[n].dtype == np.float32
                                for n in names))
    states = [k for k in st if k.startswith("optim.") and k != "optim.step"]
    check("wl_save_momentum", len(states) == 3 and all(np.any(st[k] != 0) for k in states), states)

    # a file written by save_file loads with wl_load (edited weight, same state)
    st["fc.weight"] = st["fc.weight"] * 2 + 1
    st["optim.step"] = np.array(11, np.int64)
    edited = os.path.join(t, "edited.safetensors")
    save_file(st, edited, metadata=meta)
    b2.load(edited)
    check("save_file_to_wl_load", np.array_equal(b2.params["fc.weight"], st["fc.weight"])
          and b2.step_count == 11)
    # ... also in another order (sorted names), as the reference safetensors writer does
    save_file({k: st[k] for k in sorted(st)}, edited, metadata=meta)
    b3 = lib.create(0)
    b3.load(edited)
    check("save_file_sorted_to_wl_load", np.array_equal(b3.params["fc.weight"], st["fc.weight"]))

    # checkpoint errors: the model is unchanged
    before = b3.params["fc.weight"]
    e = raises("load_missing", wl.WLError, b3.load, os.path.join(t, "missing.safetensors"),
               contains=["wl_load", "missing.safetensors"])
    check("load_missing_status", e is not None and e.status_name == "WL_ERR_IO"
          and e.function == "wl_load" and e.status == 3, e and e.status_name)
    st32 = dict(st)
    st32["fc.weight"] = st["fc.weight"].astype(np.float64)
    save_file(st32, edited, metadata=meta)
    e = raises("load_wrong_dtype", wl.WLError, b3.load, edited, contains=["fc.weight", "F64"])
    check("load_wrong_dtype_status", e is not None and e.status_name == "WL_ERR_SHAPE",
          e and e.status_name)
    check("load_error_keeps_model", np.array_equal(b3.params["fc.weight"], before))
    e = raises("save_unwritable", wl.WLError, b3.save, os.path.join(t, "no", "dir", "x.st"))
    check("save_unwritable_status", e is not None and e.status_name == "WL_ERR_IO", e and e.status_name)
    mlp = wl.compile(os.path.join(INPUTS, "mlp.wl"), cache_dir=cache)
    mm = mlp.create(0)
    raises("load_other_model", wl.WLError, mm.load, ckpt)

    # export_dense: a torch.nn.Linear state_dict that reproduces forward
    x = rng.standard_normal((8, 6)).astype(np.float32)
    mm.train_step(x, rng.integers(0, 3, 8).astype(np.int32))
    dense = os.path.join(t, "dense.safetensors")
    mm.export_dense(dense)
    d = load_file(dense)
    check("export_names", list(d) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
          and all(v.dtype == np.float32 for v in d.values()), list(d))
    check("export_weights", np.array_equal(d["fc1.weight"], mm.weight("fc1"))
          and np.array_equal(d["fc2.bias"], mm.params["fc2.bias"]))
    x64 = x.astype(np.float64)
    h = np.maximum(x64 @ d["fc1.weight"].T.astype(np.float64) + d["fc1.bias"], 0)
    close("export_forward", mm.forward(x), h @ d["fc2.weight"].T.astype(np.float64) + d["fc2.bias"],
          1e-5, 1e-5)
    a.export_dense(dense)
    d = load_file(dense)
    check("export_no_bias", list(d) == ["fc.weight", "fc.bias", "out.weight"], list(d))
    xm = rng.standard_normal((4, 5))
    close("export_forward_mse", a.forward(xm.astype(np.float32)),
          np.tanh(xm @ d["fc.weight"].T + d["fc.bias"]) @ d["out.weight"].T, 1e-5, 1e-5)
    raises("export_unwritable", wl.WLError, a.export_dense, os.path.join(t, "no", "dir", "d.st"),
           contains=["wl_export_dense"])
    # pathlib paths work everywhere a path is taken
    import pathlib
    a.save(pathlib.Path(t) / "p.safetensors")
    b.load(pathlib.Path(t) / "p.safetensors")
    check("pathlib_paths", b.step_count == a.step_count)


guarded(main)
