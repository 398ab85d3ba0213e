// Argument errors: NULL pointers, batch <= 0, unknown names give a non-OK status and
// a wl_last_error message; the model stays unchanged and usable (Inputs/arg_errors.py).
// RUN: wlc %s -o %t.so
// RUN: %python %test_inputs/arg_errors.py %t.so | FileCheck %s
// CHECK: OK forward_null_x status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK forward_null_y status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK forward_batch_0 status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK forward_batch_negative status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK backward_null_x status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK backward_null_dy status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK backward_batch_0 status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK loss_null_x status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK loss_null_labels status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK loss_null_out status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK loss_batch_0 status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK train_step_null_x status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK train_step_null_labels status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK train_step_batch_0 status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK get_param_unknown status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK get_param_null_name status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK get_param_null_out status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK set_param_unknown status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK set_param_null_in status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK get_grad_unknown status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK get_weight_unknown status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK save_null_path status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK load_null_path status={{WL_ERR_[A-Z]+}} message={{.+}}
// CHECK: OK message_names_wl_get_param
// CHECK: OK message_names_wl_set_param
// CHECK: OK message_names_wl_get_grad
// CHECK: OK unknown_name_is_ERR_ARG
// CHECK: OK forward_null_model
// CHECK: OK zero_grad_null_model
// CHECK: OK step_null_model
// CHECK: OK get_param_null_model
// CHECK: OK destroy_null
// CHECK: OK model_unchanged_by_errors
// CHECK: OK no_step_taken
// CHECK: OK usable_after_errors

model ArgErrors {
  input  x: f32[3]
  label  y: i32

  linear fc1: 3 -> 4 { weight = dense; bias = zeros }
  linear head: 4 -> 2 { weight = dense; bias = zeros }

  forward {
    return head(relu(fc1(x)))
  }

  loss = cross_entropy(forward, y)

  optimize {
    default: sgd(lr = 0.1)
  }
}
