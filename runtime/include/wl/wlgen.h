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
 *      | {"op":"scale","factor":0.5,"arg":i}   (scalar products)
 *      | {"op":"add","args":[i, j]}            where i, j index earlier nodes
 *      | {"op":"activation","factor":0.25,"magnitude":"keep"|"sigmoid"|"none","width":d,"arg":i}
 *      and for sequence models (ALGORITHMS.md, "Certificates of sequence models"):
 *        {"op":"input","norm":"row","length":T}  (the input measured per position)
 *      | {"op":"positions","length":T}
 *      | {"op":"embedding","layer":"E","arg":i}  (i: the token input, or positions)
 *      | {"op":"attention","args":[q, k, v],"heads":H,"scale":s}
 *      | {"op":"mean_pool","arg":i}
 *      | {"op":"row_norm","kind":"rms"|"layer","eps":e,"width":d,"arg":i}
 *      | {"op":"flatten","length":k,"arg":i}    (k blocks read as one l2 vector: sqrt(k))
 *      Each value is measured as equal blocks of its per-example numbers (the largest
 *      block's l2 norm; one block: plain l2); "width" is a block's length.
 * }
 * Init kinds: {"kind":"zeros"}, {"kind":"ones"}, {"kind":"normal","std":s},
 *             {"kind":"uniform","a":a} (U(-a, a)), {"kind":"orthogonal"},
 *             {"kind":"from","file":"/abs/path.safetensors","tensor":"name"}: wl_create reads
 *             that tensor (F32; F64/F16/BF16 converted to float) whose shape must equal the
 *             param's exactly; any failure makes wl_create return NULL with the reason in
 *             wl_last_error(NULL). "file" and "tensor" are non-empty strings; wlc writes an
 *             absolute path (a relative one is opened relative to the current directory).
 *             "transposed": true (sst's V [IN, OUT] holding W0^T) reads the file's [OUT, IN]
 *             tensor into the param transposed.
 *   "step_tensors": [ {"param": "fc1.weight", "flops": 1.2e9} ]  // the pieces of a sharded
 *              // step in wlgen_step's order: each a distinct trainable param, and the
 *              // compiler's estimate of its cost (flops >= 0). Optional (default []).
 *   "step_tensors_independent": true  // no piece reads a param or state another piece
 *              // writes: wl_step may run pieces side by side. Optional (default false).
 * A frozen param that the step rewrites (sst's "L.weight.sampled") has "step_written": true:
 * the step guard saves and restores it with the trainable params.
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
 * - Sequence models (all optional; the defaults are an ordinary model's meaning):
 *   "input_kind": 0 (f32 features, default) | 1 (i32 token ids);
 *   "input_shape" / "output_shape": per-example dims (default [input_size] / [output_size];
 *   the product must be the size); "sequence_length": T of a sequence input, else 0 (token
 *   input: input_shape [T], T = input_size; float sequence: input_shape [T, d]);
 *   "label_size": labels per example (class labels: 1 or T, and label_size times the last
 *   dim of output_shape (the classes) is output_size; targets: target_size);
 *   "token_limit": V, required for input_kind 1 (every id in [0, V));
 *   "input_domain": {"norm": "row", "bound": c, "row_size": d} (float input only: every row
 *   of d floats has l2 norm <= c·(1 + 1e-6), checked by the runtime before each call);
 *   a layer's "kind": "linear" (default) | "embedding" (E: V -> d, "in": d, "out": V,
 *   weight [V, d], no bias).
 * - "target": "cpu" | "cuda" (optional, default "cpu"; anything else is invalid metadata).
 *   "cuda" (wlc --target=cuda): the entry points run their loop nests as GPU kernels through
 *   MLIR's gpu-to-llvm lowering, which calls the mgpu* functions below. Every buffer they get
 *   or allocate is then CUDA managed memory: the arena, staged copies of the caller's x, dy,
 *   labels, y, dx and wlgen_weight's `out`, and the temporaries of _mlir_memref_to_llvm_alloc.
 *   wl_create fails without a usable GPU (runtime/README.md, "CUDA target").
 */
#ifndef WL_WLGEN_H
#define WL_WLGEN_H
#include <stddef.h>
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

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[3];
  int64_t strides[3];
} wlgen_memref3d;

extern const char wlgen_metadata[];

/* y[B, OUT] = model(x[B, IN]). For a token model (input_kind 1) x holds int32 ids: a
 * wlgen_memref2d with sizes {B, T}, strides {T, 1}; the runtime has checked every id is in
 * [0, token_limit). */
void _mlir_ciface_wlgen_forward(wlgen_memref1d *arena, wlgen_memref2d *x, wlgen_memref2d *y);

/* Mean loss over the batch. `labels` is a wlgen_memref1d of int32 (label_kind 0) of
 * B·label_size elements (per-position labels [B, T] as one vector) or a wlgen_memref2d of
 * float [B, target_size] (label_kind 1); passed as void*. */
float _mlir_ciface_wlgen_loss(wlgen_memref1d *arena, wlgen_memref2d *x, void *labels);

/* Recomputes the forward pass, then grads += d<dy, model(x)>/dθ and dx = that gradient
 * w.r.t. x (dx is always written; the runtime passes scratch when the caller gave NULL).
 * A token model's (input_kind 1) backward has NO dx parameter: its C signature is
 * (arena, x, dy), and the runtime calls it through that type (wl_backward's dx must be
 * NULL). Code implementing a token model's entry points in C defines WLGEN_TOKEN_MODEL
 * before including this header to get that declaration. */
#ifdef WLGEN_TOKEN_MODEL
void _mlir_ciface_wlgen_backward(wlgen_memref1d *arena, wlgen_memref2d *x, wlgen_memref2d *dy);
#else
void _mlir_ciface_wlgen_backward(wlgen_memref1d *arena, wlgen_memref2d *x, wlgen_memref2d *dy,
                                 wlgen_memref2d *dx);
#endif

/* Forward + loss + backward of the loss: grads += dloss/dθ; returns the loss. */
float _mlir_ciface_wlgen_loss_backward(wlgen_memref1d *arena, wlgen_memref2d *x, void *labels);

/* One fused optimizer update (all groups, schedule applied) for step number t (t = 1 first):
 * the same as wlgen_step_tensor for every k in order, then wlgen_step_finish. */
void _mlir_ciface_wlgen_step(wlgen_memref1d *arena, int64_t t);

/* The pieces of a sharded step (wl_step_tensors, wl_step_finish). wlgen_step_tensor updates
 * the k-th tensor of "step_tensors" (nothing for another k); wlgen_step_finish does the work
 * that needs every tensor updated. wlc always generates both; the runtime declares them weak. */
void _mlir_ciface_wlgen_step_tensor(wlgen_memref1d *arena, int64_t t, int64_t k);
void _mlir_ciface_wlgen_step_finish(wlgen_memref1d *arena, int64_t t);

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

/* sigma(U V^T) <= c for U [m, r] and V [n, r], in place, without forming U V^T (lowrank,
 * lora's B A): the thin SVDs of U and V give the r x r core whose SVD holds the product's
 * singular values; where they exceed c, U and V become the balanced factors of the clipped
 * product (P_u X sqrt(min(S, c)), P_v Y sqrt(min(S, c))), else they are left bit for bit.
 * O((m + n) r^2). Without an SVD it falls back to scaling both by sqrt(c / (|U|_F |V|_F)). */
void _mlir_ciface_wlrt_product_clip(wlgen_memref2d *u, wlgen_memref2d *v, float c);
/* sigma(u diag(d) v^T) <= c for u [m, r], d [r], v [n, r] (sorsa's B, S, A^T; loldu's (PL)_r,
 * z, U_r^T), through thin SVDs of u and v and of the r x r core: when the product's sigma_max
 * exceeds c, `fixed` != 0 (u, v frozen) scales d by c / sigma_max; otherwise u, d, v become
 * the clipped SVD (u, v orthonormal columns, d = min(sigma, c)). Without memory: d scaled by
 * c / (|u|_F max|d| |v|_F) when that exceeds c. */
void _mlir_ciface_wlrt_diag_product_clip(wlgen_memref2d *u, wlgen_memref1d *d, wlgen_memref2d *v,
                                         float c, int64_t fixed);
/* bone(mode = bat): b [ni, r, r], base [ni*r, nj*r]; the adapter term's row block i is
 * M_i (I (x) B_i) with M = base + (1^T (x) I). Every B_i is scaled by c / beta when
 * beta = sqrt(sum_i sigma(M_i)^2 sigma(B_i)^2) (sound Gram bounds, rounded up) exceeds c,
 * so sigma(term) <= c. Non-finite entries or no memory: b unchanged. */
void _mlir_ciface_wlrt_row_block_scale(wlgen_memref2d *base, wlgen_memref3d *b, float c);

/* W <- its best rank-r approximation sum_{i<r} s_i u_i v_i^T in place (Eckart-Young, the
 * truncated SVD). No-op for r >= min(rows, cols); r <= 0 gives W = 0. Without an SVD
 * (LAPACK failure, out of memory) W is left unchanged. */
void _mlir_ciface_wlrt_rank_project(wlgen_memref2d *w, int64_t r);

/* A sound upper bound of sigma_max(W): wl_layer_spectral_bound's Gram iteration (float64,
 * T = 6, with its rounding margin), rounded up to float. 0 for an empty view, NaN for a
 * non-finite entry, +inf when out of memory. */
float _mlir_ciface_wlrt_gram_bound(wlgen_memref2d *w);
/* B <- A^-1 B (transpose = 0) or A^-T B (transpose != 0) in place, by LU with partial
 * pivoting (LAPACK sgetrf, BLAS strsm, float); A [n, n] is only read, B is [n, k]. The
 * Cayley map's solve (orthogonal(method = cayley)). A singular A, mismatched shapes or
 * no memory give B = NaN. */
void _mlir_ciface_wlrt_solve(wlgen_memref2d *a, wlgen_memref2d *b, int64_t transpose);

/* ---- CUDA driver wrappers (--target=cuda) ------------------------------------------------
 * MLIR's "mgpu" runtime-wrapper ABI, defined in libwlrt (src/Cuda.cpp, hidden) over the CUDA
 * driver loaded with dlopen ($WL_CUDA_DRIVER or libcuda.so.1). ModuleLoad/ModuleLoadJIT run
 * from a global constructor at dlopen of the library, ModuleUnload from a global destructor.
 * None aborts or throws: a failure is recorded (a module load failure process-wide, as the
 * error every later call reports) and they return NULL or do nothing; the wl_* entry point
 * that called the generated code then returns WL_ERR_DEVICE with the message. Launches use
 * device 0's primary context. */
void *mgpuModuleLoad(void *cubinData, size_t size);   /* cubin, fatbin or PTX */
void *mgpuModuleLoadJIT(void *ptxData, int optLevel); /* NUL-terminated PTX; level 0..4 */
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void *mgpuStreamCreate(void);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                      intptr_t blockX, intptr_t blockY, intptr_t blockZ, int32_t smem,
                      void *stream, void **params, void **extra, size_t paramsCount);

/* ---- Re-splitting initialisers (creation time, from wlgen_project) ----------------------
 * Each splits a frozen base W0 (read from `base`, which receives the residual) into a
 * residual plus SVD-derived factors, in float64 (LAPACK dgesdd, dgesvd if it fails to
 * converge), so that the effective weight is unchanged. Exactness: the factors are rounded
 * to float first and the residual is computed in double from the floats actually stored,
 * then rounded once: with P the exact product of the stored factors, entrywise
 *   |W_res + P - W0| <= 2^-24 |W_res| + (t + 2) 2^-53 (|W0| + sum of |terms|)
 * (t = number of terms), i.e. half an ulp of the residual entry (which is at most about
 * |W0| + |P|) and nothing else. Sign convention: each singular pair is flipped so that the
 * left vector's largest-magnitude entry (the first one) is positive. Terms beyond
 * min(rows, cols) of the decomposed matrix are zero. Views are strided (element (i, j) at
 * (float*)aligned + offset + i*strides[0] + j*strides[1], likewise 1-D/3-D); empty
 * views (r = 0) leave everything unchanged. On failure (mismatched shapes, a non-finite
 * entry in W0, no SVD, out of memory) base is left unchanged, the multiplier factor
 * (PiSSA's b, SVFit's s, KPSVD's b) is set to zero, and every other factor is kept as it
 * was unless it holds a non-finite entry (then it is zeroed too): base + factors is still
 * W0 exactly. Nothing is reported; no exception escapes. */

/* PiSSA: base [OUT, IN] = W0 = U S V^T; b [OUT, r] = U_r diag(sqrt(S_r)),
 * a [r, IN] = diag(sqrt(S_r)) V_r^T; base <- W0 - b a. (Use with LoRA scale 1.) */
void _mlir_ciface_wlrt_pissa_split(wlgen_memref2d *base, wlgen_memref2d *a, wlgen_memref2d *b);

/* SVFit: u [OUT, r] = U_r, s [r] = S_r, v [IN, r] = V_r; base <- W0 - u diag(s) v^T. */
void _mlir_ciface_wlrt_svfit_split(wlgen_memref2d *base, wlgen_memref2d *u, wlgen_memref1d *s,
                                   wlgen_memref2d *v);

/* KPSVD (Van Loan-Pitsianis): base [m1*m2, n1*n2], a [k, m1, n1], b [k, m2, n2]. The
 * rearrangement R [(m1*n1), (m2*n2)], R[i1*n1 + j1, i2*n2 + j2] = W0[i1*m2 + i2, j1*n2 + j2],
 * has SVD R = sum_t sigma_t u_t v_t^T; a[t] = reshape(sqrt(sigma_t) u_t) [m1, n1],
 * b[t] = reshape(sqrt(sigma_t) v_t) [m2, n2] (row-major), and base <- W0 - sum_t a[t] (x) b[t]
 * with the row-major Kronecker product (A (x) B)[i1*m2 + i2, j1*n2 + j2] = A[i1,j1] B[i2,j2].
 * sum_t a[t] (x) b[t] is the best k-term Kronecker approximation of W0 in Frobenius norm. */
void _mlir_ciface_wlrt_kpsvd_split(wlgen_memref2d *base, wlgen_memref3d *a, wlgen_memref3d *b);

/* SORSA: base [OUT, IN] = W0 = U S V^T; a [r, IN] = V_r^T, s [r] = S_r, b [OUT, r] = U_r;
 * base <- W0 - scale * b diag(s) a (scale = alpha/r). On failure s is set to zero (as the
 * SVD splits above). */
void _mlir_ciface_wlrt_sorsa_split(wlgen_memref2d *base, wlgen_memref2d *a, wlgen_memref1d *s,
                                   wlgen_memref2d *b, float scale);

/* Sparse spectral training (sst, ALGORITHMS.md): u [OUT, m], s [m], v [IN, m] and
 * sampled [m] (1 on the r = rank columns that train this round), m = min(OUT, IN).
 * _init (in wlgen_project): W0, held by u when OUT >= IN and by v as W0^T otherwise,
 * becomes its thin SVD u diag(s) v^T (float64, signed as the splits above), then round
 * 0 is sampled; a non-finite W0 or a failed SVD fails wl_create.
 * _step (at the end of wlgen_step t): s <- max(s, 0), every column of u and v
 * normalised; when t % every == 0, u diag(s) v^T is re-decomposed and round t/every
 * sampled. A round's r columns are drawn without replacement, each draw among the
 * remaining columns with probability proportional to p(i) = (1/m + s_i/sum(s))/2,
 * from the model's seed and the layer's `stream`.
 * _reset_state: the optimizer state [rows, m] of u or v with the sampled columns zeroed
 * (called at a round's end, before _step resamples). */
void _mlir_ciface_wlrt_sst_init(wlgen_memref2d *u, wlgen_memref1d *s, wlgen_memref2d *v,
                                wlgen_memref1d *sampled, int64_t rank, int64_t stream);
void _mlir_ciface_wlrt_sst_step(wlgen_memref2d *u, wlgen_memref1d *s, wlgen_memref2d *v,
                                wlgen_memref1d *sampled, int64_t rank, int64_t stream,
                                int64_t step, int64_t every);
void _mlir_ciface_wlrt_sst_reset_state(wlgen_memref2d *state, wlgen_memref1d *sampled);

/* LoLDU: base [OUT, IN] = W0 = P L U by LU with partial pivoting (LAPACK dgetrf, float64),
 * D = diag(U), U1 = D^-1 U; l [OUT, r] = (P L)[:, :r] (the permutation folded in),
 * z [r] = D_r, u [r, IN] = U1[:r, :]; base <- W0 - scale * l diag(z) u (scale = alpha/r).
 * Unlike the SVD splits it reports failure: a zero or tiny pivot among the first r (the
 * base's numerical rank is below r), a non-finite entry or mismatched shapes make
 * wl_create fail with "wl_create failed: loldu: <why>" (z is zeroed, base kept). */
void _mlir_ciface_wlrt_loldu_split(wlgen_memref2d *base, wlgen_memref2d *l, wlgen_memref1d *z,
                                   wlgen_memref2d *u, float scale);

#ifdef __cplusplus
}
#endif
#endif /* WL_WLGEN_H */
