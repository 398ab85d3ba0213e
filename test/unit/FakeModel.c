/* FakeModel.c - a hand-written stand-in for wlc's generated code (test only).
 *
 * Model "fake": one dense layer 3 -> 2 with bias, f32 targets, loss
 * 0.5 * mean_b ||W x_b + b - t_b||^2, SGD with momentum (lr 0.1, mu 0.9).
 * Two frozen params exercise the uniform and orthogonal inits. fc.weight also
 * has a constraint state "power_u" with its own shape [2] (a power-iteration
 * vector), which _mlir_ciface_wlgen_project sets to ones at creation. Every
 * entry point checks the memref descriptors the runtime built and counts
 * mistakes in fake_descriptor_errors.
 *
 * A second layer "ad" (3 -> 2, no bias, not in the forward) is a frozen base
 * plus a rank-1 LoRA adapter: "ad.weight.base" [2, 3] is read at creation from
 * the safetensors file "wlrt-unit-base.safetensors" (tensor "ad.base"; a
 * relative path, so the tests chdir into a temporary directory holding it),
 * lora_A [1, 3] and lora_B [2, 1]. The project hook re-splits it with
 * _mlir_ciface_wlrt_pissa_split, and _mlir_ciface_wlgen_weight materialises it
 * as base + B·A (in float, like generated code).
 *
 * Built three times (test/unit/CMakeLists.txt): wl-runtime-unit with the
 * project hook, wl-runtime-unit-noproject with WL_FAKE_NO_PROJECT, which leaves
 * it undefined like a library generated before the hook existed, and
 * wl-runtime-unit-cuda with WL_FAKE_CUDA, whose metadata says "target": "cuda"
 * (the loops still run on the host; the runtime gives them managed memory).
 */
#include "wl/wlgen.h"

#include <stdint.h>

#ifdef WL_FAKE_CUDA
#define FAKE_TARGET " \"target\": \"cuda\",\n"
#else
#define FAKE_TARGET ""
#endif

const char wlgen_metadata[] =
    "{\"abi\": 1, \"model\": \"fake\", \"input_size\": 3, \"output_size\": "
    "2,\n" FAKE_TARGET
    " \"label_kind\": 1, \"target_size\": 2, \"arena_size\": 55,\n"
    " \"params\": [\n"
    "  {\"name\": \"fc.weight\", \"shape\": [2, 3], \"offset\": 0, "
    "\"trainable\": true,\n"
    "   \"init\": {\"kind\": \"normal\", \"std\": 0.5}, \"grad_offset\": 6,\n"
    "   \"state\": [{\"name\": \"momentum\", \"offset\": 12},\n"
    "             {\"name\": \"power_u\", \"offset\": 37, \"shape\": [2]}]},\n"
    "  {\"name\": \"fc.bias\", \"shape\": [2], \"offset\": 18, \"trainable\": "
    "true,\n"
    "   \"init\": {\"kind\": \"zeros\"}, \"grad_offset\": 20,\n"
    "   \"state\": [{\"name\": \"momentum\", \"offset\": 22}]},\n"
    "  {\"name\": \"fixed.table\", \"shape\": [4], \"offset\": 24, "
    "\"trainable\": false,\n"
    "   \"init\": {\"kind\": \"uniform\", \"a\": 0.1}, \"grad_offset\": -1, "
    "\"state\": []},\n"
    "  {\"name\": \"fixed.rot\", \"shape\": [3, 3], \"offset\": 28, "
    "\"trainable\": false,\n"
    "   \"init\": {\"kind\": \"orthogonal\"}, \"grad_offset\": -1, \"state\": "
    "[]},\n"
    "  {\"name\": \"ad.weight.base\", \"shape\": [2, 3], \"offset\": 39, "
    "\"trainable\": false,\n"
    "   \"init\": {\"kind\": \"from\", \"file\": "
    "\"wlrt-unit-base.safetensors\", \"tensor\": \"ad.base\"}},\n"
    "  {\"name\": \"ad.weight.lora_A\", \"shape\": [1, 3], \"offset\": 45, "
    "\"trainable\": true,\n"
    "   \"init\": {\"kind\": \"uniform\", \"a\": 0.5}, \"grad_offset\": 48},\n"
    "  {\"name\": \"ad.weight.lora_B\", \"shape\": [2, 1], \"offset\": 51, "
    "\"trainable\": true,\n"
    "   \"init\": {\"kind\": \"zeros\"}, \"grad_offset\": 53}\n"
    " ],\n"
    " \"layers\": [{\"name\": \"fc\", \"in\": 3, \"out\": 2, \"structure\": "
    "\"dense\", \"bound\": \"gram\",\n"
    "              \"weight\": \"fc.weight\", \"bias\": \"fc.bias\"},\n"
    "             {\"name\": \"ad\", \"in\": 3, \"out\": 2, \"structure\": "
    "\"frozen+lora\", \"bound\": \"gram\",\n"
    "              \"weight\": \"ad.weight.base\", \"bias\": \"\",\n"
    "              \"factors\": [\"ad.weight.base\", \"ad.weight.lora_A\", "
    "\"ad.weight.lora_B\"]}],\n"
    " \"lipschitz\": [{\"op\": \"input\"}, {\"op\": \"layer\", \"layer\": "
    "\"fc\", \"arg\": 0},\n"
    "   {\"op\": \"add\", \"args\": [1, 0]}, {\"op\": \"scale\", \"factor\": "
    "-2.0, \"arg\": 2}]\n"
    "}\n";

int fake_descriptor_errors = 0;
int64_t fake_last_t = 0;
int fake_step_calls = 0;
/* _mlir_ciface_wlgen_project: calls (atomic: models are created concurrently),
 * and calls that found the arena not as wl_create promises (params
 * initialised, grads and state zero). */
int fake_project_calls = 0;
int fake_project_errors = 0;
/* The runtime's _mlir_ciface_wlrt_gram_bound of fixed.rot, as seen by the hook.
 */
float fake_project_rot_bound = -1.0f;

enum {
  IN = 3,
  OUT = 2,
  ARENA = 55,
  W = 0,
  GW = 6,
  MW = 12,
  B = 18,
  GB = 20,
  MB = 22,
  ROT = 28,
  PU = 37,
  BASE = 39,
  LA = 45,
  LB = 51
};

static float *arenaOf(wlgen_memref1d *a) {
  if (a->sizes[0] != ARENA || a->strides[0] != 1 || a->offset != 0 ||
      a->allocated != a->aligned || ((uintptr_t)a->aligned % 64) != 0)
    ++fake_descriptor_errors;
  return (float *)a->aligned + a->offset;
}

static float *matOf(wlgen_memref2d *m, int64_t cols) {
  if (m->sizes[1] != cols || m->strides[0] != cols || m->strides[1] != 1 ||
      m->sizes[0] <= 0 || m->offset != 0 || m->allocated != m->aligned ||
      !m->aligned)
    ++fake_descriptor_errors;
  return (float *)m->aligned + m->offset;
}

static void fwd(const float *a, const float *x, int64_t batch, float *y) {
  for (int64_t b = 0; b < batch; ++b)
    for (int o = 0; o < OUT; ++o) {
      float s = a[B + o];
      for (int i = 0; i < IN; ++i)
        s += a[W + o * IN + i] * x[b * IN + i];
      y[b * OUT + o] = s;
    }
}

/* grads += dy^T x, db += sum dy; dx = dy W (when dx != 0). */
static void bwd(float *a, const float *x, const float *dy, int64_t batch,
                float *dx) {
  for (int64_t b = 0; b < batch; ++b) {
    for (int o = 0; o < OUT; ++o) {
      a[GB + o] += dy[b * OUT + o];
      for (int i = 0; i < IN; ++i)
        a[GW + o * IN + i] += dy[b * OUT + o] * x[b * IN + i];
    }
    if (dx)
      for (int i = 0; i < IN; ++i) {
        float s = 0;
        for (int o = 0; o < OUT; ++o)
          s += a[W + o * IN + i] * dy[b * OUT + o];
        dx[b * IN + i] = s;
      }
  }
}

void _mlir_ciface_wlgen_forward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                wlgen_memref2d *y) {
  float *a = arenaOf(arena);
  const float *xp = matOf(x, IN);
  float *yp = matOf(y, OUT);
  if (x->sizes[0] != y->sizes[0])
    ++fake_descriptor_errors;
  fwd(a, xp, x->sizes[0], yp);
}

static float lossAndDy(const float *a, wlgen_memref2d *x, void *labels,
                       float *dy) {
  wlgen_memref2d *t = (wlgen_memref2d *)labels;
  const float *xp = matOf(x, IN);
  const float *tp = matOf(t, OUT);
  int64_t batch = x->sizes[0];
  if (t->sizes[0] != batch || batch > 64) {
    ++fake_descriptor_errors;
    return 0.0f;
  }
  float y[64 * OUT];
  fwd(a, xp, batch, y);
  double loss = 0;
  for (int64_t k = 0; k < batch * OUT; ++k) {
    double d = (double)y[k] - (double)tp[k];
    loss += 0.5 * d * d;
    if (dy)
      dy[k] = (float)(d / (double)batch);
  }
  return (float)(loss / (double)batch);
}

float _mlir_ciface_wlgen_loss(wlgen_memref1d *arena, wlgen_memref2d *x,
                              void *labels) {
  return lossAndDy(arenaOf(arena), x, labels, 0);
}

void _mlir_ciface_wlgen_backward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                 wlgen_memref2d *dy, wlgen_memref2d *dx) {
  float *a = arenaOf(arena);
  const float *xp = matOf(x, IN);
  const float *dyp = matOf(dy, OUT);
  float *dxp = matOf(dx, IN);
  if (dy->sizes[0] != x->sizes[0] || dx->sizes[0] != x->sizes[0])
    ++fake_descriptor_errors;
  bwd(a, xp, dyp, x->sizes[0], dxp);
}

float _mlir_ciface_wlgen_loss_backward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                       void *labels) {
  float *a = arenaOf(arena);
  float dy[64 * OUT];
  float loss = lossAndDy(a, x, labels, dy);
  if (x->sizes[0] <= 64)
    bwd(a, matOf(x, IN), dy, x->sizes[0], 0);
  return loss;
}

void _mlir_ciface_wlgen_step(wlgen_memref1d *arena, int64_t t) {
  float *a = arenaOf(arena);
  ++fake_step_calls;
  fake_last_t = t;
  for (int k = 0; k < OUT * IN; ++k) {
    a[MW + k] = 0.9f * a[MW + k] + a[GW + k];
    a[W + k] -= 0.1f * a[MW + k];
  }
  for (int k = 0; k < OUT; ++k) {
    a[MB + k] = 0.9f * a[MB + k] + a[GB + k];
    a[B + k] -= 0.1f * a[MB + k];
  }
}

/* Layer 0 ("fc", dense) is never asked for (the runtime copies its weight);
 * layer 1 ("ad") is base + B·A, in float. */
void _mlir_ciface_wlgen_weight(wlgen_memref1d *arena, int64_t layer,
                               wlgen_memref2d *out) {
  float *a = arenaOf(arena);
  float *o = matOf(out, IN);
  if (layer != 1 || out->sizes[0] != OUT) {
    ++fake_descriptor_errors;
    return;
  }
  for (int r = 0; r < OUT; ++r)
    for (int c = 0; c < IN; ++c)
      o[r * IN + c] = a[BASE + r * IN + c] + a[LB + r] * a[LA + c];
}

#ifndef WL_FAKE_NO_PROJECT
/* Like wlc's: initialise the constraint state (power_u = ones) after the
 * initialisers, calling a runtime routine through an arena view with a
 * nonzero offset as generated code does. */
void _mlir_ciface_wlgen_project(wlgen_memref1d *arena) {
  float *a = arenaOf(arena);
  __atomic_fetch_add(&fake_project_calls, 1, __ATOMIC_SEQ_CST);
  int bad = 0, nonzero = 0;
  for (int k = 0; k < OUT * IN; ++k) {
    nonzero |= a[W + k] != 0.0f;
    bad |= a[GW + k] != 0.0f || a[MW + k] != 0.0f;
  }
  for (int k = 0; k < OUT; ++k)
    bad |= a[PU + k] != 0.0f || a[GB + k] != 0.0f || a[MB + k] != 0.0f;
  if (bad || !nonzero)
    __atomic_fetch_add(&fake_project_errors, 1, __ATOMIC_SEQ_CST);
  for (int k = 0; k < OUT; ++k)
    a[PU + k] = 1.0f;
  wlgen_memref2d rot = {arena->allocated, arena->aligned, ROT, {3, 3}, {3, 1}};
  float bound = _mlir_ciface_wlrt_gram_bound(&rot);
  __atomic_store(&fake_project_rot_bound, &bound, __ATOMIC_SEQ_CST);
  /* PiSSA re-split of the frozen base read from the file. */
  wlgen_memref2d base = {
      arena->allocated, arena->aligned, BASE, {OUT, IN}, {IN, 1}};
  wlgen_memref2d la = {arena->allocated, arena->aligned, LA, {1, IN}, {IN, 1}};
  wlgen_memref2d lb = {arena->allocated, arena->aligned, LB, {OUT, 1}, {1, 1}};
  _mlir_ciface_wlrt_pissa_split(&base, &la, &lb);
}
#endif
