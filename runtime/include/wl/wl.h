/* wl.h - the C ABI every generated lib<model>.so exports (contract: ARCHITECTURE.md).
 * One runtime (libwlrt, linked statically into each library) implements it for all models. */
#ifndef WL_WL_H
#define WL_WL_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WL_API __attribute__((visibility("default")))
#else
#define WL_API
#endif

typedef struct wl_model wl_model; /* parameters, grads, optimizer state, step count */
typedef enum {
  WL_OK = 0,
  WL_ERR_ARG = 1,
  WL_ERR_SHAPE = 2,
  WL_ERR_IO = 3,
  WL_ERR_NONFINITE = 4,
  WL_ERR_DEVICE = 5
} wl_status;

WL_API uint32_t wl_abi_version(void); /* 1 */
WL_API const char *wl_model_name(void);
WL_API int64_t wl_input_size(void); /* per example */
WL_API int64_t wl_output_size(void);
WL_API int32_t wl_label_kind(void); /* 0 = i32 class labels, 1 = f32 targets */
WL_API int32_t wl_num_params(void); /* trainable and frozen tensors */
/* Sequence models add (ABI version stays 1; every old call keeps its meaning): */
WL_API int32_t wl_input_kind(void);      /* 0 = f32 features, 1 = i32 token ids */
WL_API int64_t wl_sequence_length(void); /* T of a sequence input, 0 otherwise */
WL_API int64_t wl_label_size(void);      /* labels or targets per example: 1, T or k */
WL_API const char *wl_param_name(int32_t i);
WL_API int32_t wl_param_rank(int32_t i);
WL_API int64_t wl_param_dim(int32_t i, int32_t axis);
WL_API int32_t wl_param_trainable(int32_t i);

WL_API wl_model *wl_create(uint64_t seed); /* allocate and initialise (deterministic in seed) */
WL_API void wl_destroy(wl_model *);
WL_API const char *wl_last_error(const wl_model *); /* message of the last non-OK status */
/* x: float [batch][input_size], or int32 token ids [batch][T] when wl_input_kind() == 1 */
WL_API wl_status wl_forward(wl_model *, const void *x, int64_t batch, float *y);
WL_API wl_status wl_backward(wl_model *, const void *x, const float *dy, int64_t batch,
                             float *dx); /* accumulates parameter grads; dx may be NULL
                                          * (must be NULL for a token model) */
WL_API wl_status wl_zero_grad(wl_model *);
WL_API wl_status wl_step(wl_model *); /* fused optimizer update + constraints, step += 1 */
WL_API wl_status wl_train_step(wl_model *, const void *x, const void *labels, int64_t batch,
                               float *loss); /* zero_grad + forward + loss + backward + step */
WL_API wl_status wl_loss(wl_model *, const void *x, const void *labels, int64_t batch,
                         float *loss);
WL_API wl_status wl_get_param(wl_model *, const char *name, float *out); /* row-major */
WL_API wl_status wl_set_param(wl_model *, const char *name, const float *in);
WL_API wl_status wl_get_weight(wl_model *, const char *layer, float *out); /* effective W, [OUT, IN] */
WL_API wl_status wl_get_grad(wl_model *, const char *name, float *out);
WL_API wl_status wl_save(wl_model *, const char *path); /* safetensors, written atomically */
WL_API wl_status wl_load(wl_model *, const char *path);
WL_API double wl_lipschitz_bound(wl_model *); /* sound upper bound, l2 -> l2, of the whole model */
WL_API double wl_layer_spectral_bound(wl_model *, const char *layer); /* sound bound of sigma_max(W) */

/* Additions beyond the contract (runtime/README.md). */
WL_API int64_t wl_step_count(const wl_model *); /* optimizer steps taken so far; -1 for NULL */
WL_API int32_t wl_num_layers(void);             /* layers named in the metadata */
WL_API const char *wl_layer_name(int32_t i);    /* NULL when i is out of range */
WL_API int64_t wl_layer_in_size(int32_t i);     /* IN of layer i (W is [OUT, IN]); -1 if bad i */
WL_API int64_t wl_layer_out_size(int32_t i);    /* OUT of layer i; -1 if bad i */
/* Merge and export: writes a safetensors file (atomically, like wl_save) holding, for every
 * layer in order, "<layer>.weight" = the effective weight W [OUT, IN] (structured layers
 * materialised, frozen base plus adapters merged) and "<layer>.bias" [OUT] when the layer has
 * one, all F32: a plain torch.nn.Linear state_dict (safetensors.torch.load_file). WL_ERR_ARG
 * for NULL arguments or a layer the library cannot materialise, WL_ERR_NONFINITE for a
 * non-finite weight or bias, WL_ERR_SHAPE for a bias not of OUT elements, WL_ERR_IO when the
 * file cannot be written; on any error the previous file at `path` is untouched. */
WL_API wl_status wl_export_dense(wl_model *, const char *path);
/* Device pointers (libraries built with wlc --target=cuda): as wl_forward, wl_backward,
 * wl_loss and wl_train_step, but x, dy, labels, y and dx are CUDA device pointers (cuMemAlloc
 * or managed memory, of the current process's device 0); loss is a host pointer. Inputs are
 * copied into the model's managed staging buffers and outputs back with cuMemcpy (managed
 * pointers are used in place); class labels are range-checked after the copy. A library
 * built for the CPU answers WL_ERR_DEVICE. Any CUDA failure (in these and in every other
 * call of a cuda-target library) is WL_ERR_DEVICE with the driver's error in the message. */
WL_API wl_status wl_forward_device(wl_model *, const void *x, int64_t batch, float *y);
WL_API wl_status wl_backward_device(wl_model *, const void *x, const float *dy, int64_t batch,
                                    float *dx);
WL_API wl_status wl_loss_device(wl_model *, const void *x, const void *labels, int64_t batch,
                                float *loss);
WL_API wl_status wl_train_step_device(wl_model *, const void *x, const void *labels,
                                      int64_t batch, float *loss);
/* Data parallelism (runtime/README.md, "Distributed training"). wl_loss_backward: forward,
 * mean loss and grads += dloss/dθ without a step (wl_train_step less its zero_grad and step).
 * The buffers: one contiguous span of the model's storage each, for collectives that work in
 * place (all-reduce the gradients, broadcast parameters and state): every parameter
 * (trainable and frozen), every gradient, every optimizer and constraint state tensor. A
 * span includes the alignment padding between tensors (zeros that nothing reads); *count is
 * in floats (0 for no state). The pointers stay valid until wl_destroy. Writing a gradient
 * span between wl_loss_backward and wl_step is how a caller sums replicas' gradients. */
WL_API wl_status wl_loss_backward(wl_model *, const void *x, const void *labels, int64_t batch,
                                  float *loss);
WL_API wl_status wl_param_buffer(wl_model *, float **data, int64_t *count);
WL_API wl_status wl_grad_buffer(wl_model *, float **data, int64_t *count);
WL_API wl_status wl_state_buffer(wl_model *, float **data, int64_t *count);
/* Sharded steps: wl_step split into one piece per trainable tensor, so that each rank of a
 * data-parallel step computes a share (Muon's Newton-Schulz, SVD projections) and hands its
 * results to the others. wl_step is wl_step_tensors(every k) then wl_step_finish.
 * Pieces k in [0, wl_num_step_tensors()), in wl_step's order; piece k updates the parameter
 * wl_step_tensor_param(k) (an index for wl_param_name) and writes nothing but that parameter
 * and its state tensors: the two spans of wl_step_tensor_buffers (state: *state_count 0 when
 * none). wl_step_tensor_flops(k) is the compiler's estimate of its cost, for balancing.
 * wl_step_tensors runs the listed pieces of the next step (t = wl_step_count() + 1); the
 * first call of a step takes the step guard's snapshot, later calls add pieces, a piece
 * listed twice in one step is WL_ERR_ARG. wl_step_finish runs the work that needs every
 * tensor updated (product clips of two factors, SST rounds), then the guard's check, and
 * counts the step; it is WL_ERR_ARG without a wl_step_tensors before it. Between the two,
 * a caller may overwrite pieces' spans with another replica's results (wl.distributed
 * broadcasts each piece from the rank that ran it); wl_step and wl_train_step refuse while
 * a step is open, wl_load discards it. */
WL_API int32_t wl_num_step_tensors(void);
WL_API int32_t wl_step_tensor_param(int32_t k); /* -1 when k is out of range */
WL_API double wl_step_tensor_flops(int32_t k);  /* -1 when k is out of range */
WL_API wl_status wl_step_tensor_buffers(wl_model *, int32_t k, float **param,
                                        int64_t *param_count, float **state,
                                        int64_t *state_count);
WL_API wl_status wl_step_tensors(wl_model *, const int32_t *tensors, int32_t count);
WL_API wl_status wl_step_finish(wl_model *);
/* Non-finite values: wl_step and wl_train_step are all or nothing: an update that would
 * leave a NaN or an infinity in a parameter or a state tensor is undone (parameters,
 * optimizer state and step count exactly as before) and answers WL_ERR_NONFINITE naming the
 * tensor; wl_forward, wl_backward, wl_loss and wl_train_step answer WL_ERR_NONFINITE for a
 * non-finite input (x, dy, float targets) before computing anything. WL_STEP_GUARD=0 in the
 * environment at wl_create turns the step guard (a copy of parameters and state) off. */
/* Token models (wl_input_kind() == 1): x holds int32 ids [batch][T]; an id outside
 * [0, token_limit) is WL_ERR_ARG naming the example and position, model unchanged, and
 * wl_backward's dx must be NULL (WL_ERR_ARG otherwise). Class labels are int32
 * [batch][wl_label_size()], each in [0, classes), classes = output_size / label_size. A
 * float input declared with a row norm bound (`with norm_bound(c, norm = row)`) refuses a
 * row whose l2 norm exceeds c·(1 + 1e-6) with WL_ERR_ARG naming example and position. */
/* Notes: wl_last_error's string stays valid until the next failing call on the same model
 * (for NULL: on the same thread). wl_lipschitz_bound and wl_layer_spectral_bound return
 * -1.0 on error. wl_load returns WL_ERR_SHAPE for a dtype/shape/size mismatch and
 * WL_ERR_IO for other bad files; the model is unchanged on any error. */

#ifdef __cplusplus
}
#endif
#endif /* WL_WL_H */
