"""Runs the lowered sequence ops against a float64 numpy reference.

Each configuration is a hand-written wl module (@forward, @backward entry
points taking the arena first) lowered by wl-opt to the LLVM dialect,
translated and compiled by LLVM 22's tools (mlir-translate, llc), linked by
the system's cc with LLVM 22's libomp into a shared library, and called
through the C interface (_mlir_ciface_wlgen_*: one memref descriptor per
operand). Usage: sequence_numerics.py WORKDIR LLVM_TOOLS_DIR
"""
import ctypes
import itertools
import os
import subprocess
import sys

import numpy as np

WORK = sys.argv[1]
TOOLS = sys.argv[2]  # LLVM 22's bin/: an older clang or llc on PATH cannot read its IR
LIBDIR = os.path.join(os.path.dirname(TOOLS), "lib")
LOWER = ("wl-opt --wl-assign-arena --convert-wl-to-linalg --canonicalize --cse "
         "--wl-fuse-elementwise --canonicalize --wl-llvm-pipeline")
# Temporaries come from the runtime's allocator in a real library; malloc here.
ALLOC_C = r"""
#include <stdlib.h>
void *_mlir_memref_to_llvm_alloc(size_t n) { return malloc(n); }
void *_mlir_memref_to_llvm_aligned_alloc(size_t a, size_t n) {
  void *p = 0;
  return posix_memalign(&p, a < sizeof(void *) ? sizeof(void *) : a, n) ? 0 : p;
}
void _mlir_memref_to_llvm_free(void *p) { free(p); }
"""


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)


def build(name, text):
    base = os.path.join(WORK, name)
    with open(base + ".mlir", "w") as f:
        f.write(text)
    with open(os.path.join(WORK, "alloc.c"), "w") as f:
        f.write(ALLOC_C)
    sh(f"{LOWER} {base}.mlir -o {base}.llvm.mlir")
    sh(f"{TOOLS}/mlir-translate --mlir-to-llvmir {base}.llvm.mlir -o {base}.ll")
    sh(f"{TOOLS}/llc -O2 -filetype=obj -relocation-model=pic {base}.ll -o {base}.o")
    sh(f"cc -O2 -shared -fPIC {base}.o {WORK}/alloc.c {LIBDIR}/libomp.so "
       f"-Wl,-rpath,{LIBDIR} -o {base}.so")
    return ctypes.CDLL(base + ".so")


def call(fn, *arrays):
    """fn(&desc...) with a strided memref descriptor per contiguous array."""
    descs = []
    for a in arrays:
        assert a.flags.c_contiguous
        n = a.ndim
        fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p),
                  ("offset", ctypes.c_int64), ("sizes", ctypes.c_int64 * n),
                  ("strides", ctypes.c_int64 * n)]
        Desc = type("Desc%d" % n, (ctypes.Structure,), {"_fields_": fields})
        strides = [s // a.itemsize for s in a.strides]
        descs.append(Desc(a.ctypes.data, a.ctypes.data, 0,
                          (ctypes.c_int64 * n)(*a.shape),
                          (ctypes.c_int64 * n)(*strides)))
    fn(*[ctypes.byref(d) for d in descs])


# ----------------------------------------------------------------- attention
def attention_module(T, H, D, causal, scale, rope, base):
    a = (f"{{length = {T} : i64, heads = {H} : i64, causal = {str(causal).lower()}, "
         f"scale = {scale!r} : f64, rope = {str(rope).lower()}, rope_base = {base!r} : f64}}")
    r, s = f"tensor<?x{D}xf32>", f"tensor<?x{H}xf32>"
    return f"""
module attributes {{wl.model = {{model = "attention"}}}} {{
  func.func @forward(%q: {r}, %k: {r}, %v: {r}) -> ({r}, {s}) {{
    %o:2 = wl.attention %q, %k, %v {a} : ({r}, {r}, {r}) -> ({r}, {s})
    return %o#0, %o#1 : {r}, {s}
  }}
  func.func @backward(%q: {r}, %k: {r}, %v: {r}, %o: {r}, %st: {s}, %d: {r}) -> ({r}, {r}, {r}) {{
    %g:3 = wl.attention_grad %q, %k, %v, %o, %st, %d {a} : ({r}, {r}, {r}, {r}, {s}, {r}) -> ({r}, {r}, {r})
    return %g#0, %g#1, %g#2 : {r}, {r}, {r}
  }}
}}
"""


def rotations(T, m, base):
    """R[t] with rope(x_t) = R[t] x_t (rotate_half, ALGORITHMS.md)."""
    j = np.arange(m // 2)
    theta = base ** (-2.0 * j / m)
    R = np.zeros((T, m, m))
    for t in range(T):
        c, s = np.cos(t * theta), np.sin(t * theta)
        R[t, j, j], R[t, j, j + m // 2] = c, -s
        R[t, j + m // 2, j + m // 2], R[t, j + m // 2, j] = c, s
    return R


def attention_reference(q, k, v, dout, T, H, causal, scale, rope, base):
    """out, logsumexp and the VJP (dq, dk, dv) in float64."""
    BT, D = q.shape
    m = D // H
    out, lse = np.zeros((BT, D)), np.zeros((BT, H))
    dq, dk, dv = np.zeros((BT, D)), np.zeros((BT, D)), np.zeros((BT, D))
    R = rotations(T, m, base) if rope else np.broadcast_to(np.eye(m), (T, m, m))
    mask = np.tril(np.ones((T, T), bool)) if causal else np.ones((T, T), bool)
    for b, h in itertools.product(range(BT // T), range(H)):
        rows, cols = slice(b * T, b * T + T), slice(h * m, h * m + m)
        Q = np.einsum("tij,tj->ti", R, q[rows, cols])
        K = np.einsum("tij,tj->ti", R, k[rows, cols])
        V, dO = v[rows, cols], dout[rows, cols]
        Z = np.where(mask, scale * Q @ K.T, -np.inf)
        mx = Z.max(1, keepdims=True)
        E = np.exp(Z - mx)
        A = E / E.sum(1, keepdims=True)
        out[rows, cols] = A @ V
        lse[rows, h] = (mx + np.log(E.sum(1, keepdims=True)))[:, 0]
        dA = dO @ V.T
        dZ = A * (dA - (dA * A).sum(1, keepdims=True))
        dq[rows, cols] = np.einsum("tji,tj->ti", R, scale * dZ @ K)  # R_tᵀ
        dk[rows, cols] = np.einsum("tji,tj->ti", R, scale * dZ.T @ Q)
        dv[rows, cols] = A.T @ dO
    return out, lse, dq, dk, dv


def check_attention(B, T, H, D, causal, rope, base=10000.0):
    scale = 1.0 / np.sqrt(D // H)
    name = f"attention_T{T}_H{H}_D{D}_c{int(causal)}_r{int(rope)}"
    lib = build(name, attention_module(T, H, D, causal, scale, rope, base))
    rng = np.random.default_rng(T * 7 + H)
    q, k, v, dout = (rng.standard_normal((B * T, D)).astype(np.float32) for _ in range(4))
    out, stats = np.zeros((B * T, D), np.float32), np.zeros((B * T, H), np.float32)
    arena = np.zeros(1, np.float32)
    call(lib._mlir_ciface_wlgen_forward, arena, q, k, v, out, stats)
    dq, dk, dv = (np.zeros((B * T, D), np.float32) for _ in range(3))
    call(lib._mlir_ciface_wlgen_backward, arena, q, k, v, out, stats, dout, dq, dk, dv)
    ref = attention_reference(*(x.astype(np.float64) for x in (q, k, v, dout)),
                              T, H, causal, scale, rope, base)
    error = max(np.abs(x - r).max() for x, r in zip((out, stats, dq, dk, dv), ref))
    print(f"attention B={B} T={T} H={H} D={D} causal={causal} rope={rope}: "
          + ("ok" if error < 1e-5 else f"max abs error {error:.3g}"))


# ----------------------------------------------- embeddings and mean pooling
def check_sequence_ops(B=3, T=5, V=11, D=6):
    text = f"""
module attributes {{wl.model = {{model = "sequence"}}}} {{
  func.func @forward(%ids: tensor<?x{T}xi32>, %e: tensor<{V}x{D}xf32>) -> (tensor<?x{D}xf32>, tensor<?x{D}xf32>) {{
    %x = wl.embedding %e, %ids : (tensor<{V}x{D}xf32>, tensor<?x{T}xi32>) -> tensor<?x{D}xf32>
    %m = wl.mean_pool %x {{length = {T} : i64}} : (tensor<?x{D}xf32>) -> tensor<?x{D}xf32>
    return %x, %m : tensor<?x{D}xf32>, tensor<?x{D}xf32>
  }}
  func.func @backward(%ids: tensor<?x{T}xi32>, %dy: tensor<?x{D}xf32>, %dm: tensor<?x{D}xf32>) -> (tensor<{V}x{D}xf32>, tensor<?x{D}xf32>, tensor<?x{T}xi32>) {{
    %g = wl.embedding_grad %ids, %dy : (tensor<?x{T}xi32>, tensor<?x{D}xf32>) -> tensor<{V}x{D}xf32>
    %h = wl.mean_pool_grad %dm {{length = {T} : i64}} : (tensor<?x{D}xf32>) -> tensor<?x{D}xf32>
    %p = wl.positions %ids {{length = {T} : i64}} : tensor<?x{T}xi32> -> tensor<?x{T}xi32>
    return %g, %h, %p : tensor<{V}x{D}xf32>, tensor<?x{D}xf32>, tensor<?x{T}xi32>
  }}
}}
"""
    lib = build("sequence", text)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, V, (B, T)).astype(np.int32)
    ids[0, :3] = 4                      # repeated ids accumulate
    ids[1, 0], ids[2, 4] = -3, V + 7    # out of range: clamped
    table = rng.standard_normal((V, D)).astype(np.float32)
    x, pooled = np.zeros((B * T, D), np.float32), np.zeros((B, D), np.float32)
    arena = np.zeros(1, np.float32)
    call(lib._mlir_ciface_wlgen_forward, arena, ids, table, x, pooled)
    dy = rng.standard_normal((B * T, D)).astype(np.float32)
    dm = rng.standard_normal((B, D)).astype(np.float32)
    dtable, dh = np.zeros((V, D), np.float32), np.zeros((B * T, D), np.float32)
    positions = np.zeros((B, T), np.int32)
    call(lib._mlir_ciface_wlgen_backward, arena, ids, dy, dm, dtable, dh, positions)
    rows = np.clip(ids, 0, V - 1).reshape(-1)
    ref_dtable = np.zeros((V, D))
    np.add.at(ref_dtable, rows, dy.astype(np.float64))
    errors = {
        "embedding": np.abs(x - table[rows]).max(),
        "mean_pool": np.abs(pooled - table[rows].reshape(B, T, D).mean(1)).max(),
        "embedding_grad": np.abs(dtable - ref_dtable).max(),
        "mean_pool_grad": np.abs(dh - np.repeat(dm / T, T, axis=0)).max(),
        "positions": np.abs(positions - np.arange(T)[None]).max(),
    }
    for name, error in errors.items():
        print(f"{name}: " + ("ok" if error < 1e-5 else f"max abs error {error:.3g}"))


if __name__ == "__main__":
    # Tiles of 64 rows: T = 150 is two full tiles and a partial one; T = 45
    # and T = 7 one partial tile; T = 64 one tile exactly; T = 65 a full
    # tile and a single row.
    for causal, rope in itertools.product([False, True], repeat=2):
        check_attention(2, 150, 2, 16, causal, rope)
    check_attention(3, 45, 2, 16, True, True)
    check_attention(2, 7, 2, 8, True, True)
    check_attention(2, 64, 4, 32, True, False)
    check_attention(1, 65, 2, 16, True, False)
    check_sequence_ops()
