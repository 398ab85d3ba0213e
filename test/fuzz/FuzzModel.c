/* FuzzModel.c - a minimal stand-in for wlc's generated code, for wl-fuzz-load.
 *
 * Model "fuzz": one dense layer 3 -> 2 with bias and a frozen table; the
 * weight has two optimizer/constraint state tensors, one of its own shape [2],
 * the bias one. A checkpoint therefore holds fc.weight [2, 3], fc.bias [2],
 * fixed.table [4], optim.fc.weight.momentum [2, 3], optim.fc.weight.power_u
 * [2], optim.fc.bias.momentum [2] (F32) and optim.step (I64, []). The entry
 * points are never called by the fuzzer (only wl_create / wl_load / wl_save);
 * they compute nothing.
 */
#include "wl/wlgen.h"

const char wlgen_metadata[] =
    "{\"abi\": 1, \"model\": \"fuzz\", \"input_size\": 3, \"output_size\": 2,\n"
    " \"label_kind\": 1, \"target_size\": 2, \"arena_size\": 34,\n"
    " \"params\": [\n"
    "  {\"name\": \"fc.weight\", \"shape\": [2, 3], \"offset\": 0, "
    "\"trainable\": true,\n"
    "   \"init\": {\"kind\": \"normal\", \"std\": 0.5}, \"grad_offset\": 6,\n"
    "   \"state\": [{\"name\": \"momentum\", \"offset\": 12},\n"
    "             {\"name\": \"power_u\", \"offset\": 18, \"shape\": [2]}]},\n"
    "  {\"name\": \"fc.bias\", \"shape\": [2], \"offset\": 20, \"trainable\": "
    "true,\n"
    "   \"init\": {\"kind\": \"uniform\", \"a\": 0.1}, \"grad_offset\": 22,\n"
    "   \"state\": [{\"name\": \"momentum\", \"offset\": 24}]},\n"
    "  {\"name\": \"fixed.table\", \"shape\": [4], \"offset\": 26, "
    "\"trainable\": false,\n"
    "   \"init\": {\"kind\": \"ones\"}, \"grad_offset\": -1, \"state\": []}\n"
    " ],\n"
    " \"layers\": [{\"name\": \"fc\", \"in\": 3, \"out\": 2, \"structure\": "
    "\"dense\", \"bound\": \"gram\",\n"
    "              \"weight\": \"fc.weight\", \"bias\": \"fc.bias\"}],\n"
    " \"lipschitz\": [{\"op\": \"input\"}, {\"op\": \"layer\", \"layer\": "
    "\"fc\", \"arg\": 0}]\n"
    "}\n";

void _mlir_ciface_wlgen_forward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                wlgen_memref2d *y) {
  (void)arena, (void)x, (void)y;
}
float _mlir_ciface_wlgen_loss(wlgen_memref1d *arena, wlgen_memref2d *x,
                              void *labels) {
  (void)arena, (void)x, (void)labels;
  return 0.0f;
}
void _mlir_ciface_wlgen_backward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                 wlgen_memref2d *dy, wlgen_memref2d *dx) {
  (void)arena, (void)x, (void)dy, (void)dx;
}
float _mlir_ciface_wlgen_loss_backward(wlgen_memref1d *arena, wlgen_memref2d *x,
                                       void *labels) {
  (void)arena, (void)x, (void)labels;
  return 0.0f;
}
void _mlir_ciface_wlgen_step(wlgen_memref1d *arena, int64_t t) {
  (void)arena, (void)t;
}
