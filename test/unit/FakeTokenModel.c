/* FakeTokenModel.c - a hand-written stand-in for wlc's generated code of a
 * token model (input_kind 1; test only, wl-runtime-unit-token).
 *
 * Model "faketok": token ids i32[T] (T = 4, vocabulary V = 5), an embedding
 * E: 5 -> 2 ("E.weight" [5, 2], nn.Embedding's layout) and a linear head
 * 2 -> 3 without bias, applied per position: logits [T, 3], so output_size 12
 * and per-position class labels i32[T] (label_size 4). Loss: softmax cross
 * entropy, mean over the B·T positions. Optimizer: plain SGD, lr 0.5.
 *
 * Like generated code, the backward has no dx (token ids have no gradient):
 * its C signature is (arena, x, dy). Every entry point checks the descriptors
 * the runtime built (x: int32 {B, T}; labels: B·T int32) and counts mistakes
 * in fake_descriptor_errors; fake_calls counts calls of any entry point, so a
 * refused call can be seen not to reach the model.
 */
#define WLGEN_TOKEN_MODEL
#include "wl/wlgen.h"

#include <math.h>
#include <stdint.h>

const char wlgen_metadata[] =
    "{\"abi\": 1, \"model\": \"faketok\", \"input_size\": 4, "
    "\"output_size\": 12,\n"
    " \"label_kind\": 0, \"arena_size\": 32,\n"
    " \"input_kind\": 1, \"input_shape\": [4], \"output_shape\": [4, 3],\n"
    " \"sequence_length\": 4, \"label_size\": 4, \"token_limit\": 5,\n"
    " \"params\": [\n"
    "  {\"name\": \"E.weight\", \"shape\": [5, 2], \"offset\": 0, "
    "\"trainable\": true,\n"
    "   \"init\": {\"kind\": \"normal\", \"std\": 1.0}, \"grad_offset\": 10},\n"
    "  {\"name\": \"head.weight\", \"shape\": [3, 2], \"offset\": 20, "
    "\"trainable\": true,\n"
    "   \"init\": {\"kind\": \"normal\", \"std\": 0.5}, \"grad_offset\": 26}\n"
    " ],\n"
    " \"layers\": [{\"name\": \"E\", \"kind\": \"embedding\", \"in\": 2, "
    "\"out\": 5,\n"
    "              \"structure\": \"dense\", \"bound\": \"gram\", \"weight\": "
    "\"E.weight\", \"bias\": \"\"},\n"
    "             {\"name\": \"head\", \"in\": 2, \"out\": 3, \"structure\": "
    "\"dense\",\n"
    "              \"bound\": \"gram\", \"weight\": \"head.weight\", \"bias\": "
    "\"\"}],\n"
    " \"lipschitz\": [{\"op\": \"input\"}, {\"op\": \"embedding\", \"layer\": "
    "\"E\", \"arg\": 0},\n"
    "   {\"op\": \"layer\", \"layer\": \"head\", \"arg\": 1}]\n"
    "}\n";

int fake_descriptor_errors = 0;
int fake_calls = 0;

enum {
  T = 4,
  V = 5,
  D = 2,
  C = 3,
  ARENA = 32,
  E = 0,
  GE = 10,
  H = 20,
  GH = 26
};

static float *arenaOf(wlgen_memref1d *a) {
  ++fake_calls;
  if (a->sizes[0] != ARENA || a->strides[0] != 1 || a->offset != 0 ||
      a->allocated != a->aligned)
    ++fake_descriptor_errors;
  return (float *)a->aligned + a->offset;
}

static const int32_t *idsOf(wlgen_memref2d *x) {
  if (x->sizes[1] != T || x->strides[0] != T || x->strides[1] != 1 ||
      x->sizes[0] <= 0 || x->offset != 0 || !x->aligned)
    ++fake_descriptor_errors;
  return (const int32_t *)x->aligned + x->offset;
}

static float *matOf(wlgen_memref2d *m, int64_t cols) {
  if (m->sizes[1] != cols || m->strides[0] != cols || m->strides[1] != 1 ||
      m->offset != 0 || !m->aligned)
    ++fake_descriptor_errors;
  return (float *)m->aligned + m->offset;
}

/* Clamped like the generated lookup (memory safety only: the runtime has
 * refused ids outside [0, V)). */
static int32_t clampId(int32_t id) {
  if (id < 0 || id >= V) {
    ++fake_descriptor_errors;
    return id < 0 ? 0 : V - 1;
  }
  return id;
}

/* logits[p, c] = sum_j head[c, j] E[ids[p], j] for the n = B·T positions p. */
static void fwd(const float *a, const int32_t *ids, int64_t n, float *y) {
  for (int64_t p = 0; p < n; ++p) {
    const float *e = a + E + clampId(ids[p]) * D;
    for (int c = 0; c < C; ++c) {
      float s = 0;
      for (int j = 0; j < D; ++j)
        s += a[H + c * D + j] * e[j];
      y[p * C + c] = s;
    }
  }
}

/* grads += the gradient of <dy, logits> (head and the looked-up rows of E). */
static void bwd(float *a, const int32_t *ids, const float *dy, int64_t n) {
  for (int64_t p = 0; p < n; ++p) {
    int32_t id = clampId(ids[p]);
    for (int c = 0; c < C; ++c)
      for (int j = 0; j < D; ++j) {
        a[GH + c * D + j] += dy[p * C + c] * a[E + id * D + j];
        a[GE + id * D + j] += dy[p * C + c] * a[H + c * D + j];
      }
  }
}

void _mlir_ciface_wlgen_forward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                wlgen_memref2d *y) {
  float *a = arenaOf(arena);
  const int32_t *ids = idsOf(x);
  float *yp = matOf(y, T * C);
  if (y->sizes[0] != x->sizes[0])
    ++fake_descriptor_errors;
  fwd(a, ids, x->sizes[0] * T, yp);
}

/* Mean cross entropy over the positions; dy (when given) its gradient. */
static float lossAndDy(const float *a, wlgen_memref2d *x, void *labels,
                       float *dy) {
  wlgen_memref1d *l = (wlgen_memref1d *)labels;
  const int32_t *ids = idsOf(x);
  const int32_t *lab = (const int32_t *)l->aligned + l->offset;
  int64_t n = x->sizes[0] * T;
  if (l->sizes[0] != n || l->strides[0] != 1 || n > 64 * T) {
    ++fake_descriptor_errors;
    return 0.0f;
  }
  float y[64 * T * C];
  fwd(a, ids, n, y);
  double loss = 0;
  for (int64_t p = 0; p < n; ++p) {
    double mx = y[p * C];
    for (int c = 1; c < C; ++c)
      mx = y[p * C + c] > mx ? y[p * C + c] : mx;
    double z = 0;
    for (int c = 0; c < C; ++c)
      z += exp(y[p * C + c] - mx);
    int32_t k = lab[p];
    if (k < 0 || k >= C) {
      ++fake_descriptor_errors;
      k = 0;
    }
    loss += mx + log(z) - y[p * C + k];
    if (dy)
      for (int c = 0; c < C; ++c)
        dy[p * C + c] =
            (float)((exp(y[p * C + c] - mx) / z - (c == k)) / (double)n);
  }
  return (float)(loss / (double)n);
}

float _mlir_ciface_wlgen_loss(wlgen_memref1d *arena, wlgen_memref2d *x,
                              void *labels) {
  return lossAndDy(arenaOf(arena), x, labels, 0);
}

/* No dx: a token model's backward is (arena, x, dy). */
void _mlir_ciface_wlgen_backward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                 wlgen_memref2d *dy) {
  float *a = arenaOf(arena);
  const int32_t *ids = idsOf(x);
  const float *dyp = matOf(dy, T * C);
  if (dy->sizes[0] != x->sizes[0])
    ++fake_descriptor_errors;
  bwd(a, ids, dyp, x->sizes[0] * T);
}

float _mlir_ciface_wlgen_loss_backward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                       void *labels) {
  float *a = arenaOf(arena);
  float dy[64 * T * C];
  float loss = lossAndDy(a, x, labels, dy);
  if (x->sizes[0] <= 64)
    bwd(a, idsOf(x), dy, x->sizes[0] * T);
  return loss;
}

void _mlir_ciface_wlgen_step(wlgen_memref1d *arena, int64_t t) {
  float *a = arenaOf(arena);
  (void)t;
  for (int k = 0; k < V * D; ++k)
    a[E + k] -= 0.5f * a[GE + k];
  for (int k = 0; k < C * D; ++k)
    a[H + k] -= 0.5f * a[GH + k];
}
