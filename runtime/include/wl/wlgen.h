/* wlgen.h - the interface between the runtime (libwlrt) and the code wlc generates.
 *
 * Everything a model owns lives in one float32 "arena": parameters (trainable and frozen),
 * gradients of trainable parameters, and optimizer state. The compiler decides the layout
 * and describes it in a JSON document (wlgen_metadata); the runtime allocates the arena,
 * initialises it, and calls the generated entry points below, which read and write arena
 * regions in place. The step count t lives in the runtime's wl_model (an int64).
 *
 * Entry points are MLIR functions with the `llvm.emit_c_interface` attribute, so each
 * memref argument arrives as a pointer to a strided memref descriptor.
 *
 * wlgen_metadata (a NUL-terminated JSON object):
 * {
 *   "abi": 1, "model": "mlp",
 *   "input_size": 784, "output_size": 10,
 *   "label_kind": 0,          // 0: i32 class labels [B]; 1: f32 targets [B, target_size]
 *   "target_size": 10,        // only meaningful for label_kind 1
 *   "arena_size": 123456,     // floats
 *   "params": [ {
 *       "name": "fc1.weight", "shape": [256, 784], "offset": 0, "trainable": true,
 *       "init": {"kind": "normal", "std": 0.0357}   // kinds below
 *       "grad_offset": 200704,                      // -1 when not trainable
 *       "state": [ {"name": "momentum", "offset": 401408} ]   // optimizer and constraint state;
 *                  // same shape as the parameter unless the entry has "shape": [..]
 *                  // (e.g. a power-iteration vector "power_u" of shape [OUT])
 *   } ],
 *   "layers": [ {"name": "fc1", "in": 784, "out": 256, "structure": "dense",
 *                "weight": "fc1.weight", "bias": "fc1.bias"} ],   // "bias": "" when none
 *              // structure: "dense", "orthogonal(cayley|exp|householder|polar)", "svd",
 *              // "diagonal". Structured layers (all but dense and orthogonal(polar)) add
 *              // "factors": the params W is built from, in LANGUAGE.md's order (svd: U, s, V),
 *              // and "weight" names the first of them.
 *   "lipschitz": [NODE, ...]   // the forward graph for the certificate, in SSA order; the
 *                              // last node is the model output. Each NODE is one of
 *        {"op":"input"} | {"op":"layer","layer":"fc1","arg":i}
 *      | {"op":"scale","factor":0.5,"arg":i}   (activation constants and scalar products)
 *      | {"op":"add","args":[i, j]}            where i, j index earlier nodes
 * }
 * Init kinds: {"kind":"zeros"}, {"kind":"ones"}, {"kind":"normal","std":s},
 *             {"kind":"uniform","a":a} (U(-a, a)), {"kind":"orthogonal"}.
 *
 * Checkpoints (safetensors) hold every parameter under its name, each optimizer state
 * tensor as "optim.<param>.<state>", and the step count as "optim.step" (I64, shape []).
 *
 * Additions (runtime/README.md):
 * - Linking: model.o references nothing in libwlrt, so link the archive whole:
 *   c++ -shared model.o -Wl,--whole-archive libwlrt.a -Wl,--no-whole-archive
 *       -Wl,--version-script=<exports wl_*>
 * - Metadata keys the runtime treats as optional: "target_size" (default output_size for
 *   label_kind 1), "grad_offset" (default -1), "state" (default []), "layers" (default []),
 *   "lipschitz" (absent: wl_lipschitz_bound fails with a message). Offsets are in floats;
 *   every region must lie inside the arena and a "dense" layer's weight must be [out, in].
 * - The arena passed to every entry point is 64-byte aligned, offset 0, stride 1.
 * - A "state" entry's optional "shape" (default: the param's) governs its region check,
 *   its zeroing in wl_create and its checkpoint tensor "optim.<param>.<state>".
 * - wl_create: initialisers, then grads and state zeroed, then wlgen_project if defined.
 */
#ifndef WL_WLGEN_H
#define WL_WLGEN_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} wlgen_memref1d;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} wlgen_memref2d;

extern const char wlgen_metadata[];

/* y[B, OUT] = model(x[B, IN]). */
void _mlir_ciface_wlgen_forward(wlgen_memref1d *arena, wlgen_memref2d *x, wlgen_memref2d *y);

/* Mean loss over the batch. `labels` is a wlgen_memref1d of int32 (label_kind 0) or a
 * wlgen_memref2d of float [B, target_size] (label_kind 1); passed as void*. */
float _mlir_ciface_wlgen_loss(wlgen_memref1d *arena, wlgen_memref2d *x, void *labels);

/* Recomputes the forward pass, then grads += d<dy, model(x)>/dθ and dx = that gradient
 * w.r.t. x (dx is always written; the runtime passes scratch when the caller gave NULL). */
void _mlir_ciface_wlgen_backward(wlgen_memref1d *arena, wlgen_memref2d *x, wlgen_memref2d *dy,
                                 wlgen_memref2d *dx);

/* Forward + loss + backward of the loss: grads += dloss/dθ; returns the loss. */
float _mlir_ciface_wlgen_loss_backward(wlgen_memref1d *arena, wlgen_memref2d *x, void *labels);

/* One fused optimizer update (all groups, schedule applied) for step number t (t = 1 first). */
void _mlir_ciface_wlgen_step(wlgen_memref1d *arena, int64_t t);

/* Projects every constrained parameter onto its constraint set (exactly, with the
 * creation-time method of each constraint) and initialises constraint state such as
 * power-iteration vectors. wlc always generates it (empty without constraints); the
 * runtime declares it weak and wl_create calls it, when present, after the initialisers. */
void _mlir_ciface_wlgen_project(wlgen_memref1d *arena);

/* The effective weight W [out, in] of layer number `layer` (the order of "layers") into
 * `out` (sizes {out, in}, strides {in, 1}), built from its factors by the same generated
 * ops as the forward pass. Always generated; the runtime declares it weak and uses it for
 * wl_get_weight and the certificates of structured layers. */
void _mlir_ciface_wlgen_weight(wlgen_memref1d *arena, int64_t layer, wlgen_memref2d *out);
/* ---- Runtime routines generated code may call ----------------------------------------
 * Defined in libwlrt (src/Linalg.cpp) with hidden visibility: model.o references them and
 * the static link into lib<model>.so resolves them; the version script (wl_* only) never
 * exports them. They need LAPACK: the .so link line carries -llapack. Each W is a float
 * [rows, cols] view: element (i, j) at (float*)aligned + offset + i*strides[0] + j*strides[1]
 * (wlc passes strides {cols, 1} and the param's arena offset). Computation is in float64
 * (LAPACK dgesdd, dgesvd if that fails to converge), rounded once to float. NULL or empty
 * views are no-ops. Non-finite entries leave W unchanged (gram_bound returns NaN). */

/* W <- U diag(min(s_i, c)) V^T in place (the nearest matrix with sigma_max <= c). No-op when
 * sigma_max <= c already (W kept bit for bit), c = +inf or c is NaN; c <= 0 gives W = 0.
 * Only the clipped directions change: W - sum_{s_i > c} (s_i - c) u_i v_i^T. Rounding the
 * result to float may leave sigma_max above c by about sqrt(min(rows, cols)) * 2^-24 * c.
 * Without an SVD (LAPACK failure, out of memory) it falls back to W *= c/||W||_F when
 * ||W||_F > c, which still satisfies the constraint. */
void _mlir_ciface_wlrt_svd_clip(wlgen_memref2d *w, float c);

/* W <- its best rank-r approximation sum_{i<r} s_i u_i v_i^T in place (Eckart-Young, the
 * truncated SVD). No-op for r >= min(rows, cols); r <= 0 gives W = 0. Without an SVD
 * (LAPACK failure, out of memory) W is left unchanged. */
void _mlir_ciface_wlrt_rank_project(wlgen_memref2d *w, int64_t r);

/* A sound upper bound of sigma_max(W): wl_layer_spectral_bound's Gram iteration (float64,
 * T = 6, with its rounding margin), rounded up to float. 0 for an empty view, NaN for a
 * non-finite entry, +inf when out of memory. */
float _mlir_ciface_wlrt_gram_bound(wlgen_memref2d *w);
/* B <- A^-1 B (transpose = 0) or A^-T B (transpose != 0) in place, by LU with partial
 * pivoting (LAPACK sgetrf/sgetrs, float); A [n, n] is only read, B is [n, k]. The Cayley
 * map's solve (orthogonal(method = cayley)). A singular A, mismatched shapes or no memory
 * give B = NaN. */
void _mlir_ciface_wlrt_solve(wlgen_memref2d *a, wlgen_memref2d *b, int64_t transpose);

#ifdef __cplusplus
}
#endif
#endif /* WL_WLGEN_H */
