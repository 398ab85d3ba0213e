"""A frozen base read by wlc's runtime from a safetensors file written by
wl.safetensors.save_file (F16, BF16 and F64 tensors, converted by the runtime at
wl_create), LoRA adapters on top: the params equal the file's values, are frozen (no
gradient, unchanged by training), the effective weight is the base at creation;
the cache key follows the file's tensor table (not its data, read at wl_create); a
missing file makes create() raise WLError with the runtime's reason.
argv[1]: a scratch directory (%t)."""
import os
import sys

import numpy as np

from pycheck import check, copy_input, guarded, raises, workdir

import wl
from wl.safetensors import load_file, save_file


def main():
    t = workdir(sys.argv[1])
    cache = os.path.join(t, "cache")
    src = copy_input("frozen.wl", t)  # from("base.safetensors", ...) is relative to it
    base = os.path.join(t, "base.safetensors")
    rng = np.random.default_rng(3)
    tensors = {"a.base": rng.standard_normal((8, 6)).astype(np.float32),
               "a.bias": rng.standard_normal(8),  # float64: stored as F64
               "b.base": rng.standard_normal((3, 8)).astype(np.float32),
               "unused": np.arange(5, dtype=np.int64)}
    save_file(tensors, base, metadata={"what": "frozen test"}, dtypes={"a.base": "F16", "b.base": "BF16"})
    stored = load_file(base)
    check("stored_dtypes", stored["a.base"].dtype == np.float16 and stored["b.base"].dtype == np.float32
          and stored["a.bias"].dtype == np.float64 and stored["unused"].dtype == np.int64,
          {k: v.dtype for k, v in stored.items()})

    lib = wl.compile(src, cache_dir=cache)
    check("params", [(p.name, p.shape, p.trainable) for p in lib.params] == [
        ("a.weight.base", (8, 6), False), ("a.weight.lora_A", (2, 6), True),
        ("a.weight.lora_B", (8, 2), True), ("a.bias", (8,), True),
        ("b.weight.base", (3, 8), False), ("b.weight.lora_A", (2, 8), True),
        ("b.weight.lora_B", (3, 2), True), ("b.bias", (3,), True)], lib.params)
    m = lib.create(seed=0)
    # The runtime converts F16 and BF16 exactly, F64 by rounding to nearest (as numpy).
    want_a = stored["a.base"].astype(np.float32)
    want_b = stored["b.base"]
    check("from_f16", np.array_equal(m.params["a.weight.base"], want_a))
    check("from_bf16", np.array_equal(m.params["b.weight.base"], want_b))
    check("from_f64", np.array_equal(m.params["a.bias"], stored["a.bias"].astype(np.float32)))
    check("bf16_rounded", not np.array_equal(want_b, tensors["b.base"])
          and np.max(np.abs(want_b - tensors["b.base"]) / np.abs(tensors["b.base"])) <= 2 ** -8)
    check("weight_is_base_at_create", np.array_equal(m.weight("a"), want_a)
          and np.array_equal(m.weight("b"), want_b))
    check("grads_trainable_only", list(m.grads) == [p.name for p in lib.params if p.trainable]
          and "a.weight.base" not in m.grads)
    raises("grad_of_frozen", KeyError, lambda: m.grads["a.weight.base"], contains=["frozen"])
    x = rng.standard_normal((10, 6)).astype(np.float32)
    y = rng.integers(0, 3, 10).astype(np.int32)
    losses = [m.train_step(x, y) for _ in range(20)]
    check("trains", losses[-1] < losses[0], losses[::5])
    check("base_unchanged", np.array_equal(m.params["a.weight.base"], want_a)
          and np.array_equal(m.params["b.weight.base"], want_b))
    check("adapters_changed", np.any(m.params["a.weight.lora_B"] != 0)
          and not np.array_equal(m.weight("a"), want_a))
    dense = os.path.join(t, "dense.safetensors")
    m.export_dense(dense)
    d = load_file(dense)
    h = np.maximum(x.astype(np.float64) @ d["a.weight"].T + d["a.bias"], 0)
    check("export_merged", np.allclose(m.forward(x), h @ d["b.weight"].T + d["b.bias"], rtol=1e-5,
                                       atol=1e-5) and list(d) == ["a.weight", "a.bias", "b.weight", "b.bias"], list(d))

    # New data, same tensor table: a cache hit, and wl_create reads the new values.
    tensors2 = dict(tensors, **{"a.base": tensors["a.base"] * 2})
    save_file(tensors2, base, metadata={"what": "frozen test"}, dtypes={"a.base": "F16", "b.base": "BF16"})
    lib2 = wl.compile(src, cache_dir=cache)
    check("same_table_cache_hit", lib2.path == lib.path)
    check("data_read_at_create", np.array_equal(lib2.create(0).params["a.weight.base"],
                                                load_file(base)["a.base"].astype(np.float32)))
    # Another dtype changes the tensor table: a new key (wlc runs again).
    save_file(tensors2, base, metadata={"what": "frozen test"}, dtypes={"a.base": "F32", "b.base": "BF16"})
    lib3 = wl.compile(src, cache_dir=cache)
    check("table_change_new_key", lib3.path != lib.path)
    check("table_change_values", np.array_equal(lib3.create(0).params["a.weight.base"],
                                                tensors2["a.base"]))

    # The file gone: wl_create fails, its reason surfaces.
    os.rename(base, base + ".away")
    e = raises("create_missing_base", wl.WLError, lib3.create, 0,
               contains=["wl_create", "base.safetensors", "No such file or directory"])
    check("create_error_attrs", e is not None and e.function == "wl_create" and e.status == -1,
          e and (e.function, e.status))
    os.rename(base + ".away", base)
    check("create_after_restore", lib3.create(0).forward(x).shape == (10, 3))


guarded(main)
