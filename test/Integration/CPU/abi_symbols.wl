// The library exports every symbol of wl.h and nothing internal: no generated
// `_mlir_ciface_*`/`wlgen_*` entry points, no MLIR/LLVM or C++ runtime symbols.
// REQUIRES: nm
// RUN: wlc %s -o %t.so
// RUN: nm -D --defined-only %t.so | FileCheck %s
// RUN: nm -D --defined-only %t.so | FileCheck %s --check-prefix=INTERNAL
// CHECK-DAG: {{ [TtWi] }}wl_abi_version{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_backward{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_create{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_destroy{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_forward{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_get_grad{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_get_param{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_get_weight{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_input_size{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_label_kind{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_last_error{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_layer_spectral_bound{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_lipschitz_bound{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_load{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_loss{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_model_name{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_num_params{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_output_size{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_param_dim{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_param_name{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_param_rank{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_param_trainable{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_save{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_set_param{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_step{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_train_step{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_zero_grad{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_step_count{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_input_kind{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_sequence_length{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_label_size{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_loss_backward{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_param_buffer{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_grad_buffer{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_state_buffer{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_num_step_tensors{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_step_tensor_param{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_step_tensor_flops{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_step_tensor_buffers{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_step_tensors{{$}}
// CHECK-DAG: {{ [TtWi] }}wl_step_finish{{$}}
// INTERNAL-NOT: _mlir_ciface
// INTERNAL-NOT: wlgen_
// INTERNAL-NOT: {{ _Z}}
// INTERNAL-NOT: {{[Mm]lir}}
// INTERNAL-NOT: {{[Ll]lvm}}
// INTERNAL-NOT: __wl
// INTERNAL-NOT: {{ (main|malloc|free)$}}

model AbiSymbols {
  input  x: f32[4]
  label  y: i32

  linear fc: 4 -> 2 { weight = dense; bias = zeros }

  forward {
    return fc(x)
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
