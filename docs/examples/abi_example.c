/* docs/examples/abi_example.c
 * Trains docs/examples/abi_example.wl through the C ABI on synthetic data:
 *   wlc docs/examples/abi_example.wl -o build/libAbiExample.so   (also writes build/AbiExample.h)
 *   cc -std=c11 -I build docs/examples/abi_example.c -L build -lAbiExample \
 *      -Wl,-rpath,"$PWD/build" -o build/abi_example
 *   build/abi_example build/ckpt.safetensors */
#include "AbiExample.h"

#include <stdio.h>
#include <stdlib.h>

#define BATCH 64
#define IN WL_ABIEXAMPLE_INPUT_SIZE   /* 8 */
#define OUT WL_ABIEXAMPLE_OUTPUT_SIZE /* 3 */

/* Every non-OK status comes with a message from wl_last_error. */
static void check(wl_model *m, wl_status st, const char *what) {
  if (st != WL_OK) {
    fprintf(stderr, "%s failed (status %d): %s\n", what, (int)st, wl_last_error(m));
    exit(1);
  }
}

/* Uniform in [-1, 1), from a fixed linear congruential generator (reproducible). */
static float uniform(unsigned *state) {
  *state = *state * 1664525u + 1013904223u;
  return (float)(*state >> 8) / 8388608.0f - 1.0f;
}

int main(int argc, char **argv) {
  const char *checkpoint = argc > 1 ? argv[1] : "abi_example.safetensors";
  printf("model %s: %lld -> %lld, label kind %d, %d tensors\n", wl_model_name(),
         (long long)wl_input_size(), (long long)wl_output_size(), wl_label_kind(), wl_num_params());
  for (int32_t i = 0; i < wl_num_params(); ++i) {
    printf("  %s [", wl_param_name(i));
    for (int32_t a = 0; a < wl_param_rank(i); ++a)
      printf("%s%lld", a ? ", " : "", (long long)wl_param_dim(i, a));
    printf("]%s\n", wl_param_trainable(i) ? "" : " frozen");
  }

  /* Synthetic data: the class is the largest of three fixed linear functions of x. */
  static float x[BATCH * IN];
  static int32_t y[BATCH];
  unsigned state = 1;
  for (int b = 0; b < BATCH; ++b) {
    float score[OUT] = {0};
    for (int i = 0; i < IN; ++i) {
      x[b * IN + i] = uniform(&state);
      for (int c = 0; c < OUT; ++c)
        score[c] += x[b * IN + i] * (float)((i + c) % 3 - 1);
    }
    y[b] = 0;
    for (int c = 1; c < OUT; ++c)
      if (score[c] > score[y[b]])
        y[b] = c;
  }

  wl_model *m = wl_create(42); /* deterministic in the seed */
  if (!m) {
    fprintf(stderr, "wl_create failed: %s\n", wl_last_error(NULL));
    return 1;
  }
  float first = 0, loss = 0;
  for (int step = 1; step <= 100; ++step) {
    check(m, wl_train_step(m, x, y, BATCH, &loss), "wl_train_step");
    if (step == 1)
      first = loss;
    if (step == 1 || step % 25 == 0)
      printf("step %3lld  loss %.4f\n", (long long)wl_step_count(m), loss);
  }
  printf("loss decreased: %s\n", loss < first ? "yes" : "no");

  /* The constraint holds after every step; the certificate is a sound upper bound. */
  printf("sigma_max(fc1) <= %.4f\n", wl_layer_spectral_bound(m, "fc1"));
  printf("lipschitz bound: %.4f\n", wl_lipschitz_bound(m));

  /* A checkpoint restores parameters, optimizer state and the step count exactly. */
  static float y1[BATCH * OUT], y2[BATCH * OUT];
  check(m, wl_forward(m, x, BATCH, y1), "wl_forward");
  check(m, wl_save(m, checkpoint), "wl_save");
  wl_model *copy = wl_create(7);
  if (!copy) {
    fprintf(stderr, "wl_create failed: %s\n", wl_last_error(NULL));
    return 1;
  }
  check(copy, wl_load(copy, checkpoint), "wl_load");
  check(copy, wl_forward(copy, x, BATCH, y2), "wl_forward");
  int same = 1;
  for (int k = 0; k < BATCH * OUT; ++k)
    same &= y1[k] == y2[k];
  printf("restored at step %lld, same outputs: %s\n", (long long)wl_step_count(copy),
         same ? "yes" : "no");

  /* Errors are statuses with a message, never a crash. */
  wl_status st = wl_forward(m, x, 0, y1);
  printf("batch 0: status %d: %s\n", (int)st, wl_last_error(m));

  wl_destroy(copy);
  wl_destroy(m);
  return 0;
}
